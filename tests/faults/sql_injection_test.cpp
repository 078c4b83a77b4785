// SQL is always parameterised (issue 8, STYLE 5): SQL-looking scan names and finding fields
// go through the real daemon and are stored verbatim, and nothing else changes.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "stored_findings.hpp"

using namespace codeguru::test;
using nlohmann::json;

namespace {

// Scan names inside the API's pattern ^[a-zA-Z0-9-_$:.]*$ that mean something to SQL:
// dollar quotes, parameter markers, comments, casts.
const std::vector<std::string> kScans = {
    "$$", "$1", "a--b", "$function$.x.$function$", "x::regclass", "pg_catalog.pg_sleep"};

const std::vector<std::string> kHostileText = {
    "'; DROP TABLE findings; --",
    "\"); DROP SCHEMA public CASCADE; --",
    "$1",
    "$$; DELETE FROM sync_checkpoints; $$",
    "$function$; TRUNCATE findings; $function$",
    "1' OR '1'='1",
    "\\'; SELECT pg_sleep(10); --",
    "E'\\x41' || chr(0)",
    "%s %n %x {}",
    "{\"finding_id\": \"injected\", \"title\": \"x\"}",
    "\"}], \"finding_id\": \"escaped\"",
    "'); INSERT INTO findings VALUES ('x'); --",
    "/* unterminated comment",
    "COPY findings TO PROGRAM 'touch /tmp/pwned'",
    // PostgreSQL array literal syntax: pages travel as array literals.
    "NULL",
    "{NULL,\"}\",{}}",
    "\\\"",
    "  leading and trailing blanks  ",
    "",
};

// Findings of `scan` whose every text member is hostile.
std::vector<json> hostile_findings(const std::string& scan, std::uint64_t seed) {
    auto findings = generate_findings(scan, kHostileText.size(), seed);
    for (std::size_t i = 0; i < findings.size(); ++i) {
        const std::string& text = kHostileText[i];
        json& f = findings[i];
        f["id"] = text;
        f["title"] = text;
        f["description"] = text + "\n" + text;
        f["ruleId"] = text;
        f["detectorTags"] = {text, "plain", kHostileText[(i + 1) % kHostileText.size()]};
        f["resource"] = {{"id", text}, {"subResourceId", text}};
        f["remediation"] = {{"recommendation", {{"text", text}, {"url", text}}},
                            {"suggestedFixes", {{{"description", text}, {"code", text}}}}};
        f["vulnerability"]["referenceUrls"] = {text};
        f["vulnerability"]["relatedVulnerabilities"] = {text};
        f["vulnerability"]["filePath"]["name"] = text;
        f["vulnerability"]["filePath"]["codeSnippet"] = {{{"number", 1}, {"content", text}}};
    }
    return findings;
}

}  // namespace

TEST_CASE("SQL-looking scan names and finding fields are stored verbatim and run no SQL") {
    E2eSetup setup;
    std::vector<std::string> args = {setup.write_config(setup.config({"unused"})), "--once"};
    for (std::size_t i = 0; i < kScans.size(); ++i) {
        setup.api.set_scan(kScans[i], hostile_findings(kScans[i], 1400 + i));
        args.push_back("--scan");
        args.push_back(kScans[i]);
    }
    const auto run = run_daemon(setup.dir, args);
    INFO(run.err);
    REQUIRE(run.status.exited_with(0));

    auto db = setup.inspector();
    const long tables = db.count("pg_tables WHERE schemaname = current_schema()");
    CHECK(tables >= 10);
    for (const auto& scan : kScans) {
        INFO("scan " << scan);
        CHECK(stored_flat_findings(setup.schema.conninfo(), setup.schema.name(), scan) ==
              expected_flat_findings(setup.api.findings(scan)));
        CHECK(db.query("SELECT count(*) FROM sync_runs WHERE scan_name = $1"
                       " AND outcome = 'succeeded'",
                       scan)[0][0]
                  .as<long>() == 1);
        CHECK(db.query("SELECT count(*) FROM sync_checkpoints WHERE scan_name = $1", scan)[0][0]
                  .as<long>() == 1);
    }
    CHECK(db.count("findings") == static_cast<long>(kScans.size() * kHostileText.size()));
    CHECK(db.count("findings WHERE finding_id IN ('injected', 'escaped', 'x')") == 0);
    CHECK(db.count("pg_namespace WHERE nspname = 'public'") == 1);

    // A second run changes nothing: the hostile ids match themselves exactly.
    const auto again = run_daemon(setup.dir, args);
    INFO(again.err);
    CHECK(again.status.exited_with(0));
    CHECK(db.count("finding_versions") == static_cast<long>(kScans.size() * kHostileText.size()));
    CHECK(db.count("pg_tables WHERE schemaname = current_schema()") == tables);
}
