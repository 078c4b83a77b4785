#include "codeguru/timestamp.hpp"
#include "store/finding_rows.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

using codeguru::CodeLine;
using codeguru::FilePath;
using codeguru::Finding;
using codeguru::Timestamp;
using codeguru::Vulnerability;
using codeguru::format_timestamp;
using codeguru::store::page_to_rows;
using codeguru::store::RowStats;
using nlohmann::json;

namespace {

Timestamp at_us(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

const Timestamp kSyncTime = at_us(1'760'000'000'000'000);

json one_row(const Finding& finding, RowStats* stats_out = nullptr) {
    RowStats stats;
    const json rows = page_to_rows("scan-a", {finding}, kSyncTime, stats);
    if (stats_out != nullptr) *stats_out = stats;
    REQUIRE(rows.size() == 1);
    return rows[0];
}

Finding with_id(const std::string& id) {
    Finding finding;
    finding.id = id;
    return finding;
}

}  // namespace

TEST_CASE("timestamps render in UTC with exactly six fractional digits", "[finding_rows]") {
    struct Case {
        std::int64_t microseconds;
        const char* text;
    };
    const std::vector<Case> cases = {
        {0, "1970-01-01 00:00:00.000000+00"},
        {1'758'000'000'872'000, "2025-09-16 05:20:00.872000+00"},
        {1'758'000'000'000'001, "2025-09-16 05:20:00.000001+00"},
        {1'758'000'000'999'999, "2025-09-16 05:20:00.999999+00"},
        {951'782'400'000'000, "2000-02-29 00:00:00.000000+00"},
        {-1, "1969-12-31 23:59:59.999999+00"},
        {253'402'300'799'999'999, "9999-12-31 23:59:59.999999+00"},
    };
    for (const auto& c : cases) {
        INFO(c.microseconds);
        CHECK(format_timestamp(at_us(c.microseconds)) == c.text);
    }
}

TEST_CASE("updated_at falls back to createdAt, then to the sync time", "[finding_rows]") {
    struct Case {
        const char* name;
        std::optional<Timestamp> created_at;
        std::optional<Timestamp> updated_at;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"both", at_us(1'000'000), at_us(2'000'000), "1970-01-01 00:00:02.000000+00"},
        {"only createdAt", at_us(1'000'000), std::nullopt, "1970-01-01 00:00:01.000000+00"},
        {"only updatedAt", std::nullopt, at_us(3'000'000), "1970-01-01 00:00:03.000000+00"},
        {"neither", std::nullopt, std::nullopt, format_timestamp(kSyncTime)},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Finding finding = with_id("f");
        finding.created_at = c.created_at;
        finding.updated_at = c.updated_at;
        const json row = one_row(finding);
        CHECK(row["updated_at"] == c.expected);
        if (c.created_at) {
            CHECK(row["created_at"] == format_timestamp(*c.created_at));
        } else {
            CHECK(row["created_at"].is_null());
        }
    }
}

TEST_CASE("findings without an id are skipped and counted, the rest of the page goes on",
          "[finding_rows]") {
    std::vector<Finding> page = {Finding{}, with_id("a"), Finding{}, with_id("b")};
    page[0].title = "no id";
    RowStats stats;

    const json rows = page_to_rows("scan-a", page, kSyncTime, stats);

    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["finding_id"] == "a");
    CHECK(rows[1]["finding_id"] == "b");
    CHECK(stats.rejected == 2);
}

TEST_CASE("absent members become null and absent lists empty arrays", "[finding_rows]") {
    const json row = one_row(with_id("bare"));

    for (const char* column :
         {"created_at",       "title",      "description",         "type",
          "status",           "severity",   "generator_id",        "detector_id",
          "detector_name",    "rule_id",    "resource_id",         "sub_resource_id",
          "vulnerability_id", "item_count", "file_name",           "file_path",
          "start_line",       "end_line",   "recommendation_text", "recommendation_url"}) {
        INFO(column);
        REQUIRE(row.contains(column));
        CHECK(row[column].is_null());
    }
    for (const char* list : {"detector_tags", "code_lines", "suggested_fixes", "reference_urls",
                             "related_vulnerabilities"}) {
        INFO(list);
        CHECK(row[list] == json::array());
    }
}

TEST_CASE("nested members map to their columns", "[finding_rows]") {
    Finding finding = with_id("f1");
    finding.title = "SQL injection";
    finding.description = "desc";
    finding.type = "Code";
    finding.status = "Open";
    finding.severity = "High";
    finding.generator_id = "gen";
    finding.detector_id = "det";
    finding.detector_name = "Detector";
    finding.rule_id = "rule";
    finding.resource = codeguru::Resource{"res", "sub"};
    finding.remediation = codeguru::Remediation{
        codeguru::Recommendation{"fix it", "https://r"},
        std::vector<codeguru::SuggestedFix>{{"d1", "c1"}, {std::nullopt, "c2"}}};
    FilePath file{"app.py", "src/app.py", 10, 12, std::nullopt};
    finding.vulnerability =
        Vulnerability{"vuln", 3, std::vector<std::string>{"https://u1", "https://u2"},
                      std::vector<std::string>{"CWE-89"}, file};

    const json row = one_row(finding);

    const json expected_scalars = {
        {"finding_id", "f1"},
        {"title", "SQL injection"},
        {"description", "desc"},
        {"type", "Code"},
        {"status", "Open"},
        {"severity", "High"},
        {"generator_id", "gen"},
        {"detector_id", "det"},
        {"detector_name", "Detector"},
        {"rule_id", "rule"},
        {"resource_id", "res"},
        {"sub_resource_id", "sub"},
        {"vulnerability_id", "vuln"},
        {"item_count", 3},
        {"file_name", "app.py"},
        {"file_path", "src/app.py"},
        {"start_line", 10},
        {"end_line", 12},
        {"recommendation_text", "fix it"},
        {"recommendation_url", "https://r"},
    };
    for (const auto& [key, value] : expected_scalars.items()) {
        INFO(key);
        CHECK(row[key] == value);
    }
    CHECK(row["suggested_fixes"] == json::parse(R"([{"description":"d1","code":"c1"},
                                                    {"description":null,"code":"c2"}])"));
    CHECK(row["reference_urls"] == json::parse(R"(["https://u1","https://u2"])"));
    CHECK(row["related_vulnerabilities"] == json::parse(R"(["CWE-89"])"));
}

TEST_CASE("repeated tags and code line numbers keep the first, lines without a number are skipped",
          "[finding_rows]") {
    struct Case {
        const char* name;
        std::vector<std::string> tags;
        std::vector<CodeLine> lines;
        json expected_tags;
        json expected_lines;
    };
    const std::vector<Case> cases = {
        {"no repeats",
         {"a", "b"},
         {{1, "x"}, {2, "y"}},
         {"a", "b"},
         json::parse(R"([{"line_number":1,"content":"x"},{"line_number":2,"content":"y"}])")},
        {"repeats",
         {"b", "a", "b", "a"},
         {{5, "first"}, {4, "four"}, {5, "second"}},
         {"b", "a"},
         json::parse(
             R"([{"line_number":5,"content":"first"},{"line_number":4,"content":"four"}])")},
        {"no number",
         {},
         {{std::nullopt, "orphan"}, {7, std::nullopt}},
         json::array(),
         json::parse(R"([{"line_number":7,"content":null}])")},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Finding finding = with_id("f");
        finding.detector_tags = c.tags;
        finding.vulnerability = Vulnerability{};
        finding.vulnerability->file_path = FilePath{};
        finding.vulnerability->file_path->code_snippet = c.lines;
        const json row = one_row(finding);
        CHECK(row["detector_tags"] == c.expected_tags);
        CHECK(row["code_lines"] == c.expected_lines);
    }
}

TEST_CASE("NUL and invalid UTF-8 are replaced with U+FFFD and counted", "[finding_rows]") {
    struct Case {
        const char* name;
        std::string input;
        std::string stored;
        std::size_t replaced;
    };
    const std::vector<Case> cases = {
        {"valid unicode untouched", "Zürich \xF0\x9F\x94\x92", "Zürich \xF0\x9F\x94\x92", 0},
        {"NUL", std::string("a\0b", 3),
         "a\xEF\xBF\xBD"
         "b",
         1},
        {"lone continuation byte", "a\x80", "a\xEF\xBF\xBD", 1},
        {"invalid lead byte", "\xFFz", "\xEF\xBF\xBDz", 1},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Finding finding = with_id("f");
        finding.description = c.input;
        finding.detector_tags = std::vector<std::string>{c.input};
        RowStats stats;
        const json row = one_row(finding, &stats);
        CHECK(row["description"] == c.stored);
        CHECK(row["detector_tags"][0] == c.stored);
        CHECK(stats.sanitized == 2 * c.replaced);
        CHECK_NOTHROW(row.dump());
    }
}
