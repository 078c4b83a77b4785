#include "sources/inspector/page_columns.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

using codeguru::Timestamp;
using codeguru::inspector::ArnParts;
using codeguru::inspector::CodeVulnerabilityDetails;
using codeguru::inspector::Finding;
using codeguru::inspector::InspectorPageColumns;
using codeguru::inspector::PackageVulnerabilityDetails;
using codeguru::inspector::page_to_columns;
using codeguru::inspector::parse_finding_arn;
using codeguru::inspector::Resource;

namespace {

Timestamp at_us(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

const Timestamp kSyncTime = at_us(1'760'000'000'000'000);
const char kSyncText[] = "2025-10-09 08:53:20.000000+00";

InspectorPageColumns columns_of(const std::vector<Finding>& page) {
    return page_to_columns("us-east-1", page, kSyncTime);
}

Finding with_arn(const std::string& arn) {
    Finding finding;
    finding.finding_arn = arn;
    return finding;
}

const std::string kArn = "arn:aws:inspector2:eu-west-1:111122223333:finding/0123abcd";

}  // namespace

TEST_CASE("finding ARNs yield their region and account, malformed ones nothing",
          "[inspector_page_columns]") {
    struct Case {
        const char* arn;
        std::optional<std::pair<std::string, std::string>> parts;
    };
    const std::vector<Case> cases = {
        {"arn:aws:inspector2:us-east-1:123456789012:finding/abc", {{"us-east-1", "123456789012"}}},
        {"arn:aws-cn:inspector2:cn-north-1:123456789012:finding/f",
         {{"cn-north-1", "123456789012"}}},
        {"arn:aws:inspector2:us-east-1:123456789012:finding/a:b", {{"us-east-1", "123456789012"}}},
        {"arn:aws:inspector:us-east-1:123456789012:finding/abc", std::nullopt},
        {"arn:aws:inspector2::123456789012:finding/abc", std::nullopt},
        {"arn:aws:inspector2:us-east-1::finding/abc", std::nullopt},
        {"arn::inspector2:us-east-1:123456789012:finding/abc", std::nullopt},
        {"arn:aws:inspector2:us-east-1:123456789012:scan/abc", std::nullopt},
        {"arn:aws:inspector2:us-east-1:123456789012:finding/", std::nullopt},
        {"arn:aws:inspector2:us-east-1:123456789012", std::nullopt},
        {"urn:aws:inspector2:us-east-1:123456789012:finding/abc", std::nullopt},
        {"finding-1", std::nullopt},
        {"", std::nullopt},
    };
    for (const auto& c : cases) {
        INFO(c.arn);
        const auto parts = parse_finding_arn(c.arn);
        REQUIRE(parts.has_value() == c.parts.has_value());
        if (parts) {
            CHECK(parts->region == c.parts->first);
            CHECK(parts->account == c.parts->second);
        }
    }
}

TEST_CASE(
    "region comes from the ARN, else the stream, and the account from awsAccountId, else the ARN",
    "[inspector_page_columns]") {
    Finding member = with_arn(kArn);
    member.aws_account_id = "999999999999";
    Finding from_arn = with_arn("arn:aws:inspector2:ap-south-1:444455556666:finding/x");
    Finding malformed = with_arn("not-an-arn");
    Finding malformed_with_member = with_arn("arn:aws:inspector2:us-west-2:");
    malformed_with_member.aws_account_id = "777777777777";

    auto c = columns_of({member, from_arn, malformed, malformed_with_member});

    CHECK(c.region.take() == R"({"eu-west-1","ap-south-1","us-east-1","us-east-1"})");
    CHECK(c.aws_account_id.take() == R"({"999999999999","444455556666",NULL,"777777777777"})");
}

TEST_CASE("the version time is updatedAt, else lastObservedAt, else the sync time",
          "[inspector_page_columns]") {
    Finding both = with_arn("arn:aws:inspector2:us-east-1:1:finding/both");
    both.updated_at = at_us(2'000'000);
    both.last_observed_at = at_us(3'000'000);
    Finding observed = with_arn("arn:aws:inspector2:us-east-1:1:finding/observed");
    observed.last_observed_at = at_us(3'000'001);
    Finding neither = with_arn("arn:aws:inspector2:us-east-1:1:finding/neither");

    auto c = columns_of({both, observed, neither});

    CHECK(c.updated_at.take() == std::string("{\"1970-01-01 00:00:02.000000+00\","
                                             "\"1970-01-01 00:00:03.000001+00\",\"") +
                                     kSyncText + "\"}");
    CHECK(c.last_observed_at.take() ==
          R"({"1970-01-01 00:00:03.000000+00","1970-01-01 00:00:03.000001+00",NULL})");
    CHECK(c.versions == std::vector<Timestamp>{at_us(2'000'000), at_us(3'000'001), kSyncTime});
    CHECK(c.arns == std::vector<std::string>{"arn:aws:inspector2:us-east-1:1:finding/both",
                                             "arn:aws:inspector2:us-east-1:1:finding/observed",
                                             "arn:aws:inspector2:us-east-1:1:finding/neither"});
}

TEST_CASE("findings without an ARN are counted and left out, and of repeated ARNs the newest stays",
          "[inspector_page_columns]") {
    Finding no_arn;
    no_arn.title = "nameless";
    Finding a_old = with_arn("a");
    a_old.updated_at = at_us(1);
    a_old.title = "a old";
    Finding a_new = with_arn("a");
    a_new.updated_at = at_us(5);
    a_new.title = "a new";
    Finding b_first = with_arn("b");
    b_first.updated_at = at_us(7);
    b_first.title = "b first";
    Finding b_last = with_arn("b");
    b_last.updated_at = at_us(7);
    b_last.title = "b last";
    Finding a_older = with_arn("a");
    a_older.updated_at = at_us(2);
    a_older.title = "a older";

    auto c = columns_of({a_old, no_arn, b_first, a_new, b_last, a_older, no_arn});

    CHECK(c.findings == 2);
    CHECK(c.rejected == 2);
    CHECK(c.duplicates == 3);
    // The winners, in page order.
    CHECK(c.finding_arn.take() == R"({"a","b"})");
    CHECK(c.title.take() == R"({"a new","b last"})");
}

TEST_CASE("a repeated detector tag is kept once, numbered by its first position",
          "[inspector_page_columns]") {
    Finding first = with_arn("a");
    first.code = CodeVulnerabilityDetails{};
    first.code->detector_tags = std::vector<std::string>{"injection", "sql", "injection", "cwe-89"};
    Finding second = with_arn("b");
    second.code = CodeVulnerabilityDetails{};
    second.code->detector_tags = std::vector<std::string>{"x", "x", "y"};

    auto c = columns_of({first, second});

    CHECK(c.tag.take() == R"({"injection","sql","cwe-89","x","y"})");
    CHECK(c.tag_ordinal.take() == "{1,2,4,1,3}");
    CHECK(c.tag_finding.take() == "{1,1,1,2,2}");
}

TEST_CASE("reference URLs come from code details, then package details, numbered on",
          "[inspector_page_columns]") {
    Finding both = with_arn("a");
    both.code = CodeVulnerabilityDetails{};
    both.code->reference_urls = std::vector<std::string>{"https://c1", "https://c2"};
    both.package = PackageVulnerabilityDetails{};
    both.package->reference_urls = std::vector<std::string>{"https://p1"};
    Finding package_only = with_arn("b");
    package_only.package = PackageVulnerabilityDetails{};
    package_only.package->reference_urls = std::vector<std::string>{"https://p2", "https://p3"};

    auto c = columns_of({both, package_only});

    CHECK(c.url.take() == R"({"https://c1","https://c2","https://p1","https://p2","https://p3"})");
    CHECK(c.url_ordinal.take() == "{1,2,3,1,2}");
    CHECK(c.url_finding.take() == "{1,1,1,2,2}");
}

TEST_CASE("absent members are NULL elements and add no child rows", "[inspector_page_columns]") {
    auto c = columns_of({with_arn("a")});

    for (auto* array :
         {&c.aws_account_id, &c.type, &c.title, &c.inspector_score, &c.epss_score,
          &c.first_observed_at, &c.detector_id, &c.start_line, &c.vulnerability_id,
          &c.vendor_created_at, &c.network_protocol, &c.open_port_begin, &c.recommendation_url}) {
        CHECK(array->take() == "{NULL}");
    }
    for (auto* array : {&c.resource_finding, &c.cwe_finding, &c.tag_finding, &c.url_finding,
                        &c.related_finding, &c.package_finding, &c.cvss_finding, &c.step_finding}) {
        CHECK(array->take() == "{}");
    }
}

TEST_CASE("scores keep their shortest exact text", "[inspector_page_columns]") {
    Finding a = with_arn("a");
    a.inspector_score = 7.5;
    a.epss_score = 0.1;
    Finding b = with_arn("b");
    b.inspector_score = 10;
    b.epss_score = 0.00043;

    auto c = columns_of({a, b});

    CHECK(c.inspector_score.take() == R"({"7.5","10"})");
    CHECK(c.epss_score.take() == R"({"0.1","0.00043"})");
}

TEST_CASE("resource JSON travels as quoted text with its NUL escapes replaced",
          "[inspector_page_columns]") {
    Finding a = with_arn("a");
    Resource plain;
    plain.details_json = R"({"codeRepository":{"projectName":"shop \"x\""}})";
    plain.tags_json = R"({"path":"C:\\u0000dir"})";  // an escaped backslash, then text
    Resource nul;
    nul.tags_json = R"({"k":"a\u0000b\u0000"})";
    a.resources = std::vector<Resource>{plain, nul};

    auto c = columns_of({a});

    CHECK(c.resource_details.take() ==
          R"({"{\"codeRepository\":{\"projectName\":\"shop \\\"x\\\"\"}}",NULL})");
    CHECK(c.resource_tags.take() ==
          R"({"{\"path\":\"C:\\\\u0000dir\"}","{\"k\":\"a\\ufffdb\\ufffd\"}"})");
    CHECK(c.resource_ordinal.take() == "{1,2}");
    CHECK(c.sanitized == 2);
}

TEST_CASE("NUL and invalid UTF-8 become U+FFFD in every text, ARN included",
          "[inspector_page_columns]") {
    Finding a = with_arn(std::string("arn\0x", 5));
    a.title = std::string("t\xC3(", 3);
    a.code = CodeVulnerabilityDetails{};
    a.code->cwes = std::vector<std::string>{std::string("CWE\0", 4)};

    auto c = columns_of({a});

    CHECK(c.finding_arn.take() == "{\"arn\xEF\xBF\xBDx\"}");
    CHECK(c.arns == std::vector<std::string>{"arn\xEF\xBF\xBDx"});
    CHECK(c.title.take() == "{\"t\xEF\xBF\xBD(\"}");
    CHECK(c.cwe.take() == "{\"CWE\xEF\xBF\xBD\"}");
    CHECK(c.sanitized == 3);
}
