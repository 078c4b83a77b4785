// Hostile finding data through a real sync (issue 8, SPEC §5): members of the wrong type,
// a 10 MB description, a 10,000-line snippet, NUL characters, invalid UTF-8, misshapen
// pages, duplicate ids within and across pages, and a finding that moves between pages
// during a pass. Nothing is lost, duplicated or half-written.
#include <catch2/catch.hpp>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "finding_generator.hpp"
#include "log_capture.hpp"
#include "stored_findings.hpp"
#include "support_fault_sync.hpp"
#include "support_raw_api.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using nlohmann::json;
using Outcome = sync::ScanResult::Outcome;

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Every string in `value` (keys excepted) with each NUL replaced by U+FFFD.
json without_nuls(json value) {
    if (value.is_string()) {
        std::string text = value.get<std::string>();
        std::string out;
        for (const char c : text) {
            if (c == '\0') {
                out += kReplacement;
            } else {
                out += c;
            }
        }
        return out;
    }
    if (value.is_structured()) {
        for (auto& item : value) item = without_nuls(item);
    }
    return value;
}

// A fixture whose fake serves `hostile`, and the snapshot of a clean sync of `tame`, the
// findings the hostile ones must be stored as.
struct HostileCase {
    SyncFixture fx;
    FakeCodeGuruApi tame_api;

    HostileCase(std::vector<json> hostile, std::vector<json> tame) {
        fx.fake.set_scan("s", std::move(hostile));
        tame_api.set_scan("s", std::move(tame));
    }

    void check_stored_as_tame(int page_size) {
        CHECK(difference_from(clean_snapshot(tame_api.endpoint(), "s", page_size), fx) == "");
        CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
              expected_flat_findings(tame_api.findings("s")));
    }
};

std::vector<json> some_findings(std::size_t count, std::uint64_t seed) {
    return generate_findings("s", count, seed);
}

}  // namespace

TEST_CASE("members of the wrong type are left out with a warning, the rest of the page is stored") {
    auto hostile = some_findings(8, 901);
    auto tame = hostile;
    const json wrong = json::parse(R"({
        "id": "wrong-types", "updatedAt": 1758000000, "createdAt": true,
        "title": 42, "severity": {"level": "High"}, "status": ["Open"],
        "detectorTags": {"a": 1},
        "resource": "not an object",
        "remediation": ["not", "an", "object"],
        "vulnerability": {"id": 7.5, "itemCount": "many", "referenceUrls": ["u1", 5, "u2"],
            "relatedVulnerabilities": "CWE-1",
            "filePath": {"name": "f.py", "startLine": "12", "endLine": [3],
                "codeSnippet": {"number": 1, "content": "x"}}}})");
    const json stored_as = json::parse(R"({
        "id": "wrong-types", "updatedAt": 1758000000, "title": "42",
        "vulnerability": {"id": "7.5", "referenceUrls": ["u1", "u2"],
            "filePath": {"name": "f.py", "startLine": 12}}})");
    hostile.insert(hostile.begin() + 3, wrong);
    tame.insert(tame.begin() + 3, stored_as);
    // A finding whose id is not text is rejected and counted; so is a non-object entry.
    hostile.insert(hostile.begin() + 5, json::parse(R"({"id": {"x": 1}, "title": "no id"})"));
    hostile.insert(hostile.begin() + 6, json(17));
    HostileCase c(hostile, tame);

    LogCapture log;
    const auto result = c.fx.sync("s", 4);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.counts.rejected == 1);
    CHECK(result.counts.inserted == 9);
    c.check_stored_as_tame(4);
    CHECK(log.count({"wrong-types", "severity is object", "left out"}) == 1);
    CHECK(log.count({"wrong-types", "vulnerability.itemCount is string"}) == 1);
    CHECK(log.count({"wrong-types", "vulnerability.referenceUrls[1] is number"}) == 1);
    CHECK(log.count({"findings[2] is number, not an object"}) == 1);
    CHECK(c.fx.query("SELECT findings_rejected FROM sync_runs")[0][0].as<int>() == 1);
}

TEST_CASE("a 10 MB description and a 10,000-line code snippet are stored whole") {
    std::string description;
    description.reserve(10 * 1024 * 1024);
    for (int i = 0; description.size() < 10 * 1024 * 1024; ++i) {
        description += "line " + std::to_string(i) + ": \"quoted\" \\ tab\t ünï ✓ 🚀\n";
    }
    json big = {{"id", "big"},
                {"updatedAt", 1758000000.5},
                {"description", description},
                {"vulnerability", {{"filePath", {{"path", "src/huge.py"}}}}}};
    json& snippet = big["vulnerability"]["filePath"]["codeSnippet"] = json::array();
    for (int line = 1; line <= 10000; ++line) {
        snippet.push_back({{"number", line},
                           {"content", "    value_" + std::to_string(line) + " = compute(" +
                                           std::to_string(line) + ")  # ✓"}});
    }
    auto findings = some_findings(6, 902);
    findings.insert(findings.begin() + 2, big);
    HostileCase c(findings, findings);

    const auto result = c.fx.sync("s", 5);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    c.check_stored_as_tame(5);
    const auto sizes = c.fx.query(
        "SELECT octet_length(description), (SELECT count(*) FROM finding_code_lines"
        " WHERE finding_id = 'big') FROM findings WHERE finding_id = 'big'");
    CHECK(sizes[0][0].as<std::size_t>() == description.size());
    CHECK(sizes[0][1].as<int>() == 10000);
}

TEST_CASE("NUL characters become U+FFFD with a warning and the finding is kept") {
    auto findings = some_findings(5, 903);
    const std::string nul(1, '\0');
    json with_nuls = {
        {"id", "nul" + nul + "id"},
        {"updatedAt", 1758000000},
        {"title", nul + "leading and trailing" + nul},
        {"description", "a" + nul + nul + "b"},
        {"detectorTags", {"tag" + nul, "tag" + nul, "plain"}},
        {"remediation",
         {{"suggestedFixes", {{{"description", nul}, {"code", "x = '" + nul + "'"}}}}}},
        {"vulnerability",
         {{"referenceUrls", {"https://example.com/" + nul}},
          {"filePath", {{"codeSnippet", {{{"number", 1}, {"content", "s = \"" + nul + "\""}}}}}}}}};
    findings.insert(findings.begin() + 1, with_nuls);
    auto tame = findings;
    tame[1] = without_nuls(with_nuls);
    tame[1]["id"] = std::string("nul") + kReplacement + "id";
    HostileCase c(findings, tame);

    LogCapture log;
    const auto result = c.fx.sync("s", 3);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.counts.inserted == 6);
    c.check_stored_as_tame(3);
    CHECK(log.count({"U+FFFD"}) >= 1);
}

TEST_CASE("invalid UTF-8 bytes become U+FFFD, one per byte, and the finding is kept") {
    RawFindingsServer raw;
    // Raw bytes no JSON serializer would produce: a lone 0xFF, an overlong '/', a surrogate,
    // a truncated sequence, a code point above U+10FFFF, and a stray continuation byte.
    const std::string hostile_finding =
        "{\"id\":\"utf8-\xff\",\"updatedAt\":1758000000,"
        "\"title\":\"over\xc0\xaflong\",\"description\":\"sur\xed\xa0\x80rogate\","
        "\"detectorTags\":[\"cut\xe2\x82\",\"ok ✓\"],"
        "\"vulnerability\":{\"filePath\":{\"codeSnippet\":[{\"number\":1,"
        "\"content\":\"big\xf4\x90\x80\x80\"}]},\"referenceUrls\":[\"\x80stray\"]}}";
    const std::string r = kReplacement;
    const json stored_as = {
        {"id", "utf8-" + r},
        {"updatedAt", 1758000000},
        {"title", "over" + r + r + "long"},
        {"description", "sur" + r + r + r + "rogate"},
        {"detectorTags", {"cut" + r + r, "ok ✓"}},
        {"vulnerability",
         {{"filePath", {{"codeSnippet", {{{"number", 1}, {"content", "big" + r + r + r + r}}}}}},
          {"referenceUrls", {r + "stray"}}}}};
    const auto plain = some_findings(4, 904);
    std::vector<std::string> page0;
    std::vector<std::string> page1 = {hostile_finding};
    for (std::size_t i = 0; i < plain.size(); ++i)
        (i < 2 ? page0 : page1).push_back(plain[i].dump());
    raw.set_pages(
        {RawFindingsServer::page_body(page0, 0, 2), RawFindingsServer::page_body(page1, 1, 2)});

    SyncFixture fx;
    use_client(fx, ClientStackOptions{.endpoint = raw.endpoint()});
    LogCapture log;
    const auto result = fx.sync("s", 3);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.counts.inserted == 5);
    std::vector<json> tame = plain;
    tame.push_back(stored_as);
    CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
          expected_flat_findings(tame));
    CHECK(log.count({"invalid UTF-8", "U+FFFD"}) == 1);
}

TEST_CASE(
    "a misshapen page is retried, then the run fails with one clear line, checkpoint intact") {
    struct Misshapen {
        std::string body;
        std::string named;  // what the error must say
    };
    const std::vector<Misshapen> cases = {
        {"", "not valid JSON"},
        {"<html><body>Service Unavailable</body></html>", "not valid JSON"},
        {"[{\"id\": \"a\"}]", "not a JSON object"},
        {"{\"findings\": {\"id\": \"a\"}}", "`findings` is not a list"},
        {"{\"findings\": [], \"nextToken\": 7}", "`nextToken` is not a string"},
        {std::string("{\"findings\": [{\"id\": \"raw nul ") + '\0' + "\"}]}", "not valid JSON"},
        {"{\"findings\": [{\"id\": \"a\"}]} trailing", "not valid JSON"},
    };
    for (const auto& bad : cases) {
        INFO("body: " << bad.body);
        RawFindingsServer raw;
        const auto plain = some_findings(3, 905);
        raw.set_pages({RawFindingsServer::page_body({plain[0].dump(), plain[1].dump()}, 0, 3),
                       bad.body, RawFindingsServer::page_body({plain[2].dump()}, 2, 3)});
        SyncFixture fx;
        use_client(fx, ClientStackOptions{.endpoint = raw.endpoint(), .max_attempts = 3});
        const auto failed = fx.sync("s", 2);
        CHECK(failed.outcome == Outcome::kFailed);
        CHECK(failed.error.find(bad.named) != std::string::npos);
        CHECK(failed.error.find("gave up after 3 attempts") != std::string::npos);
        CHECK(failed.error.find('\n') == std::string::npos);
        CHECK(raw.requests_for(1) == 3);
        const auto cp = fx.query("SELECT pages_done, next_token FROM sync_checkpoints");
        CHECK(cp[0][0].as<int>() == 1);
        CHECK(cp[0][1].as<std::string>() == "page-1");
        CHECK(fx.query("SELECT count(*) FROM findings")[0][0].as<int>() == 2);

        // Once the API answers properly, the pass resumes at the page it could not read.
        raw.set_pages({RawFindingsServer::page_body({plain[0].dump(), plain[1].dump()}, 0, 3),
                       RawFindingsServer::page_body({}, 1, 3),
                       RawFindingsServer::page_body({plain[2].dump()}, 2, 3)});
        const auto resumed = fx.sync("s", 2);
        CHECK(resumed.outcome == Outcome::kSucceeded);
        CHECK(resumed.pages == 2);
        CHECK(raw.requests_for(0) == 0);
        CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
              expected_flat_findings(plain));
    }
}

TEST_CASE("duplicate ids within a page and across pages: the newest wins, stored once") {
    const auto base = some_findings(8, 906);
    const auto version = [&](std::size_t i, double updated_at, const std::string& title) {
        json f = base[i];
        f["id"] = "dup-" + std::to_string(i);
        f["updatedAt"] = updated_at;
        f["title"] = title;
        return f;
    };
    // Pages of 5: A twice in page 1 (newer second), B twice with equal updatedAt (the later
    // entry wins), A again in page 2 but older, C newer in page 2 than in page 1.
    const std::vector<json> served = {
        version(0, 1758000100, "A v1"),     version(1, 1758000000, "B first"),
        version(0, 1758000200, "A v2"),     version(2, 1758000000, "C v1"),
        version(1, 1758000000, "B second"), version(3, 1758000000, "D"),
        version(0, 1758000050, "A v0"),     version(4, 1758000000, "E"),
        version(2, 1758000900, "C v9"),     version(5, 1758000000, "F"),
        version(6, 1758000000, "G"),        version(7, 1758000000, "H")};
    const std::vector<json> winners = {served[2], served[4], served[8],  served[5],
                                       served[7], served[9], served[10], served[11]};
    HostileCase c(served, winners);

    const auto result = c.fx.sync("s", 5);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.counts.seen == 12);
    CHECK(result.counts.inserted == 8);
    CHECK(result.counts.updated == 1);
    CHECK(result.counts.unchanged == 3);
    CHECK(stored_flat_findings(c.fx.schema.conninfo(), c.fx.schema.name(), "s") ==
          expected_flat_findings(winners));
    CHECK(c.fx.query("SELECT count(*) FROM findings")[0][0].as<int>() == 8);
    const auto versions = c.fx.query(
        "SELECT finding_id, string_agg(title, ',' ORDER BY updated_at) FROM finding_versions"
        " WHERE finding_id IN ('dup-0', 'dup-1', 'dup-2') GROUP BY 1 ORDER BY 1");
    REQUIRE(versions.size() == 3);
    CHECK(versions[0][1].as<std::string>() == "A v2");
    CHECK(versions[1][1].as<std::string>() == "B second");
    CHECK(versions[2][1].as<std::string>() == "C v1,C v9");

    // The same pages again change nothing.
    const auto again = c.fx.sync("s", 5);
    REQUIRE(again.outcome == Outcome::kSucceeded);
    CHECK(again.counts.inserted + again.counts.updated == 0);
    CHECK(stored_flat_findings(c.fx.schema.conninfo(), c.fx.schema.name(), "s") ==
          expected_flat_findings(winners));
}

TEST_CASE("a finding that moves between pages during a pass is neither lost nor duplicated") {
    constexpr int kPageSize = 10;
    SyncFixture fx;
    auto findings = some_findings(30, 907);
    fx.fake.set_scan("s", findings);
    REQUIRE(fx.sync("s", kPageSize).outcome == Outcome::kSucceeded);

    // During the second pass, once page 1 is in, finding 25 moves to page 1 (already read:
    // this pass never returns it) and finding 3, updated, moves to the last page (read twice).
    auto moved = findings;
    json updated = findings[3];
    updated["updatedAt"] = updated["updatedAt"].get<double>() + 3600;
    updated["title"] = "moved and updated";
    moved.erase(moved.begin() + 25);
    moved.erase(moved.begin() + 3);
    moved.insert(moved.begin(), findings[25]);
    moved.push_back(updated);
    fx.fake.inject(
        Fault{.kind = Fault::Kind::kDelay, .count = 1, .after_requests = 1, .delay = 800ms});
    std::thread mover([&] {
        for (;;) {
            if (fx.query("SELECT pages_done FROM sync_checkpoints")[0][0].as<int>() >= 1) break;
            std::this_thread::sleep_for(2ms);
        }
        fx.fake.set_scan("s", moved);
    });
    const auto second = fx.sync("s", kPageSize);
    mover.join();
    INFO(second.error);
    REQUIRE(second.outcome == Outcome::kSucceeded);
    CHECK(second.counts.seen == 30);
    CHECK(second.counts.updated == 1);
    CHECK(fx.query("SELECT count(*) FROM findings")[0][0].as<int>() == 30);
    const auto missing =
        fx.query("SELECT finding_id FROM findings WHERE missing_since IS NOT NULL");
    REQUIRE(missing.size() == 1);  // the pass did not return it: nothing is ever deleted
    CHECK(missing[0][0].as<std::string>() == findings[25]["id"].get<std::string>());
    CHECK(fx.query("SELECT title FROM findings WHERE finding_id = '" +
                   findings[3]["id"].get<std::string>() + "'")[0][0]
              .as<std::string>() == "moved and updated");

    // The next pass sees it again: the state is the clean sync's, but for the history that
    // holds both versions of the updated finding.
    auto clean = clean_snapshot(fx.fake.endpoint(), "s", kPageSize);
    REQUIRE(fx.sync("s", kPageSize).outcome == Outcome::kSucceeded);
    auto stored = snapshot_tables(fx.schema.conninfo(), fx.schema.name());
    clean.tables.erase("finding_versions");
    stored.tables.erase("finding_versions");
    CHECK(describe_difference(clean, stored) == "");
    CHECK(
        fx.query("SELECT count(*) FROM findings WHERE missing_since IS NOT NULL")[0][0].as<int>() ==
        0);
    CHECK(fx.query("SELECT count(*) FROM finding_versions")[0][0].as<int>() == 31);
}
