// codeguru-syncd --import, the real binary: exports written by the AWS CLI itself (against the
// fake API, both timestamp forms) and by botocore in the three formats
// people kept (tests/support/codeguru_export.py) import to the same tables as a sync of the
// same findings from the fake API, and as the independent reference mapper reads them; bad
// files are refused with exit 1, naming the file, and nothing of them is applied. Also the
// command line's rules for --import.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <pqxx/pqxx>

#include "command_line_args.hpp"
#include "config/command_line.hpp"
#include "config/config_error.hpp"
#include "contract_rows.hpp"
#include "daemon_process.hpp"
#include "finding_generator.hpp"
#include "reference_mapper.hpp"
#include "sync_fixture.hpp"

using namespace codeguru;
using namespace codeguru::test;
using nlohmann::json;

namespace {

// Writes cli.json, boto.json and pages.jsonl of `findings` (pages of `page_size`) to `dir`.
void write_exports(const TempDir& dir, const std::vector<json>& findings, int page_size) {
    const auto wire = dir.write_file("wire.json", json(findings).dump());
    const auto result =
        run_command(std::string(CODEGURU_TEST_PYTHON) + " " +
                    CODEGURU_SOURCE_DIR "/tests/support/codeguru_export.py " + wire.string() + " " +
                    std::to_string(page_size) + " " + dir.path().string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
}

// The daemon's arguments for the test schema, then `more`.
std::vector<std::string> daemon_args(const TempDir& dir, const TestSchema& schema,
                                     std::vector<std::string> more) {
    const auto config = dir.write_file("daemon.conf", "[aws]\nregion = us-east-1\n");
    std::vector<std::string> args{"--config", config.string(), "--log-level=warn",
                                  "--database.url=" + schema.conninfo(),
                                  "--database.schema=" + schema.name()};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

std::int64_t count(const TestSchema& schema, const std::string& sql) {
    pqxx::connection c(schema.conninfo());
    pqxx::work tx(c);
    tx.exec("SET search_path TO " + tx.quote_name(schema.name()));
    return tx.exec1(sql)[0].as<std::int64_t>();
}

// Imports `file` (an export of 240 findings and one without an id, of scan "s") into a
// fresh schema with the binary: the tables must equal `sync_rows`, a sync's of the same
// findings, with one succeeded run of source 'import' counting them and no checkpoint.
void check_import_equals_sync(const TempDir& dir, const std::filesystem::path& file,
                              const ContractRows& sync_rows) {
    TestSchema schema;
    const auto run =
        run_daemon(dir, daemon_args(dir, schema, {"--import", file.string(), "--scan", "s"}));
    INFO(run.err);
    REQUIRE(run.status.exited_with(0));
    CHECK(run.out.find("240 new") != std::string::npos);
    CHECK(run.out.find("1 rejected") != std::string::npos);
    CHECK(describe_difference(sync_rows, stored_contract_rows(schema.conninfo(), schema.name()))
              .empty());
    CHECK(count(schema,
                "SELECT count(*) FROM sync_runs WHERE source = 'import' AND "
                "outcome = 'succeeded' AND findings_seen = 241 AND "
                "findings_rejected = 1") == 1);
    CHECK(count(schema, "SELECT count(*) FROM sync_checkpoints") == 0);
}

}  // namespace

TEST_CASE(
    "the command line's --import takes its files up to the next option, one --scan, and "
    "--complete") {
    const auto c = parse_args({"--import", "a.json", "b.jsonl", "-", "--scan", "s", "--complete"});
    CHECK(c.imports == std::vector<std::string>{"a.json", "b.jsonl", "-"});
    CHECK(c.scans == std::vector<std::string>{"s"});
    CHECK(c.import_complete);
    CHECK(parse_args({"--scan=s", "--import=a.json", "--import", "b"}).imports ==
          std::vector<std::string>{"a.json", "b"});
    CHECK(usage_error_text({"--import", "a.json"}).find("exactly one --scan") != std::string::npos);
    CHECK(usage_error_text({"--import", "a", "--scan", "s", "--scan", "t"})
              .find("exactly one --scan") != std::string::npos);
    CHECK(usage_error_text({"--import", "--scan", "s"}).find("missing value for --import") !=
          std::string::npos);
    CHECK(usage_error_text({"--scan", "s", "--import"}) != "no UsageError");
    CHECK(usage_error_text({"--complete", "--scan", "s"}).find("--complete applies to --import") !=
          std::string::npos);
    CHECK(usage_error_text({"--import", "a", "--scan", "s", "--once"}).find("cannot be combined") !=
          std::string::npos);
    CHECK(usage_error_text({"x.json"}).find("unexpected argument") != std::string::npos);
    CHECK(usage_error_text({"--import", "-", "a", "-", "--scan", "s"})
              .find("standard input (-) more than once") != std::string::npos);
    CHECK(usage_text().find("--import FILE...") != std::string::npos);
}

TEST_CASE("botocore's three export formats import to the tables a sync of the findings makes") {
    auto findings = generate_findings("s", 240, 41);
    findings.push_back(json{{"title", "no id"}});  // rejected, as by a sync
    TempDir dir;
    write_exports(dir, findings, 100);

    SyncFixture synced;
    synced.fake.set_scan("s", findings);
    REQUIRE(synced.sync("s", 100).outcome == sync::ScanResult::Outcome::kSucceeded);
    const auto sync_rows = stored_contract_rows(synced.schema.conninfo(), synced.schema.name());
    std::vector<json> with_ids(findings.begin(), findings.end() - 1);
    CHECK(describe_difference(reference_rows("s", with_ids), sync_rows).empty());

    for (const char* file : {"cli.json", "boto.json", "pages.jsonl"}) {
        INFO(file);
        check_import_equals_sync(dir, dir.path() / file, sync_rows);
    }
}

TEST_CASE(
    "the AWS CLI's own get-findings output, with its default and its ISO-8601 timestamps, "
    "imports to the tables a sync of the findings makes") {
    auto findings = generate_findings("s", 240, 43);
    findings.push_back(json{{"title", "no id"}});  // rejected, as by a sync
    SyncFixture synced;
    synced.fake.set_scan("s", findings);
    REQUIRE(synced.sync("s", 100).outcome == sync::ScanResult::Outcome::kSucceeded);
    const auto sync_rows = stored_contract_rows(synced.schema.conninfo(), synced.schema.name());

    // AWS CLI v1 prints timestamps as the API sent them (epoch seconds) unless its
    // configuration asks for ISO-8601 (CLI v2's default): exports exist in both forms.
    struct Export {
        std::string config;
        std::string timestamp_form;  // what createdAt looks like in the output
    };
    TempDir dir;
    for (const Export& e :
         {Export{"[default]\n", "\"createdAt\": 1"},
          Export{"[default]\ncli_timestamp_format = iso8601\n", "\"createdAt\": \"20"}}) {
        INFO(e.config);
        const auto config = dir.write_file("aws.conf", e.config);
        const auto out = dir.path() / "aws-cli.json";
        const auto cli = run_command(
            "env AWS_CONFIG_FILE=" + config.string() +
            " AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ACCESS_KEY_ID=AKIDFAKEEXAMPLE "
            "AWS_SECRET_ACCESS_KEY=fake/secret+key AWS_EC2_METADATA_DISABLED=true " +
            std::string(CODEGURU_TEST_PYTHON) +
            " -m awscli codeguru-security get-findings --scan-name s --region us-east-1 "
            "--page-size 100 --endpoint-url " +
            synced.fake.endpoint() + " > " + out.string());
        INFO(cli.output);
        REQUIRE(cli.exit_code == 0);
        std::ifstream in(out);
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        REQUIRE(text.find(e.timestamp_form) != std::string::npos);

        check_import_equals_sync(dir, out, sync_rows);
    }
}

TEST_CASE("standard input, several files in order, and a later export over an earlier one") {
    auto findings = generate_findings("s", 80, 42);
    TempDir first;
    write_exports(first, findings, 30);
    const auto summary = evolve_findings(findings, 5);
    TempDir later;
    write_exports(later, findings, 30);

    TestSchema schema;
    std::string command = daemon_binary().string();
    for (const auto& arg :
         daemon_args(first, schema,
                     {"--import", (first.path() / "cli.json").string(), "-", "--scan", "s"})) {
        command += " '" + arg + "'";
    }
    const auto result = run_command(command + " < " + (later.path() / "pages.jsonl").string());
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    CHECK(result.output.find("standard input: scan s") != std::string::npos);
    CHECK(result.output.find(std::to_string(summary.added()) + " new, " +
                             std::to_string(summary.updated() + summary.closed()) + " updated") !=
          std::string::npos);
    CHECK(count(schema, "SELECT count(*) FROM sync_runs WHERE source = 'import'") == 2);
}

TEST_CASE("a --complete import of two files marks only what neither holds, once, at the last") {
    auto findings = generate_findings("s", 40, 44);
    TempDir dir;
    write_exports(dir, findings, 20);  // all 40
    const std::vector<json> first(findings.begin(), findings.begin() + 15);
    const std::vector<json> second(findings.begin() + 15, findings.begin() + 35);
    TempDir a;
    write_exports(a, first, 20);
    TempDir b;
    write_exports(b, second, 20);

    TestSchema schema;
    REQUIRE(run_daemon(dir,
                       daemon_args(dir, schema,
                                   {"--import", (dir.path() / "cli.json").string(), "--scan", "s"}))
                .status.exited_with(0));
    const auto run = run_daemon(
        dir, daemon_args(dir, schema,
                         {"--import", (a.path() / "boto.json").string(),
                          (b.path() / "pages.jsonl").string(), "--scan", "s", "--complete"}));
    INFO(run.err);
    REQUIRE(run.status.exited_with(0));
    const auto lines = non_empty_lines(run.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find("marked missing") == std::string::npos);
    CHECK(lines[1].find(", 5 marked missing") != std::string::npos);
    CHECK(count(schema, "SELECT count(*) FROM findings WHERE missing_since IS NOT NULL") == 5);
}

TEST_CASE("a truncated file, a malformed finding, not JSON: exit 1, naming the file") {
    const auto findings = generate_findings("s", 50, 43);
    TempDir dir;
    write_exports(dir, findings, 20);
    const std::string cli = [&] {
        std::ifstream in(dir.path() / "cli.json");
        return std::string(std::istreambuf_iterator<char>(in), {});
    }();
    std::string malformed = cli;
    const auto at = malformed.rfind("\"title\": ");
    REQUIRE(at != std::string::npos);
    malformed.insert(at + 9, "}");  // "title": }"...: one finding breaks
    const std::map<std::string, std::string> bad = {
        {"truncated.json", cli.substr(0, cli.size() * 2 / 3)},
        {"malformed.json", malformed},
        {"notjson.txt", "Findings of scan s\nid,title\n"},
    };
    for (const auto& [name, text] : bad) {
        INFO(name);
        TestSchema schema;
        const auto path = dir.write_file(name, text);
        const auto run =
            run_daemon(dir, daemon_args(dir, schema,
                                        {"--import", (dir.path() / "cli.json").string(),
                                         path.string(), "--scan", "s"}));
        INFO(run.err);
        CHECK(run.status.exited_with(1));
        CHECK(run.err.find(path.string() + ": byte ") != std::string::npos);
        CHECK(run.err.find("nothing of this file was applied") != std::string::npos);
        // The good file before it stays; nothing of the bad one is there.
        CHECK(count(schema, "SELECT count(*) FROM findings") == 50);
        CHECK(count(schema,
                    "SELECT count(*) FROM sync_runs WHERE outcome = 'failed' AND "
                    "source = 'import' AND findings_seen = 0") == 1);
    }

    // A file that cannot be opened at all: exit 1 naming it and why, the files before it
    // applied.
    for (const auto& [path, why] : std::map<std::string, std::string>{
             {dir.path().string(), "it is a directory"},
             {(dir.path() / "absent.json").string(), "No such file or directory"}}) {
        INFO(path);
        TestSchema schema;
        const auto run = run_daemon(
            dir,
            daemon_args(dir, schema,
                        {"--import", (dir.path() / "cli.json").string(), path, "--scan", "s"}));
        CHECK(run.status.exited_with(1));
        CHECK(run.err.find(path + ": " + why) != std::string::npos);
        CHECK(count(schema, "SELECT count(*) FROM findings") == 50);
    }
}
