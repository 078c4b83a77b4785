#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sources/codeguru/finding_json.hpp"
#include "util/timestamp.hpp"

using namespace codeguru;
using nlohmann::json;

namespace {

const char* const kFullFinding = R"json({
  "id": "f-1", "createdAt": 1758000000.872, "updatedAt": "2025-09-17T10:00:00.25Z",
  "title": "SQL injection ☠", "description": "Untrusted input flows into a query",
  "type": "Software and configuration checks", "status": "Open", "severity": "High",
  "generatorId": "gen", "detectorId": "python/sql-injection@v1.0", "detectorName": "SQL injection",
  "detectorTags": ["injection", "cwe-89"], "ruleId": "Rule-123",
  "resource": {"id": "res-1", "subResourceId": "sub-1"},
  "remediation": {"recommendation": {"text": "Use parameters", "url": "https://example.com/r"},
                  "suggestedFixes": [{"description": "bind", "code": "cur.execute(q, (a,))"}]},
  "vulnerability": {"id": "v-1", "itemCount": 3, "referenceUrls": ["https://cwe.mitre.org/89"],
                    "relatedVulnerabilities": ["CWE-89", "CWE-20"],
                    "filePath": {"name": "db.py", "path": "src/app/db.py", "startLine": 10,
                                 "endLine": 12,
                                 "codeSnippet": [{"number": 10, "content": "q = f'SELECT {x}'"},
                                                 {"number": 11, "content": "cur.execute(q)"}]}},
  "somethingNew": {"ignored": true}
})json";

}  // namespace

TEST_CASE("every member of a finding is mapped") {
    std::vector<std::string> warnings;
    const Finding f = finding_from_json(json::parse(kFullFinding), warnings);
    CHECK(warnings.empty());
    CHECK(f.id == "f-1");
    CHECK(format_timestamp(*f.created_at) == "2025-09-16 05:20:00.872000+00");
    CHECK(format_timestamp(*f.updated_at) == "2025-09-17 10:00:00.250000+00");
    CHECK(f.title == "SQL injection ☠");
    CHECK(f.description == "Untrusted input flows into a query");
    CHECK(f.type == "Software and configuration checks");
    CHECK(f.status == "Open");
    CHECK(f.severity == "High");
    CHECK(f.generator_id == "gen");
    CHECK(f.detector_id == "python/sql-injection@v1.0");
    CHECK(f.detector_name == "SQL injection");
    CHECK(f.detector_tags == std::vector<std::string>{"injection", "cwe-89"});
    CHECK(f.rule_id == "Rule-123");
    CHECK(f.resource->id == "res-1");
    CHECK(f.resource->sub_resource_id == "sub-1");
    CHECK(f.remediation->recommendation->text == "Use parameters");
    CHECK(f.remediation->recommendation->url == "https://example.com/r");
    REQUIRE(f.remediation->suggested_fixes->size() == 1);
    CHECK((*f.remediation->suggested_fixes)[0].description == "bind");
    CHECK((*f.remediation->suggested_fixes)[0].code == "cur.execute(q, (a,))");
    const Vulnerability& v = *f.vulnerability;
    CHECK(v.id == "v-1");
    CHECK(v.item_count == 3);
    CHECK(v.reference_urls == std::vector<std::string>{"https://cwe.mitre.org/89"});
    CHECK(v.related_vulnerabilities == std::vector<std::string>{"CWE-89", "CWE-20"});
    CHECK(v.file_path->name == "db.py");
    CHECK(v.file_path->path == "src/app/db.py");
    CHECK(v.file_path->start_line == 10);
    CHECK(v.file_path->end_line == 12);
    REQUIRE(v.file_path->code_snippet->size() == 2);
    CHECK((*v.file_path->code_snippet)[1].number == 11);
    CHECK((*v.file_path->code_snippet)[1].content == "cur.execute(q)");
}

TEST_CASE("absent members stay absent and empty lists stay empty") {
    std::vector<std::string> warnings;
    const Finding f = finding_from_json(
        json::parse(R"({"id":"x","detectorTags":[],"vulnerability":{"filePath":{}},"title":null})"),
        warnings);
    CHECK(warnings.empty());
    CHECK(f.id == "x");
    CHECK_FALSE(f.created_at);
    CHECK_FALSE(f.updated_at);
    CHECK_FALSE(f.title);
    CHECK_FALSE(f.remediation);
    CHECK_FALSE(f.resource);
    REQUIRE(f.detector_tags);
    CHECK(f.detector_tags->empty());
    REQUIRE(f.vulnerability);
    CHECK_FALSE(f.vulnerability->id);
    REQUIRE(f.vulnerability->file_path);
    CHECK_FALSE(f.vulnerability->file_path->code_snippet);
    const Finding empty = finding_from_json(json::object(), warnings);
    CHECK_FALSE(empty.id);
    CHECK(warnings.empty());
}

TEST_CASE("members of the wrong type are left out with a warning naming them") {
    std::vector<std::string> warnings;
    const Finding f = finding_from_json(json::parse(R"({
        "id": "w", "createdAt": "not a time", "updatedAt": [1],
        "detectorTags": {"a": 1}, "resource": "r",
        "vulnerability": {"itemCount": "7", "filePath": {"startLine": "ten", "endLine": 4.0,
                          "codeSnippet": [{"number": 1, "content": "x"}, "junk"]}}})"),
                                        warnings);
    CHECK(f.id == "w");
    CHECK_FALSE(f.created_at);
    CHECK_FALSE(f.updated_at);
    CHECK_FALSE(f.detector_tags);
    CHECK_FALSE(f.resource);
    CHECK(f.vulnerability->item_count == 7);  // a numeric string is still the number
    CHECK_FALSE(f.vulnerability->file_path->start_line);
    CHECK(f.vulnerability->file_path->end_line == 4);
    CHECK(f.vulnerability->file_path->code_snippet->size() == 1);
    REQUIRE(warnings.size() == 6);
    CHECK(warnings[0] == "finding \"w\": createdAt is string, expected a timestamp; left out");
    CHECK(std::count_if(warnings.begin(), warnings.end(), [](const std::string& w) {
              return w ==
                     "finding \"w\": vulnerability.filePath.codeSnippet[1] is string, "
                     "expected an object; left out";
          }) == 1);
}

TEST_CASE(
    "a page skips unknown members whole, keeps a repeated member's last value and leaves "
    "out elements that are not objects") {
    const auto parsed = parse_findings_page(R"({"extra": {"findings": [{"id": "no"}]},
        "findings": [
            {"id": "a", "unknown": {"id": "inner", "list": [1, {"x": [2]}]},
             "title": "first", "title": "second"},
            7, [1], null,
            {"id": "b", "detectorTags": ["t", 1, {"x": 1}, null],
             "resource": {"id": "r"}, "resource": null}],
        "nextToken": "n"})");

    REQUIRE(parsed.page.findings.size() == 2);
    CHECK(parsed.page.findings[0].id == "a");
    CHECK(parsed.page.findings[0].title == "second");
    CHECK(parsed.page.findings[1].id == "b");
    CHECK(parsed.page.findings[1].detector_tags == std::vector<std::string>{"t"});
    CHECK_FALSE(parsed.page.findings[1].resource);
    CHECK(parsed.page.next_token == "n");
    CHECK(parsed.warnings ==
          std::vector<std::string>{
              "findings[1] is number, not an object; left out",
              "findings[2] is array, not an object; left out",
              "findings[3] is null, not an object; left out",
              "finding \"b\": detectorTags[1] is number, expected a string; left out",
              "finding \"b\": detectorTags[2] is object, expected a string; left out",
              "finding \"b\": detectorTags[3] is null, expected a string; left out"});
}

TEST_CASE("a page is parsed with its next token, and the last page has none") {
    const auto first =
        parse_findings_page(R"({"findings":[{"id":"a"},{"id":"b"}],"nextToken":"x+/="})");
    CHECK(first.page.findings.size() == 2);
    CHECK(first.page.next_token == "x+/=");
    const auto last = parse_findings_page(R"({"findings":[]})");
    CHECK(last.page.findings.empty());
    CHECK_FALSE(last.page.next_token);
}

TEST_CASE("invalid UTF-8 in a page costs a character, not the page") {
    const auto parsed =
        parse_findings_page("{\"findings\":[{\"id\":\"a\",\"title\":\"bad \xFF byte\"}]}");
    REQUIRE(parsed.page.findings.size() == 1);
    CHECK(parsed.page.findings[0].title == "bad \xEF\xBF\xBD byte");
    CHECK(parsed.invalid_utf8_replaced == 1);
}

TEST_CASE("a NUL escaped in JSON reaches the model intact, for the store to replace") {
    const auto parsed = parse_findings_page(R"({"findings":[{"id":"a","title":"x\u0000y"}]})");
    CHECK(*parsed.page.findings[0].title == std::string("x\0y", 3));
}

TEST_CASE("truncated or misshapen pages are malformed responses") {
    for (const char* body : {"", "{\"findings\": [ {\"id\": ", "[1,2]", "{\"findings\": 3}",
                             "{\"findings\": [], \"nextToken\": 5}"}) {
        INFO(body);
        CHECK_THROWS_AS(parse_findings_page(body), aws::MalformedResponseError);
    }
}

TEST_CASE("ListScans pages yield scan names and the next token") {
    const auto page = parse_scans_page(
        R"({"summaries":[{"scanName":"a","scanState":"Successful"},{"scanName":"b"}],"nextToken":"t"})");
    CHECK(page.scan_names == std::vector<std::string>{"a", "b"});
    CHECK(page.next_token == "t");
}

namespace {

// {"findings":[ENTRY,ENTRY,...] + `tail`: `count` copies of `entry`.
std::string findings_body(std::size_t count, const std::string& entry, const std::string& tail) {
    std::string body = "{\"findings\":[";
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) body += ',';
        body += entry;
    }
    return body + tail;
}

}  // namespace

TEST_CASE("a page of exactly maxResults findings is whole, one more is an oversized page") {
    const auto full = parse_findings_page(findings_body(100, "{\"id\":\"a\"}", "]}"), 100);
    CHECK(full.page.findings.size() == 100);
    for (const char* extra : {",{\"id\":\"b\"}]}", ",7]}", ",[]]}", ",null]}"}) {
        INFO(extra);
        CHECK_THROWS_MATCHES(parse_findings_page(findings_body(100, "{}", extra), 100),
                             OversizedPageError,
                             Catch::Message("GetFindings returned more than 100 findings "
                                            "(maxResults=100)"));
    }
    // Entries that are not objects count as well: they are the API's entries all the same.
    CHECK_THROWS_AS(parse_findings_page(findings_body(101, "\"x\"", "]}"), 100),
                    OversizedPageError);
    // Without a limit (0) the same page is parsed whole.
    CHECK(parse_findings_page(findings_body(101, "{}", "]}")).page.findings.size() == 101);
}

TEST_CASE("an oversized page stops the parse at the first entry past maxResults") {
    // What follows entry 11 is not even JSON: only a parse that stopped there gets to say
    // "oversized" rather than "not valid JSON". So a body of millions of `{}` costs at
    // most maxResults + 1 findings, whatever its size.
    const std::string body = findings_body(11, "{}", ", this is never read");
    CHECK_THROWS_AS(parse_findings_page(body, 10), OversizedPageError);
    CHECK_THROWS_AS(parse_findings_page(body, 11), aws::MalformedResponseError);
}

TEST_CASE("a page keeps its first 20 warnings and counts the rest") {
    // 5 entries that are not objects, then a finding with 30 tags that are not strings.
    std::string tags;
    for (int i = 0; i < 30; ++i) tags += std::string(i > 0 ? "," : "") + std::to_string(i);
    const auto parsed = parse_findings_page(
        findings_body(5, "1", ",{\"id\":\"w\",\"detectorTags\":[" + tags + "]}]}"), 100);
    REQUIRE(parsed.warnings.size() == kMaxWarningsPerPage);
    CHECK(kMaxWarningsPerPage == 20);
    CHECK(parsed.more_warnings == 15);
    CHECK(parsed.warnings[0] == "findings[0] is number, not an object; left out");
    CHECK(parsed.warnings[4] == "findings[4] is number, not an object; left out");
    CHECK(parsed.warnings[5] ==
          "finding \"w\": detectorTags[0] is number, expected a string; "
          "left out");
    CHECK(parsed.warnings[19] ==
          "finding \"w\": detectorTags[14] is number, expected a "
          "string; left out");
    REQUIRE(parsed.page.findings.size() == 1);
    CHECK(parsed.page.findings[0].detector_tags == std::vector<std::string>{});

    // A single finding reports the count in a last line.
    std::vector<std::string> warnings;
    finding_from_json(json::parse("{\"id\":\"w\",\"detectorTags\":[" + tags + "]}"), warnings);
    REQUIRE(warnings.size() == 21);
    CHECK(warnings.back() == "... and 10 more warning(s)");
}

TEST_CASE("ListScans keeps only scan names, and stops at the first summary past maxResults") {
    const auto page = parse_scans_page(R"({"extra": {"summaries": [{"scanName": "no"}]},
        "summaries": [{"scanName": "a", "x": {"scanName": "inner"}, "y": [{"scanName": "z"}]},
                      5, [{"scanName": "in-a-list"}], {"scanName": 7}, {"other": "c"},
                      {"scanName": "b", "scanState": "Successful"}],
        "nextToken": "t"})",
                                       10);
    CHECK(page.scan_names == std::vector<std::string>{"a", "b"});
    CHECK(page.next_token == "t");
    CHECK_FALSE(parse_scans_page(R"({"summaries": [], "nextToken": {"a": 1}})").next_token);
    CHECK_FALSE(parse_scans_page(R"({"summaries": [], "nextToken": ""})").next_token);
    CHECK(parse_scans_page(R"({"summaries": {"scanName": "a"}})").scan_names.empty());
    CHECK_THROWS_AS(parse_scans_page("[{\"scanName\": \"a\"}]"), aws::MalformedResponseError);

    std::string summaries = "{\"summaries\":[";
    for (int i = 0; i < 100; ++i) summaries += "{\"scanName\":\"s" + std::to_string(i) + "\"},";
    CHECK(parse_scans_page(summaries + "{\"scanName\":\"last\"}]}", 101).scan_names.size() == 101);
    CHECK_THROWS_MATCHES(parse_scans_page(summaries + "{} never read", 100), OversizedPageError,
                         Catch::Message("ListScans returned more than 100 scans (maxResults=100)"));
    CHECK_THROWS_AS(parse_scans_page(summaries + "7 never read", 100), OversizedPageError);
}

// A page mapped into the findings of the page before (recycle_findings) reuses their strings
// and lists, but does not keep what a huge page before it had grown them to.
TEST_CASE("findings given back are mapped into again, keeping no more than the new page needs") {
    const std::string huge_text(1 << 20, 'x');
    json lines = json::array();
    json tags = json::array();
    for (int i = 0; i < 10000; ++i) {
        lines.push_back({{"number", i}, {"content", "line"}});
        tags.push_back("tag-" + std::to_string(i));
    }
    const json huge_page = {{"findings",
                             {{{"id", "f-1"},
                               {"description", huge_text},
                               {"detectorTags", tags},
                               {"vulnerability", {{"filePath", {{"codeSnippet", lines}}}}}},
                              {{"id", "f-2"}, {"title", "second"}}}}};
    auto first = parse_findings_page(huge_page.dump());
    REQUIRE(first.page.findings.size() == 2);
    REQUIRE(first.page.findings[0].vulnerability->file_path->code_snippet->size() == 10000);
    const Finding* storage = first.page.findings.data();
    recycle_findings(std::move(first.page.findings));

    const auto second = parse_findings_page(
        R"({"findings":[{"id":"g-1","description":"short","detectorTags":["t"],)"
        R"("vulnerability":{"filePath":)"
        R"({"codeSnippet":[{"number":7,"content":"only line"}]}}}]})");
    REQUIRE(second.page.findings.size() == 1);
    const Finding& f = second.page.findings[0];
    // The same list, mapped into: the second finding is gone, the first overwritten.
    CHECK(second.page.findings.data() == storage);
    CHECK(f.id == "g-1");
    CHECK(f.description == "short");
    CHECK_FALSE(f.title);
    CHECK(f.description->capacity() < 1024);
    CHECK(f.detector_tags == std::vector<std::string>{"t"});
    CHECK(f.detector_tags->capacity() < 4096);
    const auto& snippet = *f.vulnerability->file_path->code_snippet;
    REQUIRE(snippet.size() == 1);
    CHECK(snippet[0].number == 7);
    CHECK(snippet[0].content == "only line");
    CHECK(snippet.capacity() < 4096);
}
