#include "sources/codeguru/page_columns.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/pg_array_literal.hpp"
#include "util/timestamp.hpp"

using codeguru::CodeLine;
using codeguru::FilePath;
using codeguru::Finding;
using codeguru::format_timestamp;
using codeguru::Timestamp;
using codeguru::Vulnerability;
using codeguru::store::page_to_columns;
using codeguru::store::PageColumns;
using codeguru::store::PgArrayLiteral;

namespace {

Timestamp at_us(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

const Timestamp kSyncTime = at_us(1'760'000'000'000'000);

PageColumns columns_of(const std::vector<Finding>& page) {
    return page_to_columns("scan-a", page, kSyncTime);
}

Finding with_id(const std::string& id) {
    Finding finding;
    finding.id = id;
    return finding;
}

}  // namespace

TEST_CASE("array literals quote every text element and escape only quote and backslash",
          "[page_columns]") {
    PgArrayLiteral array;
    CHECK(array.take() == "{}");

    array.add_text("plain");
    array.add_null();
    array.add_text("NULL");
    array.add_text("");
    array.add_text(R"(say "hi" \ {a,b} )");
    array.add_text("line\nbreak\ttab");
    CHECK(array.size() == 6);
    CHECK(array.take() ==
          "{\"plain\",NULL,\"NULL\",\"\",\"say \\\"hi\\\" \\\\ {a,b} \","
          "\"line\nbreak\ttab\"}");

    array.add_integer(-9'223'372'036'854'775'807 - 1);
    array.add_null();
    array.add_integer(42);
    CHECK(array.take() == "{-9223372036854775808,NULL,42}");
    CHECK(array.size() == 0);
}

TEST_CASE("timestamps render in UTC with exactly six fractional digits", "[page_columns]") {
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

TEST_CASE("updated_at falls back to createdAt, then to the sync time", "[page_columns]") {
    struct Case {
        const char* name;
        std::optional<Timestamp> created_at;
        std::optional<Timestamp> updated_at;
        std::string expected_updated;
        std::string expected_created;
    };
    const std::vector<Case> cases = {
        {"both", at_us(1'000'000), at_us(2'000'000), R"({"1970-01-01 00:00:02.000000+00"})",
         R"({"1970-01-01 00:00:01.000000+00"})"},
        {"only createdAt", at_us(1'000'000), std::nullopt, R"({"1970-01-01 00:00:01.000000+00"})",
         R"({"1970-01-01 00:00:01.000000+00"})"},
        {"only updatedAt", std::nullopt, at_us(3'000'000), R"({"1970-01-01 00:00:03.000000+00"})",
         "{NULL}"},
        {"neither", std::nullopt, std::nullopt, "{\"" + format_timestamp(kSyncTime) + "\"}",
         "{NULL}"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Finding finding = with_id("f");
        finding.created_at = c.created_at;
        finding.updated_at = c.updated_at;
        PageColumns columns = columns_of({finding});
        CHECK(columns.updated_at.take() == c.expected_updated);
        CHECK(columns.created_at.take() == c.expected_created);
    }
}

TEST_CASE("findings without an id are skipped and counted, the rest of the page goes on",
          "[page_columns]") {
    std::vector<Finding> page = {Finding{}, with_id("a"), Finding{}, with_id("b")};
    page[0].title = "no id";
    page[3].title = "bee";

    PageColumns columns = columns_of(page);

    CHECK(columns.findings == 2);
    CHECK(columns.rejected == 2);
    CHECK(columns.duplicates == 0);
    CHECK(columns.finding_id.take() == R"({"a","b"})");
    CHECK(columns.title.take() == R"({NULL,"bee"})");
}

TEST_CASE("repeated ids keep the newest updated_at, on a tie the later one, and are counted",
          "[page_columns]") {
    std::vector<Finding> page;
    const auto add = [&](const std::string& id, std::int64_t updated_s, const std::string& title) {
        Finding finding = with_id(id);
        finding.updated_at = at_us(updated_s * 1'000'000);
        finding.title = title;
        finding.detector_tags = std::vector<std::string>{title};
        page.push_back(finding);
    };
    add("a", 5, "a newest");
    add("b", 1, "b first");
    add("a", 3, "a older");
    add("c", 1, "c");
    add("b", 1, "b tie, later");
    add("b", 2, "b newest, last");

    PageColumns columns = columns_of(page);

    CHECK(columns.findings == 3);
    CHECK(columns.duplicates == 3);
    // Each winner keeps its own place in the page; children follow their finding.
    CHECK(columns.finding_id.take() == R"({"a","c","b"})");
    CHECK(columns.title.take() == R"({"a newest","c","b newest, last"})");
    CHECK(columns.tag.take() == R"({"a newest","c","b newest, last"})");
    CHECK(columns.tag_finding.take() == "{1,2,3}");
}

TEST_CASE("absent members become NULL elements and absent lists add no child rows",
          "[page_columns]") {
    PageColumns c = columns_of({with_id("bare")});

    for (PgArrayLiteral* column :
         {&c.created_at,       &c.title,      &c.description,         &c.type,
          &c.status,           &c.severity,   &c.generator_id,        &c.detector_id,
          &c.detector_name,    &c.rule_id,    &c.resource_id,         &c.sub_resource_id,
          &c.vulnerability_id, &c.item_count, &c.file_name,           &c.file_path,
          &c.start_line,       &c.end_line,   &c.recommendation_text, &c.recommendation_url}) {
        CHECK(column->take() == "{NULL}");
    }
    for (PgArrayLiteral* child :
         {&c.tag_finding, &c.tag, &c.tag_ordinal, &c.line_finding, &c.line_number, &c.line_content,
          &c.fix_finding, &c.fix_ordinal, &c.fix_description, &c.fix_code, &c.url_finding,
          &c.url_ordinal, &c.url, &c.related_finding, &c.related_ordinal, &c.related_id}) {
        CHECK(child->take() == "{}");
    }
}

TEST_CASE("nested members map to their columns and children name their finding's position",
          "[page_columns]") {
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

    PageColumns c = columns_of({with_id("f0"), finding});

    const std::vector<std::pair<PgArrayLiteral*, std::string>> expected = {
        {&c.finding_id, R"({"f0","f1"})"},
        {&c.title, R"({NULL,"SQL injection"})"},
        {&c.description, R"({NULL,"desc"})"},
        {&c.type, R"({NULL,"Code"})"},
        {&c.status, R"({NULL,"Open"})"},
        {&c.severity, R"({NULL,"High"})"},
        {&c.generator_id, R"({NULL,"gen"})"},
        {&c.detector_id, R"({NULL,"det"})"},
        {&c.detector_name, R"({NULL,"Detector"})"},
        {&c.rule_id, R"({NULL,"rule"})"},
        {&c.resource_id, R"({NULL,"res"})"},
        {&c.sub_resource_id, R"({NULL,"sub"})"},
        {&c.vulnerability_id, R"({NULL,"vuln"})"},
        {&c.item_count, "{NULL,3}"},
        {&c.file_name, R"({NULL,"app.py"})"},
        {&c.file_path, R"({NULL,"src/app.py"})"},
        {&c.start_line, "{NULL,10}"},
        {&c.end_line, "{NULL,12}"},
        {&c.recommendation_text, R"({NULL,"fix it"})"},
        {&c.recommendation_url, R"({NULL,"https://r"})"},
        {&c.fix_finding, "{2,2}"},
        {&c.fix_ordinal, "{1,2}"},
        {&c.fix_description, R"({"d1",NULL})"},
        {&c.fix_code, R"({"c1","c2"})"},
        {&c.url_finding, "{2,2}"},
        {&c.url_ordinal, "{1,2}"},
        {&c.url, R"({"https://u1","https://u2"})"},
        {&c.related_finding, "{2}"},
        {&c.related_ordinal, "{1}"},
        {&c.related_id, R"({"CWE-89"})"},
    };
    for (const auto& [column, literal] : expected) {
        INFO(literal);
        CHECK(column->take() == literal);
    }
}

TEST_CASE("repeated tags and code line numbers keep the first, lines without a number are skipped",
          "[page_columns]") {
    struct Case {
        const char* name;
        std::vector<std::string> tags;
        std::vector<CodeLine> lines;
        std::string tags_literal, tag_ordinals;
        std::string line_numbers, line_contents;
    };
    const std::vector<Case> cases = {
        {"no repeats",
         {"a", "b"},
         {{1, "x"}, {2, "y"}},
         R"({"a","b"})",
         "{1,2}",
         "{1,2}",
         R"({"x","y"})"},
        {"repeats",
         {"b", "a", "b", "a"},
         {{5, "first"}, {4, "four"}, {5, "second"}},
         R"({"b","a"})",
         "{1,2}",
         "{5,4}",
         R"({"first","four"})"},
        {"no number",
         {},
         {{std::nullopt, "orphan"}, {7, std::nullopt}},
         "{}",
         "{}",
         "{7}",
         "{NULL}"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Finding finding = with_id("f");
        finding.detector_tags = c.tags;
        finding.vulnerability = Vulnerability{};
        finding.vulnerability->file_path = FilePath{};
        finding.vulnerability->file_path->code_snippet = c.lines;
        PageColumns columns = columns_of({finding});
        CHECK(columns.tag.take() == c.tags_literal);
        CHECK(columns.tag_ordinal.take() == c.tag_ordinals);
        CHECK(columns.line_number.take() == c.line_numbers);
        CHECK(columns.line_content.take() == c.line_contents);
    }
}

TEST_CASE("NUL and invalid UTF-8 are replaced with U+FFFD and counted", "[page_columns]") {
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
        PageColumns columns = columns_of({finding});
        CHECK(columns.description.take() == "{\"" + c.stored + "\"}");
        CHECK(columns.tag.take() == "{\"" + c.stored + "\"}");
        CHECK(columns.sanitized == 2 * c.replaced);
    }
}

TEST_CASE("ids that differ only in invalid bytes are one finding after cleaning",
          "[page_columns]") {
    PageColumns columns = columns_of({with_id("id-\xFF"), with_id("id-\xFE")});

    CHECK(columns.findings == 1);
    CHECK(columns.duplicates == 1);
    CHECK(columns.finding_id.take() == "{\"id-\xEF\xBF\xBD\"}");
    CHECK(columns.sanitized == 1);  // only the kept finding's id is counted
}
