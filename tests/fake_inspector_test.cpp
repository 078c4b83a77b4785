// The fake Amazon Inspector API (ListFindings, BatchGetCodeSnippet) behind FakeCodeGuruApi,
// driven through the daemon's own SigV4 signer and libcurl transport. Expected values come
// from the generated findings, filtered here, never from the fake's own filter code.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aws/curl_transport.hpp"
#include "aws/sigv4_signer.hpp"
#include "fake_api.hpp"
#include "fake_inspector.hpp"
#include "inspector_generator.hpp"

using codeguru::aws::CurlTransport;
using codeguru::aws::HttpRequest;
using codeguru::aws::HttpResponse;
using codeguru::aws::SignableRequest;
using codeguru::aws::SigV4Signer;
using codeguru::test::FakeApiOptions;
using codeguru::test::FakeCodeGuruApi;
using codeguru::test::Fault;
using codeguru::test::generate_code_snippet;
using codeguru::test::generate_inspector_findings;
using codeguru::test::InspectorGenerateOptions;
using nlohmann::json;

namespace {

constexpr const char* kErrorSuffix = ":http://internal.amazon.com/coral/com.amazonaws.inspector2/";
constexpr std::uint64_t kFakeSeed = 42;  // FakeApiOptions' default: the snippets' seed

struct Answer {
    long status = 0;
    std::string error_type;
    std::optional<std::string> retry_after;
    json body;
};

// Signs and sends Inspector requests as the daemon does: SigV4Signer over CurlTransport.
class InspectorCaller {
  public:
    InspectorCaller(const FakeCodeGuruApi& api, std::string region,
                    std::string service = "inspector2",
                    std::string content_type = "application/x-amz-json-1.1")
        : api_(api),
          signer_(std::move(service), std::move(region)),
          content_type_(std::move(content_type)),
          transport_({}) {}

    Answer post(const std::string& path, const json& body) {
        SignableRequest signable;
        signable.method = "POST";
        signable.host = "127.0.0.1:" + std::to_string(api_.port());
        signable.path = path;
        signable.headers = {{"content-type", content_type_}};
        signable.body = body.dump();
        const auto signed_request =
            signer_.sign(signable, credentials_, std::chrono::system_clock::now());
        HttpRequest request;
        request.method = "POST";
        request.url = api_.endpoint() + path;
        request.headers = {{"Content-Type", content_type_}};
        for (const auto& header : signed_request.headers) request.headers.push_back(header);
        request.body = signable.body;
        const HttpResponse response = transport_.send(request);
        Answer answer;
        answer.status = response.status;
        answer.error_type = response.header("x-amzn-ErrorType").value_or("");
        answer.retry_after = response.header("Retry-After");
        answer.body = json::parse(response.body, nullptr, false);
        return answer;
    }

    Answer list(const json& body) { return post("/findings/list", body); }
    Answer snippets(const std::vector<std::string>& arns) {
        return post("/codesnippet/batchget", {{"findingArns", arns}});
    }
    void set_credentials(codeguru::aws::Credentials credentials) {
        credentials_ = std::move(credentials);
    }

  private:
    const FakeCodeGuruApi& api_;
    SigV4Signer signer_;
    std::string content_type_;
    CurlTransport transport_;
    codeguru::aws::Credentials credentials_{"AKIDFAKEEXAMPLE", "fake/secret+key", "", std::nullopt,
                                            "test"};
};

struct Listing {
    std::vector<std::string> arns;
    std::vector<std::string> tokens;
    std::size_t pages = 0;
    std::size_t empty_pages_with_token = 0;
};

// Pages through ListFindings with `filter` until no nextToken comes back.
Listing list_all(InspectorCaller& caller, const json& filter, int page_size) {
    Listing listing;
    std::optional<std::string> token;
    for (int page = 0; page < 10000; ++page) {
        json body = {{"maxResults", page_size}};
        if (!filter.empty()) body["filterCriteria"] = filter;
        if (token) body["nextToken"] = *token;
        const Answer answer = caller.list(body);
        INFO(answer.body.dump());
        REQUIRE(answer.status == 200);
        ++listing.pages;
        const json& findings = answer.body.at("findings");
        REQUIRE(findings.size() <= static_cast<std::size_t>(page_size));
        for (const auto& f : findings) listing.arns.push_back(f.at("findingArn"));
        if (!answer.body.contains("nextToken")) return listing;
        if (findings.empty()) ++listing.empty_pages_with_token;
        token = answer.body["nextToken"].get<std::string>();
        listing.tokens.push_back(*token);
    }
    FAIL("paging did not end");
    return listing;
}

std::vector<std::string> arns_where(const std::vector<json>& findings,
                                    const std::function<bool(const json&)>& keep) {
    std::vector<std::string> arns;
    for (const auto& f : findings) {
        if (keep(f)) arns.push_back(f.at("findingArn"));
    }
    return arns;
}

std::string region_in_arn(const json& finding) {
    const std::string arn = finding.at("findingArn");
    std::size_t start = 0;
    for (int i = 0; i < 3; ++i) start = arn.find(':', start) + 1;
    return arn.substr(start, arn.find(':', start) - start);
}

std::vector<json> two_region_findings(std::size_t count, std::uint64_t seed) {
    InspectorGenerateOptions options;
    options.seed = seed;
    options.count = count;
    options.regions = {"us-east-1", "eu-west-1"};
    options.accounts = {"111111111111", "222222222222", "333333333333"};
    options.types = {1, 1, 1};
    return generate_inspector_findings(options);
}

json string_filter(const std::string& comparison, const std::string& value) {
    return {{"comparison", comparison}, {"value", value}};
}

double seconds(const json& value) {
    return value.get<double>();
}

}  // namespace

TEST_CASE("the region of the credential scope selects the findings a request sees",
          "[fake_inspector]") {
    FakeCodeGuruApi api;
    const auto findings = two_region_findings(120, 1);
    api.set_inspector_findings(findings);
    for (const std::string region : {"us-east-1", "eu-west-1", "ap-south-1"}) {
        InspectorCaller caller(api, region);
        const auto expected =
            arns_where(findings, [&](const json& f) { return region_in_arn(f) == region; });
        CHECK(list_all(caller, json::object(), 7).arns == expected);
        CHECK(api.requests().back().region == region);
        CHECK(api.requests().back().operation == "ListFindings");
    }
    CHECK(arns_where(findings, [](const json& f) {
              return region_in_arn(f) == "eu-west-1";
          }).size() == 60);
    CHECK(api.counters().list_findings == 9 + 9 + 1);
}

TEST_CASE("requests signed for another service, region or key are refused with a 403",
          "[fake_inspector]") {
    FakeCodeGuruApi api;
    api.set_inspector_findings(two_region_findings(10, 2));

    SECTION("signing name codeguru-security") {
        InspectorCaller caller(api, "us-east-1", "codeguru-security");
        const Answer answer = caller.list(json::object());
        CHECK(answer.status == 403);
        CHECK(answer.error_type.rfind("InvalidSignatureException:", 0) == 0);
        CHECK(answer.body["message"].get<std::string>().find("'inspector2'") != std::string::npos);
    }
    SECTION("a region that is no region") {
        InspectorCaller caller(api, "moon-base");
        CHECK(caller.list(json::object()).status == 403);
    }
    SECTION("a wrong secret") {
        InspectorCaller caller(api, "us-east-1");
        caller.set_credentials({"AKIDFAKEEXAMPLE", "wrong", "", std::nullopt, "test"});
        const Answer answer =
            caller.snippets({"arn:aws:inspector2:us-east-1:111111111111:"
                             "finding/0123456789abcdef0123456789abcdef"});
        CHECK(answer.status == 403);
        CHECK(answer.error_type.rfind("InvalidSignatureException:", 0) == 0);
    }
    SECTION("no signature at all") {
        httplib::Client plain("127.0.0.1", api.port());
        const auto result = plain.Post("/findings/list", "{}", "application/json");
        REQUIRE(result);
        CHECK(result->status == 403);
        CHECK(result->get_header_value("x-amzn-ErrorType")
                  .rfind("MissingAuthenticationTokenException", 0) == 0);
    }
    CHECK(api.counters().auth_failures >= 1);
}

TEST_CASE("string filters select by EQUALS and PREFIX (ORed) and NOT_EQUALS (ANDed)",
          "[fake_inspector]") {
    FakeCodeGuruApi api;
    const auto findings = two_region_findings(300, 3);
    api.set_inspector_findings(findings);
    InspectorCaller caller(api, "us-east-1");
    const auto in_region = [](const json& f) { return region_in_arn(f) == "us-east-1"; };
    const auto text = [](const json& f, const char* key) { return f.value(key, std::string()); };

    const auto check = [&](const json& filter, const std::function<bool(const json&)>& keep) {
        INFO(filter.dump());
        const auto expected =
            arns_where(findings, [&](const json& f) { return in_region(f) && keep(f); });
        CHECK(!expected.empty());
        CHECK(list_all(caller, filter, 13).arns == expected);
    };
    check({{"findingType", {string_filter("EQUALS", "CODE_VULNERABILITY")}}},
          [&](const json& f) { return text(f, "type") == "CODE_VULNERABILITY"; });
    check({{"findingType",
            {string_filter("EQUALS", "CODE_VULNERABILITY"),
             string_filter("EQUALS", "NETWORK_REACHABILITY")}}},
          [&](const json& f) { return text(f, "type") != "PACKAGE_VULNERABILITY"; });
    check({{"findingStatus", {string_filter("NOT_EQUALS", "CLOSED")}}},
          [&](const json& f) { return text(f, "status") != "CLOSED"; });
    check({{"findingStatus",
            {string_filter("NOT_EQUALS", "CLOSED"), string_filter("NOT_EQUALS", "SUPPRESSED")}}},
          [&](const json& f) { return text(f, "status") == "ACTIVE"; });
    check({{"awsAccountId",
            {string_filter("PREFIX", "22"), string_filter("EQUALS", "333333333333")}}},
          [&](const json& f) { return text(f, "awsAccountId") != "111111111111"; });
    check({{"findingType", {string_filter("EQUALS", "PACKAGE_VULNERABILITY")}},
           {"awsAccountId", {string_filter("EQUALS", "111111111111")}},
           {"findingStatus", {string_filter("NOT_EQUALS", "CLOSED")}}},
          [&](const json& f) {
              return text(f, "type") == "PACKAGE_VULNERABILITY" &&
                     text(f, "awsAccountId") == "111111111111" && text(f, "status") != "CLOSED";
          });
    // A finding without a title fails EQUALS and PREFIX but passes NOT_EQUALS.
    check({{"title", {string_filter("NOT_EQUALS", "nothing has this title")}}},
          [](const json&) { return true; });
    check({{"title", {string_filter("PREFIX", "CVE-")}}},
          [&](const json& f) { return text(f, "title").rfind("CVE-", 0) == 0; });
}

TEST_CASE("an updatedAt range includes both bounds, to the microsecond", "[fake_inspector]") {
    FakeCodeGuruApi api;
    const auto findings = two_region_findings(200, 4);
    api.set_inspector_findings(findings);
    InspectorCaller caller(api, "eu-west-1");
    std::vector<json> times;
    for (const auto& f : findings) {
        if (region_in_arn(f) == "eu-west-1" && f.contains("updatedAt"))
            times.push_back(f["updatedAt"]);
    }
    std::sort(times.begin(), times.end(),
              [](const json& a, const json& b) { return seconds(a) < seconds(b); });
    REQUIRE(times.size() > 20);
    // Bounds exactly at two findings' own (possibly fractional) values.
    const json start = times[times.size() / 4];
    const json end = times[times.size() * 3 / 4];
    const auto expected = arns_where(findings, [&](const json& f) {
        return region_in_arn(f) == "eu-west-1" && f.contains("updatedAt") &&
               seconds(f["updatedAt"]) >= seconds(start) && seconds(f["updatedAt"]) <= seconds(end);
    });
    const auto listed =
        list_all(caller, {{"updatedAt", {{{"startInclusive", start}, {"endInclusive", end}}}}}, 9);
    CHECK(listed.arns == expected);
    CHECK(expected.size() >= times.size() / 2);

    // Open-ended: only a start.
    const auto since = list_all(caller, {{"updatedAt", {{{"startInclusive", end}}}}}, 100);
    CHECK(since.arns == arns_where(findings, [&](const json& f) {
              return region_in_arn(f) == "eu-west-1" && f.contains("updatedAt") &&
                     seconds(f["updatedAt"]) >= seconds(end);
          }));
    // Every request of that listing carried its updatedAt filter, as the log shows.
    for (const auto& record : api.requests()) {
        CHECK(record.body.at("filterCriteria").contains("updatedAt"));
    }
}

TEST_CASE("invalid ListFindings requests are 400 ValidationExceptions", "[fake_inspector]") {
    FakeCodeGuruApi api;
    api.set_inspector_findings(two_region_findings(10, 5));
    InspectorCaller caller(api, "us-east-1");
    const auto rejected = [&](const json& body, const std::string& field) {
        INFO(body.dump());
        const Answer answer = caller.list(body);
        CHECK(answer.status == 400);
        CHECK(answer.error_type == std::string("ValidationException") + kErrorSuffix);
        CHECK(answer.body.at("reason") == "FIELD_VALIDATION_FAILED");
        CHECK(answer.body.at("fields")[0].at("name").get<std::string>().rfind(field, 0) == 0);
    };
    rejected({{"maxResults", 0}}, "maxResults");
    rejected({{"maxResults", 101}}, "maxResults");
    rejected({{"maxResults", "ten"}}, "maxResults");
    rejected({{"filterCriteria", {{"noSuchMember", {string_filter("EQUALS", "x")}}}}},
             "filterCriteria.noSuchMember");
    rejected({{"filterCriteria", {{"resourceTags", {string_filter("EQUALS", "x")}}}}},
             "filterCriteria.resourceTags");
    rejected({{"filterCriteria", {{"severity", {string_filter("LIKE", "HIGH")}}}}},
             "filterCriteria.severity");
    rejected({{"filterCriteria", {{"severity", json::array()}}}}, "filterCriteria.severity");
    rejected({{"filterCriteria", {{"updatedAt", {{{"startInclusive", "yesterday"}}}}}}},
             "filterCriteria.updatedAt");
    rejected({{"sortCriteria", {{"field", "SEVERITY"}, {"sortOrder", "ASC"}}}}, "sortCriteria");
    rejected({{"maxResult", 10}}, "maxResult");
    CHECK(caller.list({{"maxResults", 1}}).status == 200);
    CHECK(caller.list({{"maxResults", 100}}).status == 200);
    CHECK(caller.list(json::object()).status == 200);
}

TEST_CASE("a nextToken is bound to its filter and region", "[fake_inspector]") {
    FakeCodeGuruApi api;
    api.set_inspector_findings(two_region_findings(60, 6));
    InspectorCaller east(api, "us-east-1");
    InspectorCaller west(api, "eu-west-1");
    const json filter = {{"findingStatus", {string_filter("NOT_EQUALS", "CLOSED")}}};
    const Answer first = east.list({{"maxResults", 2}, {"filterCriteria", filter}});
    REQUIRE(first.status == 200);
    const std::string token = first.body.at("nextToken");
    const auto invalid = [](const Answer& answer) {
        return answer.status == 400 && answer.body.value("message", "") == "Invalid nextToken";
    };
    CHECK(east.list({{"nextToken", token}, {"filterCriteria", filter}}).status == 200);
    CHECK(
        east.list({{"nextToken", token}, {"filterCriteria", filter}, {"maxResults", 50}}).status ==
        200);
    CHECK(invalid(east.list({{"nextToken", token}})));
    CHECK(invalid(east.list(
        {{"nextToken", token},
         {"filterCriteria", {{"findingStatus", {string_filter("NOT_EQUALS", "ACTIVE")}}}}})));
    CHECK(invalid(west.list({{"nextToken", token}, {"filterCriteria", filter}})));
    CHECK(invalid(east.list({{"nextToken", "not-a-token"}})));

    // The same filter, spelled otherwise: timestamps as integers or fractions are one value.
    const json since = {{"updatedAt", {{{"startInclusive", 1700000000}}}}};
    const json since_fraction = {{"updatedAt", {{{"startInclusive", 1700000000.0}}}}};
    const json later = {{"updatedAt", {{{"startInclusive", 1700000000.001}}}}};
    const Answer dated = east.list({{"maxResults", 2}, {"filterCriteria", since}});
    REQUIRE(dated.status == 200);
    const std::string dated_token = dated.body.at("nextToken");
    CHECK(east.list({{"nextToken", dated_token}, {"filterCriteria", since_fraction}}).status ==
          200);
    CHECK(invalid(east.list({{"nextToken", dated_token}, {"filterCriteria", later}})));

    const auto listing = list_all(east, filter, 3);
    REQUIRE(listing.tokens.size() > 3);
    for (const auto& t : listing.tokens) {
        CHECK(t.find('+') != std::string::npos);
        CHECK(t.find('/') != std::string::npos);
        CHECK(t.back() == '=');
    }
}

TEST_CASE("with empty pages, every finding still comes exactly once", "[fake_inspector]") {
    FakeCodeGuruApi api;
    const auto findings = two_region_findings(90, 7);
    api.set_inspector_findings(findings);
    InspectorCaller caller(api, "us-east-1");
    const auto expected =
        arns_where(findings, [](const json& f) { return region_in_arn(f) == "us-east-1"; });
    const std::size_t every = GENERATE(2, 3);
    api.inspector().set_empty_page_every(every);
    const auto listing = list_all(caller, json::object(), 4);
    CHECK(listing.arns == expected);
    CHECK(listing.empty_pages_with_token >= (expected.size() / 4) / every);
    CHECK(listing.empty_pages_with_token > 0);
    CHECK_THROWS_AS(api.inspector().set_empty_page_every(1), std::invalid_argument);
}

TEST_CASE("paging stays exact while findings change between pages", "[fake_inspector]") {
    FakeCodeGuruApi api;
    const auto before = two_region_findings(200, 8);
    api.set_inspector_findings(before);
    InspectorCaller caller(api, "us-east-1");
    const auto in_east = [](const json& f) { return region_in_arn(f) == "us-east-1"; };

    std::vector<std::string> seen;
    Answer page = caller.list({{"maxResults", 30}});
    REQUIRE(page.status == 200);
    for (const auto& f : page.body["findings"]) seen.push_back(f["findingArn"]);
    const auto summary = api.evolve_inspector(
        9, {.changed = 0.2, .closed = 0.05, .removed = 0.1, .added = 0.1},
        std::chrono::system_clock::time_point(std::chrono::seconds(1760000000)));
    std::string token = page.body.at("nextToken");
    for (int i = 0; i < 100; ++i) {
        page = caller.list({{"maxResults", 30}, {"nextToken", token}});
        REQUIRE(page.status == 200);
        for (const auto& f : page.body["findings"]) seen.push_back(f["findingArn"]);
        if (!page.body.contains("nextToken")) break;
        token = page.body["nextToken"];
    }
    const auto after = api.inspector_findings();
    // Nothing twice; everything of the later state after the first page came; nothing removed
    // after the first page came.
    const std::set<std::string> unique(seen.begin(), seen.end());
    CHECK(unique.size() == seen.size());
    const std::set<std::string> first_page(seen.begin(), seen.begin() + 30);
    const std::set<std::string> removed(summary.removed_arns.begin(), summary.removed_arns.end());
    for (const auto& arn : arns_where(after, in_east)) CHECK(unique.count(arn) == 1);
    for (const auto& arn : seen) {
        CHECK((first_page.count(arn) == 1 || removed.count(arn) == 0));
    }
    std::size_t added_in_east = 0;
    for (const auto& arn : summary.added_arns)
        added_in_east += arn.find(":us-east-1:") != std::string::npos;
    CHECK(added_in_east > 0);
    CHECK(summary.removed_arns.size() == 20);
}

TEST_CASE("BatchGetCodeSnippet returns snippets and each kind of per-ARN error",
          "[fake_inspector]") {
    FakeCodeGuruApi api;
    const auto findings = two_region_findings(60, 10);
    api.set_inspector_findings(findings);
    InspectorCaller caller(api, "us-east-1");
    std::vector<json> code, other;
    for (const auto& f : findings) {
        if (region_in_arn(f) != "us-east-1") continue;
        (f["type"] == "CODE_VULNERABILITY" ? code : other).push_back(f);
    }
    REQUIRE(code.size() >= 5);
    REQUIRE(!other.empty());
    const auto arn = [](const json& f) { return f["findingArn"].get<std::string>(); };
    api.inspector().set_snippet_error(arn(code[1]), "ACCESS_DENIED", 1);
    api.inspector().set_snippet_error(arn(code[2]), "INTERNAL_ERROR", 0);
    api.inspector().set_snippet_error(arn(code[3]), "INVALID_INPUT", 1);
    const std::string unknown =
        "arn:aws:inspector2:us-east-1:111111111111:finding/0123456789abcdef0123456789abcdef";
    const std::vector<std::string> asked = {arn(code[0]), arn(code[1]),  arn(code[2]),
                                            arn(code[3]), arn(other[0]), unknown};

    Answer answer = caller.snippets(asked);
    REQUIRE(answer.status == 200);
    REQUIRE(answer.body.at("codeSnippetResults").size() == 1);
    CHECK(answer.body["codeSnippetResults"][0] == *generate_code_snippet(code[0], kFakeSeed));
    std::map<std::string, std::string> errors;
    for (const auto& e : answer.body.at("errors")) {
        errors[e.at("findingArn")] = e.at("errorCode");
        CHECK(!e.at("errorMessage").get<std::string>().empty());
    }
    CHECK(errors == std::map<std::string, std::string>{{arn(code[1]), "ACCESS_DENIED"},
                                                       {arn(code[2]), "INTERNAL_ERROR"},
                                                       {arn(code[3]), "INVALID_INPUT"},
                                                       {arn(other[0]), "CODE_SNIPPET_NOT_FOUND"},
                                                       {unknown, "CODE_SNIPPET_NOT_FOUND"}});
    // The one-time errors are spent; INTERNAL_ERROR fires forever.
    answer = caller.snippets(asked);
    CHECK(answer.body["codeSnippetResults"].size() == 3);
    CHECK(answer.body["errors"].size() == 3);

    // Tests may replace or take away a snippet; another region sees none.
    json replaced = *generate_code_snippet(code[4], kFakeSeed);
    replaced["codeSnippet"] = {{{"lineNumber", 7}, {"content", "x = 1"}}};
    api.inspector().set_snippet(arn(code[4]), replaced);
    api.inspector().remove_snippet(arn(code[0]));
    answer = caller.snippets({arn(code[4]), arn(code[0])});
    CHECK(answer.body["codeSnippetResults"] == json::array({replaced}));
    CHECK(answer.body["errors"][0]["errorCode"] == "CODE_SNIPPET_NOT_FOUND");
    InspectorCaller west(api, "eu-west-1");
    CHECK(west.snippets({arn(code[4])}).body["errors"][0]["errorCode"] == "CODE_SNIPPET_NOT_FOUND");
    CHECK_THROWS_AS(api.inspector().set_snippet_error(arn(code[0]), "NOPE", 1),
                    std::invalid_argument);

    // 1–10 well-formed ARNs.
    const auto rejected = [&](const json& body) {
        const Answer bad = caller.post("/codesnippet/batchget", body);
        CHECK(bad.status == 400);
        CHECK(bad.error_type == std::string("ValidationException") + kErrorSuffix);
    };
    rejected({{"findingArns", json::array()}});
    rejected({{"findingArns", std::vector<std::string>(11, arn(code[0]))}});
    rejected({{"findingArns", {"arn:aws:inspector2:us-east-1:1:finding/xyz"}}});
    rejected(json::object());
    CHECK(api.counters().batch_get_code_snippet == 8);
}

TEST_CASE("throttling and server errors carry Retry-After when asked", "[fake_inspector][faults]") {
    FakeCodeGuruApi api;
    api.set_inspector_findings(two_region_findings(10, 11));
    api.set_scan("s", {});
    InspectorCaller caller(api, "us-east-1");
    api.inject({.kind = Fault::Kind::kThrottle,
                .count = 1,
                .target = Fault::Target::kListFindings,
                .retry_after = std::chrono::seconds(3)});
    api.inject({.kind = Fault::Kind::kServerError,
                .count = 1,
                .target = Fault::Target::kBatchGetCodeSnippet,
                .retry_after = std::chrono::seconds(7)});
    // A CodeGuru request is not the target.
    httplib::Client plain("127.0.0.1", api.port());
    api.set_verify_signatures(false);
    CHECK(plain.Get("/findings/s")->status == 200);

    const Answer throttled = caller.list(json::object());
    CHECK(throttled.status == 429);
    CHECK(throttled.error_type == std::string("ThrottlingException") + kErrorSuffix);
    CHECK(throttled.retry_after == "3");
    CHECK(throttled.body == json{{"message", "Rate exceeded"}});
    CHECK(caller.list(json::object()).status == 200);

    const Answer failed = caller.snippets(
        {"arn:aws:inspector2:us-east-1:111111111111:finding/0123456789abcdef0123456789abcdef"});
    CHECK(failed.status == 500);
    CHECK(failed.error_type == std::string("InternalServerException") + kErrorSuffix);
    CHECK(failed.retry_after == "7");

    api.inject({.kind = Fault::Kind::kThrottle, .target = Fault::Target::kListFindings});
    CHECK(!caller.list(json::object()).retry_after);
    CHECK(api.pending_faults() == 0);
    const auto log = api.requests();
    CHECK(log[1].fault == Fault::Kind::kThrottle);
    CHECK(log[1].status == 429);
}

TEST_CASE("faults can repeat or reject an Inspector token, by region", "[fake_inspector][faults]") {
    FakeCodeGuruApi api;
    api.set_inspector_findings(two_region_findings(40, 12));
    InspectorCaller east(api, "us-east-1");
    InspectorCaller west(api, "eu-west-1");
    api.inject({.kind = Fault::Kind::kRepeatToken,
                .count = 1,
                .target = Fault::Target::kListFindings,
                .region = "eu-west-1"});
    api.inject({.kind = Fault::Kind::kRejectToken,
                .count = 1,
                .target = Fault::Target::kListFindings,
                .region = "us-east-1"});
    // Neither fires on a first page.
    const Answer east_first = east.list({{"maxResults", 5}});
    const Answer west_first = west.list({{"maxResults", 5}});
    REQUIRE(east_first.status == 200);
    REQUIRE(west_first.status == 200);
    const std::string west_token = west_first.body.at("nextToken");
    const Answer repeated = west.list({{"maxResults", 5}, {"nextToken", west_token}});
    CHECK(repeated.status == 200);
    CHECK(repeated.body.at("nextToken") == west_token);
    const Answer rejected =
        east.list({{"maxResults", 5}, {"nextToken", east_first.body["nextToken"]}});
    CHECK(rejected.status == 400);
    CHECK(rejected.body.at("message") == "Invalid nextToken");
    CHECK(api.pending_faults() == 0);
}

TEST_CASE("both content types are accepted and the log keeps region and body", "[fake_inspector]") {
    FakeCodeGuruApi api;
    api.set_inspector_findings(two_region_findings(10, 13));
    const std::string content_type = GENERATE("application/x-amz-json-1.1", "application/json");
    InspectorCaller caller(api, "eu-west-1", "inspector2", content_type);
    const json body = {{"maxResults", 3},
                       {"filterCriteria", {{"updatedAt", {{{"startInclusive", 1700000000.5}}}}}}};
    CHECK(caller.list(body).status == 200);
    const auto log = api.requests();
    REQUIRE(log.size() == 1);
    CHECK(log[0].body == body);
    CHECK(log[0].region == "eu-west-1");
    CHECK(log[0].method == "POST");
    CHECK(api.requests_json()[0]["body"] == body);
    CHECK(api.requests_json()[0]["region"] == "eu-west-1");
}

TEST_CASE("the control endpoints generate, evolve, list and program Inspector data",
          "[fake_inspector]") {
    FakeApiOptions options;
    options.control_endpoints = true;
    FakeCodeGuruApi api(options);
    httplib::Client control("127.0.0.1", api.port());
    const auto post = [&](const std::string& path) {
        const auto result = control.Post(path.c_str(), "", "text/plain");
        REQUIRE(result);
        INFO(result->body);
        CHECK(result->status == 200);
        return json::parse(result->body);
    };
    post(
        "/_fake/inspector/generate?count=50&seed=3&regions=us-east-1,us-west-2"
        "&accounts=444444444444&types=CODE_VULNERABILITY:3,PACKAGE_VULNERABILITY");
    InspectorGenerateOptions expected_options;
    expected_options.count = 50;
    expected_options.seed = 3;
    expected_options.regions = {"us-east-1", "us-west-2"};
    expected_options.accounts = {"444444444444"};
    expected_options.types = {3, 1, 0};
    const auto expected = generate_inspector_findings(expected_options);
    CHECK(api.inspector_findings() == expected);
    const json west = json::parse(control.Get("/_fake/inspector/findings?region=us-west-2")->body);
    CHECK(west.size() == 25);

    const json evolved = post(
        "/_fake/inspector/"
        "evolve?seed=2&changed=0.1&closed=0&removed=0.1&added=0.2&now=1760000000.25");
    CHECK(evolved["changed"] == 5);
    CHECK(evolved["removed"] == 5);
    CHECK(evolved["added"] == 10);
    CHECK(api.inspector_findings().size() == 55);
    for (const auto& f : api.inspector_findings()) {
        if (f["findingArn"] == evolved["addedArns"][0])
            CHECK(f["updatedAt"].dump() == "1760000000.25");
    }

    post("/_fake/inspector/empty-pages?every=2");
    post("/_fake/inspector/snippet-error?arn=x&code=ACCESS_DENIED&count=2");
    CHECK(control.Post("/_fake/inspector/snippet-error?arn=x&code=BAD", "", "text/plain")->status ==
          400);
    post("/_fake/fault?kind=throttle&target=list-findings&retry_after=5&region=us-west-2");
    InspectorCaller caller(api, "us-west-2");
    const Answer throttled = caller.list(json::object());
    CHECK(throttled.status == 429);
    CHECK(throttled.retry_after == "5");
    const json counters = json::parse(control.Get("/_fake/counters")->body);
    CHECK(counters["listFindings"] == 1);
    CHECK(counters["batchGetCodeSnippet"] == 0);
}

namespace {

// The shapes reachable from Finding and CodeSnippetResult in the inspector2 (2020-06-08)
// service model of botocore 1.43.11 (Apache-2.0), reduced to type, members, required, enum,
// min and max. A copy, because Debian's python3-botocore (1.29) predates Inspector's code
// security: its Finding has no codeVulnerabilityDetails, epss or BatchGetCodeSnippet.
constexpr const char* kInspectorShapes = R"JSON(
{
"AccountId":{"max":12,"min":12,"type":"string"},
"Architecture":{"enum":["X86_64","ARM64"],"type":"string"},
"ArchitectureList":{"max":1,"member":"Architecture","min":1,"type":"list"},
"AwsEc2InstanceDetails":{"members":{"iamInstanceProfileArn":"NonEmptyString",
    "imageId":"NonEmptyString","ipV4Addresses":"IpV4AddressList",
    "ipV6Addresses":"IpV6AddressList","keyName":"NonEmptyString",
    "launchedAt":"DateTimeTimestamp","platform":"Platform","subnetId":"NonEmptyString",
    "type":"NonEmptyString","vpcId":"NonEmptyString"},"type":"structure"},
"AwsEcrContainerImageDetails":{"members":{"architecture":"NonEmptyString","author":"String",
    "imageHash":"ImageHash","imageTags":"ImageTagList","inUseCount":"Long",
    "lastInUseAt":"DateTimeTimestamp","platform":"Platform","pushedAt":"DateTimeTimestamp",
    "registry":"NonEmptyString","repositoryName":"NonEmptyString"},"required":["repositoryName",
    "imageHash","registry"],"type":"structure"},
"AwsLambdaFunctionDetails":{"members":{"architectures":"ArchitectureList",
    "codeSha256":"NonEmptyString","executionRoleArn":"ExecutionRoleArn",
    "functionName":"FunctionName","lastModifiedAt":"Timestamp","layers":"LayerList",
    "packageType":"PackageType","runtime":"Runtime","version":"Version",
    "vpcConfig":"LambdaVpcConfig"},"required":["functionName","runtime","codeSha256","version",
    "executionRoleArn"],"type":"structure"},
"CodeFilePath":{"members":{"endLine":"Integer","fileName":"NonEmptyString",
    "filePath":"NonEmptyString","startLine":"Integer"},"required":["fileName","filePath",
    "startLine","endLine"],"type":"structure"},
"CodeLine":{"members":{"content":"CodeLineContentString","lineNumber":"Integer"},
    "required":["content","lineNumber"],"type":"structure"},
"CodeLineContentString":{"max":240,"min":0,"type":"string"},
"CodeLineList":{"max":20,"member":"CodeLine","min":1,"type":"list"},
"CodeRepositoryDetails":{"members":{"integrationArn":"CodeRepositoryIntegrationArn",
    "projectName":"CodeRepositoryProjectName","providerType":"CodeRepositoryProviderType"},
    "type":"structure"},
"CodeRepositoryIntegrationArn":{"type":"string"},
"CodeRepositoryProjectName":{"max":512,"min":1,"type":"string"},
"CodeRepositoryProviderType":{"enum":["GITHUB","GITLAB_SELF_MANAGED"],"type":"string"},
"CodeSnippetResult":{"members":{"codeSnippet":"CodeLineList","endLine":"Integer",
    "findingArn":"FindingArn","startLine":"Integer","suggestedFixes":"SuggestedFixes"},
    "type":"structure"},
"CodeVulnerabilityDetails":{"members":{"cwes":"CweList","detectorId":"NonEmptyString",
    "detectorName":"NonEmptyString","detectorTags":"DetectorTagList","filePath":"CodeFilePath",
    "referenceUrls":"ReferenceUrls","ruleId":"NonEmptyString",
    "sourceLambdaLayerArn":"LambdaLayerArn"},"required":["filePath","detectorId","detectorName",
    "cwes"],"type":"structure"},
"Component":{"type":"string"},
"ComponentArn":{"type":"string"},
"ComponentType":{"type":"string"},
"CvssScore":{"members":{"baseScore":"Double","scoringVector":"NonEmptyString",
    "source":"NonEmptyString","version":"NonEmptyString"},"required":["baseScore",
    "scoringVector","version","source"],"type":"structure"},
"CvssScoreAdjustment":{"members":{"metric":"NonEmptyString","reason":"NonEmptyString"},
    "required":["metric","reason"],"type":"structure"},
"CvssScoreAdjustmentList":{"member":"CvssScoreAdjustment","type":"list"},
"CvssScoreDetails":{"members":{"adjustments":"CvssScoreAdjustmentList",
    "cvssSource":"NonEmptyString","score":"Double","scoreSource":"NonEmptyString",
    "scoringVector":"NonEmptyString","version":"NonEmptyString"},"required":["scoreSource",
    "version","score","scoringVector"],"type":"structure"},
"CvssScoreList":{"member":"CvssScore","type":"list"},
"CweList":{"max":10,"member":"NonEmptyString","min":1,"type":"list"},
"DateTimeTimestamp":{"type":"timestamp"},
"DetectorTagList":{"max":10,"member":"NonEmptyString","min":1,"type":"list"},
"Double":{"type":"double"},
"EpssDetails":{"members":{"score":"EpssScoreValue"},"type":"structure"},
"EpssScoreValue":{"max":1.0,"min":0.0,"type":"double"},
"ExecutionRoleArn":{"type":"string"},
"ExploitAvailable":{"enum":["YES","NO"],"type":"string"},
"ExploitabilityDetails":{"members":{"lastKnownExploitAt":"DateTimeTimestamp"},
    "type":"structure"},
"FilePath":{"max":1024,"min":1,"type":"string"},
"Finding":{"members":{"awsAccountId":"AccountId",
    "codeVulnerabilityDetails":"CodeVulnerabilityDetails","description":"FindingDescription",
    "epss":"EpssDetails","exploitAvailable":"ExploitAvailable",
    "exploitabilityDetails":"ExploitabilityDetails","findingArn":"FindingArn",
    "firstObservedAt":"DateTimeTimestamp","fixAvailable":"FixAvailable",
    "inspectorScore":"Double","inspectorScoreDetails":"InspectorScoreDetails",
    "lastObservedAt":"DateTimeTimestamp",
    "networkReachabilityDetails":"NetworkReachabilityDetails",
    "packageVulnerabilityDetails":"PackageVulnerabilityDetails","remediation":"Remediation",
    "resources":"ResourceList","severity":"Severity","status":"FindingStatus",
    "title":"FindingTitle","type":"FindingType","updatedAt":"DateTimeTimestamp"},
    "required":["findingArn","awsAccountId","type","description","remediation","severity",
    "firstObservedAt","lastObservedAt","status","resources"],"type":"structure"},
"FindingArn":{"max":100,"min":1,"type":"string"},
"FindingDescription":{"max":1024,"min":1,"type":"string"},
"FindingStatus":{"enum":["ACTIVE","SUPPRESSED","CLOSED"],"type":"string"},
"FindingTitle":{"max":1024,"min":1,"type":"string"},
"FindingType":{"enum":["NETWORK_REACHABILITY","PACKAGE_VULNERABILITY","CODE_VULNERABILITY"],
    "type":"string"},
"FixAvailable":{"enum":["YES","NO","PARTIAL"],"type":"string"},
"FunctionName":{"type":"string"},
"ImageHash":{"max":71,"min":71,"type":"string"},
"ImageTagList":{"member":"NonEmptyString","type":"list"},
"InspectorScoreDetails":{"members":{"adjustedCvss":"CvssScoreDetails"},"type":"structure"},
"Integer":{"type":"integer"},
"IpV4Address":{"max":15,"min":7,"type":"string"},
"IpV4AddressList":{"member":"IpV4Address","type":"list"},
"IpV6Address":{"max":47,"min":1,"type":"string"},
"IpV6AddressList":{"member":"IpV6Address","type":"list"},
"LambdaLayerArn":{"type":"string"},
"LambdaVpcConfig":{"members":{"securityGroupIds":"SecurityGroupIdList",
    "subnetIds":"SubnetIdList","vpcId":"VpcId"},"type":"structure"},
"LayerList":{"max":5,"member":"LambdaLayerArn","min":1,"type":"list"},
"Long":{"type":"long"},
"MapKey":{"max":128,"min":1,"type":"string"},
"MapValue":{"max":256,"min":0,"type":"string"},
"NetworkPath":{"members":{"steps":"StepList"},"type":"structure"},
"NetworkProtocol":{"enum":["TCP","UDP"],"type":"string"},
"NetworkReachabilityDetails":{"members":{"networkPath":"NetworkPath",
    "openPortRange":"PortRange","protocol":"NetworkProtocol"},"required":["openPortRange",
    "protocol","networkPath"],"type":"structure"},
"NonEmptyString":{"min":1,"type":"string"},
"NonEmptyStringList":{"member":"NonEmptyString","type":"list"},
"PackageArchitecture":{"max":64,"min":1,"type":"string"},
"PackageEpoch":{"type":"integer"},
"PackageManager":{"enum":["BUNDLER","CARGO","COMPOSER","NPM","NUGET","PIPENV","POETRY","YARN",
    "GOBINARY","GOMOD","JAR","OS","PIP","PYTHONPKG","NODEPKG","POM","GEMSPEC","DOTNET_CORE"],
    "type":"string"},
"PackageName":{"max":1024,"min":1,"type":"string"},
"PackageRelease":{"max":1024,"min":1,"type":"string"},
"PackageType":{"enum":["IMAGE","ZIP"],"type":"string"},
"PackageVersion":{"max":1024,"min":1,"type":"string"},
"PackageVulnerabilityDetails":{"members":{"cvss":"CvssScoreList",
    "referenceUrls":"NonEmptyStringList","relatedVulnerabilities":"VulnerabilityIdList",
    "source":"NonEmptyString","sourceUrl":"NonEmptyString",
    "vendorCreatedAt":"DateTimeTimestamp","vendorSeverity":"NonEmptyString",
    "vendorUpdatedAt":"DateTimeTimestamp","vulnerabilityId":"VulnerabilityId",
    "vulnerablePackages":"VulnerablePackageList"},"required":["vulnerabilityId","source"],
    "type":"structure"},
"Platform":{"max":1024,"min":1,"type":"string"},
"Port":{"max":65535,"min":0,"type":"integer"},
"PortRange":{"members":{"begin":"Port","end":"Port"},"required":["begin","end"],
    "type":"structure"},
"Recommendation":{"members":{"Url":"NonEmptyString","text":"NonEmptyString"},
    "type":"structure"},
"ReferenceUrls":{"max":10,"member":"NonEmptyString","min":1,"type":"list"},
"Remediation":{"members":{"recommendation":"Recommendation"},"type":"structure"},
"Resource":{"members":{"details":"ResourceDetails","id":"NonEmptyString",
    "partition":"NonEmptyString","region":"NonEmptyString","tags":"TagMap",
    "type":"ResourceType"},"required":["type","id"],"type":"structure"},
"ResourceDetails":{"members":{"awsEc2Instance":"AwsEc2InstanceDetails",
    "awsEcrContainerImage":"AwsEcrContainerImageDetails",
    "awsLambdaFunction":"AwsLambdaFunctionDetails","codeRepository":"CodeRepositoryDetails"},
    "type":"structure"},
"ResourceList":{"max":10,"member":"Resource","min":1,"type":"list"},
"ResourceType":{"enum":["AWS_EC2_INSTANCE","AWS_ECR_CONTAINER_IMAGE","AWS_ECR_REPOSITORY",
    "AWS_LAMBDA_FUNCTION","CODE_REPOSITORY"],"type":"string"},
"Runtime":{"enum":["NODEJS","NODEJS_12_X","NODEJS_14_X","NODEJS_16_X","JAVA_8","JAVA_8_AL2",
    "JAVA_11","PYTHON_3_7","PYTHON_3_8","PYTHON_3_9","UNSUPPORTED","NODEJS_18_X","GO_1_X",
    "JAVA_17","PYTHON_3_10","PYTHON_3_11","DOTNETCORE_3_1","DOTNET_6","DOTNET_7","RUBY_2_7",
    "RUBY_3_2","DOTNET_10","NODEJS_24_X"],"type":"string"},
"SecurityGroupId":{"type":"string"},
"SecurityGroupIdList":{"max":5,"member":"SecurityGroupId","min":0,"type":"list"},
"Severity":{"enum":["INFORMATIONAL","LOW","MEDIUM","HIGH","CRITICAL","UNTRIAGED"],
    "type":"string"},
"SourceLayerHash":{"max":71,"min":71,"type":"string"},
"Step":{"members":{"componentArn":"ComponentArn","componentId":"Component",
    "componentType":"ComponentType"},"required":["componentId","componentType"],
    "type":"structure"},
"StepList":{"max":30,"member":"Step","min":1,"type":"list"},
"String":{"type":"string"},
"SubnetId":{"type":"string"},
"SubnetIdList":{"max":16,"member":"SubnetId","min":0,"type":"list"},
"SuggestedFix":{"members":{"code":"SuggestedFixCodeString",
    "description":"SuggestedFixDescriptionString"},"type":"structure"},
"SuggestedFixCodeString":{"max":2500,"min":1,"type":"string"},
"SuggestedFixDescriptionString":{"max":1000,"min":1,"type":"string"},
"SuggestedFixes":{"max":5,"member":"SuggestedFix","min":1,"type":"list"},
"TagMap":{"key":"MapKey","type":"map","value":"MapValue"},
"Timestamp":{"type":"timestamp"},
"Version":{"type":"string"},
"VpcId":{"type":"string"},
"VulnerabilityId":{"max":128,"min":1,"type":"string"},
"VulnerabilityIdList":{"member":"VulnerabilityId","type":"list"},
"VulnerablePackage":{"members":{"arch":"PackageArchitecture","epoch":"PackageEpoch",
    "filePath":"FilePath","fixedInVersion":"PackageVersion","name":"PackageName",
    "packageManager":"PackageManager","release":"PackageRelease",
    "remediation":"VulnerablePackageRemediation","sourceLambdaLayerArn":"LambdaLayerArn",
    "sourceLayerHash":"SourceLayerHash","version":"PackageVersion"},"required":["name",
    "version"],"type":"structure"},
"VulnerablePackageList":{"member":"VulnerablePackage","type":"list"},
"VulnerablePackageRemediation":{"max":1024,"min":1,"type":"string"}
}
)JSON";

// Checks values against kInspectorShapes: type, enum, length and range, required members, no
// unknown member; and records which member paths occur.
class ShapeChecker {
  public:
    ShapeChecker() : shapes_(json::parse(kInspectorShapes)) {}

    void check(const std::string& shape, const json& value, const std::string& path) {
        seen_.insert(path);
        const json& s = shapes_.at(shape);
        const std::string type = s.at("type");
        const auto fail = [&](const std::string& why) {
            if (errors_.size() < 40)
                errors_.push_back(path + ": " + why + ": " + value.dump().substr(0, 120));
        };
        const auto within = [&](double n) {
            return n >= s.value("min", -1e300) && n <= s.value("max", 1e300);
        };
        if (type == "structure") {
            if (!value.is_object()) return fail("not an object");
            for (const auto& name : s.value("required", json::array())) {
                if (!value.contains(name.get<std::string>()))
                    fail("lacks required " + name.get<std::string>());
            }
            for (const auto& [name, member] : value.items()) {
                const auto it = s.at("members").find(name);
                if (it == s.at("members").end()) {
                    fail("unknown member " + name);
                    continue;
                }
                check(*it, member, path + "." + name);
            }
        } else if (type == "list") {
            if (!value.is_array()) return fail("not a list");
            if (!within(static_cast<double>(value.size()))) fail("list length");
            for (const auto& item : value) check(s.at("member"), item, path + "[]");
        } else if (type == "map") {
            if (!value.is_object()) return fail("not a map");
            for (const auto& [key, item] : value.items()) {
                if (!item.is_string()) fail("map value " + key + " is no string");
            }
        } else if (type == "string") {
            if (!value.is_string()) return fail("not a string");
            const std::string& text = value.get_ref<const std::string&>();
            const auto characters = std::count_if(text.begin(), text.end(), [](char c) {
                return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
            });
            if (!within(static_cast<double>(characters))) fail("length");
            if (s.contains("enum") &&
                std::find(s["enum"].begin(), s["enum"].end(), value) == s["enum"].end()) {
                fail("not in enum");
            }
        } else if (type == "integer" || type == "long") {
            if (!value.is_number_integer()) fail("not an integer");
        } else if (type == "double" || type == "timestamp") {
            if (!value.is_number()) return fail("not a number");
            if (!within(value.get<double>())) fail("out of range");
        } else if (type == "boolean") {
            if (!value.is_boolean()) fail("not a boolean");
        } else {
            fail("unexpected shape type " + type);
        }
    }

    // The member paths under `shape` that no checked value had.
    std::vector<std::string> missing(const std::string& shape, const std::string& path) const {
        std::vector<std::string> out;
        if (seen_.count(path) == 0) out.push_back(path);
        const json& s = shapes_.at(shape);
        if (s.at("type") == "structure") {
            for (const auto& [name, member] : s.at("members").items()) {
                for (auto& p : missing(member, path + "." + name)) out.push_back(std::move(p));
            }
        } else if (s.at("type") == "list") {
            for (auto& p : missing(s.at("member"), path + "[]")) out.push_back(std::move(p));
        }
        return out;
    }

    const std::vector<std::string>& errors() const { return errors_; }

  private:
    json shapes_;
    std::vector<std::string> errors_;
    std::set<std::string> seen_;
};

std::map<std::string, json> by_arn(const std::vector<json>& findings) {
    std::map<std::string, json> out;
    for (const auto& f : findings) out[f.at("findingArn").get<std::string>()] = f;
    return out;
}

}  // namespace

TEST_CASE("generated findings and snippets fit the inspector2 model and use every member",
          "[inspector_generator]") {
    InspectorGenerateOptions options;
    options.count = 400;
    options.regions = {"us-east-1", "eu-central-1", "us-gov-west-1"};
    options.accounts = {"111111111111", "222222222222"};
    options.types = {1, 1, 1};
    const auto findings = generate_inspector_findings(options);
    std::vector<json> snippets;
    for (const auto& f : findings) {
        if (auto snippet = generate_code_snippet(f, 5)) snippets.push_back(std::move(*snippet));
    }
    ShapeChecker checker;
    for (const auto& f : findings) checker.check("Finding", f, "Finding");
    for (const auto& snippet : snippets) {
        checker.check("CodeSnippetResult", snippet, "CodeSnippetResult");
    }
    CHECK(checker.errors() == std::vector<std::string>{});
    CHECK(checker.missing("Finding", "Finding") == std::vector<std::string>{});
    CHECK(checker.missing("CodeSnippetResult", "CodeSnippetResult") == std::vector<std::string>{});

    // The other types' details are absent from each type, and some optional members too.
    std::size_t without_updated = 0, without_title = 0, repeated_tags = 0, empty_tags = 0;
    for (const auto& f : findings) {
        const std::string type = f.at("type");
        CHECK(f.contains("codeVulnerabilityDetails") == (type == "CODE_VULNERABILITY"));
        CHECK(f.contains("packageVulnerabilityDetails") == (type == "PACKAGE_VULNERABILITY"));
        CHECK(f.contains("networkReachabilityDetails") == (type == "NETWORK_REACHABILITY"));
        without_updated += !f.contains("updatedAt");
        without_title += !f.contains("title");
        if (f.contains("codeVulnerabilityDetails") &&
            f["codeVulnerabilityDetails"].contains("detectorTags")) {
            const auto tags = f["codeVulnerabilityDetails"]["detectorTags"];
            repeated_tags += std::set<json>(tags.begin(), tags.end()).size() < tags.size();
        }
        for (const auto& r : f.at("resources"))
            empty_tags += r.contains("tags") && r["tags"].empty();
    }
    CHECK(without_updated > 0);
    CHECK(without_title > 0);
    CHECK(repeated_tags > 0);
    CHECK(empty_tags > 0);
}

TEST_CASE(
    "generation is deterministic per seed, with ARNs naming the finding's region and "
    "account and timestamps in three forms",
    "[inspector_generator]") {
    InspectorGenerateOptions options;
    options.count = 150;
    options.regions = {"us-east-1", "cn-north-1"};
    options.accounts = {"111111111111", "222222222222"};
    const auto a = generate_inspector_findings(options);
    CHECK(a == generate_inspector_findings(options));
    options.seed = 2;
    CHECK(a != generate_inspector_findings(options));
    options.count = 0;
    CHECK(generate_inspector_findings(options).empty());

    std::set<std::string> arns;
    std::map<std::pair<std::string, std::string>, std::size_t> per_pair;
    std::size_t integers = 0, millis = 0, micros = 0;
    std::map<std::string, std::size_t> types;
    for (const auto& f : a) {
        const std::string arn = f.at("findingArn");
        arns.insert(arn);
        const std::string region = region_in_arn(f);
        const std::string account = f.at("awsAccountId");
        const std::string partition = region.rfind("cn-", 0) == 0 ? "aws-cn" : "aws";
        const std::string prefix =
            "arn:" + partition + ":inspector2:" + region + ":" + account + ":finding/";
        CHECK(arn.rfind(prefix, 0) == 0);
        const std::string id = arn.substr(prefix.size());
        CHECK(id.size() == 32);
        CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
        ++per_pair[{region, account}];
        ++types[f.at("type")];
        for (const char* key : {"firstObservedAt", "lastObservedAt", "updatedAt"}) {
            if (!f.contains(key)) continue;
            const json& t = f[key];
            REQUIRE(t.is_number());
            const std::string text = t.dump();
            const auto dot = text.find('.');
            if (t.is_number_integer()) {
                ++integers;
            } else if (text.size() - dot - 1 <= 3) {
                ++millis;
            } else {
                ++micros;
            }
        }
        CHECK(f.at("firstObservedAt").get<double>() <= f.at("lastObservedAt").get<double>());
    }
    CHECK(arns.size() == a.size());
    CHECK(per_pair.size() == 4);
    for (const auto& [pair, n] : per_pair) CHECK(n > 30);
    CHECK(integers > 30);
    CHECK(millis > 30);
    CHECK(micros > 30);
    CHECK(types["CODE_VULNERABILITY"] > types["PACKAGE_VULNERABILITY"]);
    CHECK(types["PACKAGE_VULNERABILITY"] > types["NETWORK_REACHABILITY"]);
    CHECK(types["NETWORK_REACHABILITY"] > 0);

    options.seed = 1;
    options.count = 30;
    options.types = {1, 0, 0};
    options.full_text = true;
    for (const auto& f : generate_inspector_findings(options)) {
        CHECK(f.at("type") == "CODE_VULNERABILITY");
        CHECK(f.at("description").get<std::string>().size() > 900);
    }
}

TEST_CASE(
    "code snippets surround the finding's line, repeat a line number now and then and "
    "change with the finding's version",
    "[inspector_generator]") {
    InspectorGenerateOptions options;
    options.count = 200;
    options.types = {1, 0, 0};
    std::size_t repeated = 0;
    for (const auto& f : generate_inspector_findings(options)) {
        const auto snippet = generate_code_snippet(f, 9);
        REQUIRE(snippet);
        CHECK(*snippet == *generate_code_snippet(f, 9));
        CHECK(snippet->at("findingArn") == f.at("findingArn"));
        const auto line = f["codeVulnerabilityDetails"]["filePath"]["startLine"].get<int>();
        const int start = snippet->at("startLine");
        const int end = snippet->at("endLine");
        CHECK(start <= line);
        CHECK(line <= end);
        std::set<int> numbers;
        for (const auto& l : snippet->at("codeSnippet")) {
            const int n = l.at("lineNumber");
            CHECK(n >= start);
            CHECK(n <= end);
            repeated += !numbers.insert(n).second;
        }
        CHECK(numbers.size() == static_cast<std::size_t>(end - start + 1));
        CHECK(!snippet->at("suggestedFixes").empty());

        json newer = f;
        newer["updatedAt"] = 1770000000.5;
        CHECK(generate_code_snippet(newer, 9)->at("codeSnippet") != snippet->at("codeSnippet"));
    }
    CHECK(repeated > 10);
    CHECK(repeated < 80);

    options.types = {0, 1, 1};
    options.count = 10;
    for (const auto& f : generate_inspector_findings(options)) CHECK(!generate_code_snippet(f, 9));
}

TEST_CASE("evolve changes, closes, removes and adds what its summary says",
          "[inspector_generator]") {
    InspectorGenerateOptions options;
    options.count = 200;
    options.regions = {"us-east-1", "eu-west-1"};
    options.accounts = {"111111111111", "222222222222"};
    const auto before = generate_inspector_findings(options);
    auto after = before;
    const auto now =
        std::chrono::system_clock::time_point(std::chrono::microseconds(1760000000123456));
    const auto summary = codeguru::test::evolve_inspector_findings(
        after, 5, {.changed = 0.1, .closed = 0.05, .removed = 0.02, .added = 0.03}, now);
    CHECK(summary.changed_arns.size() == 20);
    CHECK(summary.closed_arns.size() == 10);
    CHECK(summary.removed_arns.size() == 4);
    CHECK(summary.added_arns.size() == 6);
    CHECK(after.size() == 202);

    const auto old = by_arn(before);
    const auto current = by_arn(after);
    const json now_json = 1760000000.123456;
    for (const auto& arn : summary.changed_arns) {
        const json& f = current.at(arn);
        CHECK(f.at("updatedAt") == now_json);
        CHECK(f.at("severity") != old.at(arn).at("severity"));
        CHECK(f.at("title") != old.at(arn).value("title", json()));
        CHECK(f.at("status") == old.at(arn).at("status"));
    }
    for (const auto& arn : summary.closed_arns) {
        CHECK(current.at(arn).at("status") == "CLOSED");
        CHECK(old.at(arn).at("status") != "CLOSED");
        CHECK(current.at(arn).at("updatedAt") == now_json);
    }
    for (const auto& arn : summary.removed_arns) CHECK(current.count(arn) == 0);
    std::set<std::string> regions;
    for (const auto& arn : summary.added_arns) {
        const json& f = current.at(arn);
        CHECK(old.count(arn) == 0);
        CHECK(f.at("status") == "ACTIVE");
        CHECK(f.at("firstObservedAt") == now_json);
        regions.insert(region_in_arn(f));
        CHECK((f.at("awsAccountId") == "111111111111" || f.at("awsAccountId") == "222222222222"));
    }
    CHECK(regions.size() == 2);
    // Everything else is as it was, in the same order; the added ones come last.
    std::set<std::string> touched(summary.changed_arns.begin(), summary.changed_arns.end());
    touched.insert(summary.closed_arns.begin(), summary.closed_arns.end());
    std::size_t unchanged = 0;
    for (const auto& f : before) {
        const std::string arn = f.at("findingArn");
        if (touched.count(arn) == 0 && current.count(arn) == 1) {
            CHECK(current.at(arn) == f);
            ++unchanged;
        }
    }
    CHECK(unchanged == 200 - 20 - 10 - 4);
    CHECK(after.back().at("findingArn") == summary.added_arns.back());
    CHECK(codeguru::test::to_json(summary).at("added") == 6);

    // A `now` that is not later than a finding's updatedAt still makes a newer version.
    auto again = after;
    const auto early = codeguru::test::evolve_inspector_findings(
        again, 6, {.changed = 0.5, .closed = 0, .removed = 0, .added = 0},
        std::chrono::system_clock::time_point(std::chrono::seconds(1)));
    const auto was = by_arn(after);
    const auto is = by_arn(again);
    std::size_t compared = 0;
    for (const auto& arn : early.changed_arns) {
        if (!was.at(arn).contains("updatedAt")) continue;
        CHECK(is.at(arn).at("updatedAt").get<double>() > was.at(arn).at("updatedAt").get<double>());
        ++compared;
    }
    CHECK(compared > 50);
}
