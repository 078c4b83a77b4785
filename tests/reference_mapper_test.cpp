// The reference mapper (tests/support/reference_mapper) pinned by hand-written cases, so that
// the end-to-end tests that compare the daemon's tables with it compare with SPEC §2 and §5.
#include <catch2/catch.hpp>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "reference_mapper.hpp"

using namespace codeguru::test;
using nlohmann::json;

namespace {

const std::string kR = "\xEF\xBF\xBD";  // U+FFFD

ContractRows sorted(ContractRows rows) {
    for (auto& [table, table_rows] : rows) std::sort(table_rows.begin(), table_rows.end());
    return rows;
}

std::int64_t micros_of(const std::string& wire_json) {
    return reference_micros(json::parse(wire_json));
}

}  // namespace

TEST_CASE("the reference maps a finding with every member to every contract column and child") {
    const auto finding = json::parse(R"json({
        "id": "f-1", "createdAt": 1758000000, "updatedAt": 1758000000.872,
        "title": "SQL injection in a.py", "description": "User input reaches a query.",
        "type": "Vulnerability", "status": "Open", "severity": "High",
        "generatorId": "CodeGuruSecurity", "detectorId": "python/sql-injection@v1.0",
        "detectorName": "SQL injection", "detectorTags": ["sql", "injection", "sql"],
        "ruleId": "python-sql", "resource": {"id": "res-1", "subResourceId": "src/a.py"},
        "remediation": {"recommendation": {"text": "Bind parameters.", "url": "https://r"},
                        "suggestedFixes": [{"description": "bind", "code": "c(?, x)"},
                                           {"description": "validate", "code": "check(x)"}]},
        "vulnerability": {"id": "CWE-89-f1", "itemCount": 3,
                          "referenceUrls": ["https://u1", "https://u2"],
                          "relatedVulnerabilities": ["CWE-89"],
                          "filePath": {"name": "a.py", "path": "src/a.py", "startLine": 10,
                                       "endLine": 12,
                                       "codeSnippet": [{"number": 11, "content": "q(x)"},
                                                       {"number": 10, "content": "def f(x):"},
                                                       {"number": 11, "content": "again"}]}}})json");
    const ContractRow key = {{"scan_name", "scan-a"}, {"finding_id", "f-1"}};
    const auto row = [&](ContractRow more) {
        more.insert(key.begin(), key.end());
        return more;
    };
    const ContractRows expected = {
        {"findings",
         {row({{"created_at", "1758000000000000"},
               {"updated_at", "1758000000872000"},
               {"title", "SQL injection in a.py"},
               {"description", "User input reaches a query."},
               {"type", "Vulnerability"},
               {"status", "Open"},
               {"severity", "High"},
               {"generator_id", "CodeGuruSecurity"},
               {"detector_id", "python/sql-injection@v1.0"},
               {"detector_name", "SQL injection"},
               {"rule_id", "python-sql"},
               {"resource_id", "res-1"},
               {"sub_resource_id", "src/a.py"},
               {"vulnerability_id", "CWE-89-f1"},
               {"item_count", "3"},
               {"file_name", "a.py"},
               {"file_path", "src/a.py"},
               {"start_line", "10"},
               {"end_line", "12"},
               {"recommendation_text", "Bind parameters."},
               {"recommendation_url", "https://r"},
               {"missing_since", std::nullopt}})}},
        {"finding_versions",
         {row({{"updated_at", "1758000000872000"},
               {"status", "Open"},
               {"severity", "High"},
               {"title", "SQL injection in a.py"}})}},
        {"finding_detector_tags", {row({{"tag", "sql"}}), row({{"tag", "injection"}})}},
        {"finding_code_lines",
         {row({{"line_number", "11"}, {"content", "q(x)"}}),
          row({{"line_number", "10"}, {"content", "def f(x):"}})}},
        {"finding_suggested_fixes",
         {row({{"ordinal", "1"}, {"description", "bind"}, {"code", "c(?, x)"}}),
          row({{"ordinal", "2"}, {"description", "validate"}, {"code", "check(x)"}})}},
        {"finding_reference_urls",
         {row({{"ordinal", "1"}, {"url", "https://u1"}}),
          row({{"ordinal", "2"}, {"url", "https://u2"}})}},
        {"finding_related_vulnerabilities", {row({{"ordinal", "1"}, {"related_id", "CWE-89"}})}},
    };
    CHECK(reference_rows("scan-a", {finding}) == sorted(expected));
}

TEST_CASE("the reference maps a finding with nothing but an id to NULLs and no children") {
    const auto bare = reference_finding(json::parse(R"({"id": "bare"})"));
    REQUIRE(bare);
    CHECK(bare->id == "bare");
    CHECK_FALSE(bare->created_at_us);
    CHECK_FALSE(bare->updated_at_us);  // the time of the sync, which only the sync knows
    CHECK(bare->text.size() == 16);
    CHECK(
        std::all_of(bare->text.begin(), bare->text.end(), [](const auto& c) { return !c.second; }));
    CHECK(bare->integers.size() == 3);
    CHECK(std::all_of(bare->integers.begin(), bare->integers.end(),
                      [](const auto& c) { return !c.second; }));
    CHECK(bare->tags.empty());
    CHECK(bare->code_lines.empty());
    CHECK(bare->fixes.empty());
    CHECK(bare->reference_urls.empty());
    CHECK(bare->related.empty());
    CHECK_THROWS_AS(reference_rows("s", {json::parse(R"({"id": "bare"})")}), std::invalid_argument);

    // With createdAt only, updated_at is createdAt.
    const auto rows = reference_rows("s", {json::parse(R"({"id": "c", "createdAt": 1758000000})")});
    REQUIRE(rows.at("findings").size() == 1);
    const auto& f = rows.at("findings")[0];
    CHECK(f.at("created_at") == "1758000000000000");
    CHECK(f.at("updated_at") == "1758000000000000");
    CHECK(f.at("title") == std::nullopt);
    CHECK(f.at("item_count") == std::nullopt);
    CHECK(f.size() == 24);
    CHECK(rows.at("finding_versions").size() == 1);
    CHECK(rows.at("finding_detector_tags").empty());
    CHECK(rows.at("finding_code_lines").empty());

    // No id: rejected by the sync, so no rows.
    CHECK(reference_rows("s", {json::parse(R"({"title": "no id", "createdAt": 1})")})
              .at("findings")
              .empty());
}

TEST_CASE("the reference keeps timestamps to the microsecond, rounded to the nearest") {
    CHECK(micros_of("1758000000.872") == 1758000000872000);
    CHECK(micros_of("1758000000.5") == 1758000000500000);
    CHECK(micros_of("1758000000") == 1758000000000000);
    CHECK(micros_of("1758000000.123456789") == 1758000000123457);
    CHECK(micros_of("0.0000014") == 1);
    CHECK(micros_of("-1.5") == -1500000);
    CHECK(micros_of("1.758e9") == 1758000000000000);
    CHECK(micros_of(R"("2025-09-16T05:20:00Z")") == 1758000000000000);
    CHECK(micros_of(R"("2025-09-16T05:20:00.872Z")") == 1758000000872000);
    CHECK(micros_of(R"("2025-09-16T07:20:00.0000005+02:00")") == 1758000000000001);
    CHECK(micros_of(R"("2025-09-16T00:20:00-0500")") == 1758000000000000);
    CHECK(micros_of(R"("2025-09-16T05:20:00")") == 1758000000000000);
    CHECK_THROWS_AS(micros_of(R"("16/09/2025")"), std::invalid_argument);
    CHECK_THROWS_AS(micros_of("true"), std::invalid_argument);
}

TEST_CASE("the reference replaces NUL and each byte of invalid UTF-8 with U+FFFD") {
    CHECK(reference_text(std::string("a\0b", 3)) == "a" + kR + "b");
    CHECK(reference_text("\xff") == kR);                                     // never a lead byte
    CHECK(reference_text("over\xc0\xaflong") == "over" + kR + kR + "long");  // overlong '/'
    CHECK(reference_text("\xed\xa0\x80") == kR + kR + kR);                   // a surrogate
    CHECK(reference_text("cut\xe2\x82") == "cut" + kR + kR);                 // truncated
    CHECK(reference_text("\xf4\x90\x80\x80") == kR + kR + kR + kR);          // above U+10FFFF
    CHECK(reference_text("\x80stray") == kR + "stray");                      // a continuation
    CHECK(reference_text("Ünïcödé 日本語 🚀 \xf4\x8f\xbf\xbf") ==
          "Ünïcödé 日本語 🚀 \xf4\x8f\xbf\xbf");
    // Applied to every text column and child, the finding id included.
    const auto rows = reference_rows("s", {json{{"id", std::string("n\0", 2)},
                                                {"createdAt", 1},
                                                {"title", "t\xff"},
                                                {"detectorTags", {"a\xfe", "a\xff"}}}});
    REQUIRE(rows.at("findings").size() == 1);
    CHECK(rows.at("findings")[0].at("finding_id") == "n" + kR);
    CHECK(rows.at("findings")[0].at("title") == "t" + kR);
    // Both tags are stored as "a" + U+FFFD: once.
    CHECK(rows.at("finding_detector_tags").size() == 1);
}

TEST_CASE("the reference refuses members of the wrong type and repeated ids, naming them") {
    const auto refused = [](const json& finding) {
        try {
            reference_rows("s", {finding});
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(refused(json::parse(R"({"id": "x", "createdAt": 1, "title": 42})")),
               Catch::Contains("title is not a string"));
    CHECK_THAT(refused(json::parse(R"({"id": "x", "createdAt": 1, "resource": "r"})")),
               Catch::Contains("resource is not an object"));
    CHECK_THAT(refused(json::parse(R"({"id": "x", "createdAt": 1, "detectorTags": [1]})")),
               Catch::Contains("detectorTags"));
    CHECK_THAT(refused(json::parse(R"({"id": "x", "createdAt": 1,
                                      "vulnerability": {"itemCount": "3"}})")),
               Catch::Contains("item_count is not an integer"));
    const auto twice = json::parse(R"({"id": "x", "createdAt": 1})");
    CHECK_THROWS_WITH(reference_rows("s", {twice, twice}), Catch::Contains("x is repeated"));
}
