// The daemon's command line, its --once cycle and its stop signals, run as a real process
// (SPEC §3, §5, §7, §8).
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"

using namespace codeguru::test;

namespace {

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) out += line + "\n";
    return out;
}

// The migrations shipped in schema/, which the binary embeds.
long shipped_migrations() {
    long count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(CODEGURU_SOURCE_DIR) / "schema")) {
        if (entry.path().extension() == ".sql") ++count;
    }
    return count;
}

}  // namespace

TEST_CASE("codeguru-syncd --version and --help print to stdout and exit 0") {
    TempDir dir;
    const auto version = run_daemon(dir, {"--version"});
    CHECK(version.status.exited_with(0));
    CHECK(version.out.starts_with("codeguru-syncd "));
    CHECK(version.err.empty());

    const auto help = run_daemon(dir, {"--help"});
    CHECK(help.status.exited_with(0));
    CHECK(help.out.find("Usage: codeguru-syncd") != std::string::npos);
    CHECK(help.out.find("--check-config") != std::string::npos);
    CHECK(help.out.find("--sync.interval") != std::string::npos);
    CHECK(help.err.empty());
}

TEST_CASE("a bad config value on the command line exits 2 with one line naming the key") {
    E2eSetup setup;
    const auto config = setup.write_config(setup.config({"a"}));
    const auto run = run_daemon(setup.dir, {config, "--once", "--sync.interval=15x"});
    INFO(run.err);
    CHECK(run.status.exited_with(2));
    const auto lines = non_empty_lines(run.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("sync.interval") != std::string::npos);
    CHECK(lines[0].find("15x") != std::string::npos);
    // Nothing was done: the database was never touched.
    CHECK_FALSE(setup.inspector().migrated());
}

TEST_CASE("an unknown key in the config file exits 2 with one line naming it") {
    E2eSetup setup;
    auto config = setup.config({"a"});
    config.extra = "colour = blue\n";  // inside [sync]
    const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(2));
    const auto lines = non_empty_lines(run.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("sync.colour") != std::string::npos);
}

TEST_CASE(
    "codeguru-syncd --check-config prints the effective settings with the password masked, exit "
    "0") {
    E2eSetup setup;
    auto config = setup.config({"a", "b"});
    config.database_url = setup.schema.conninfo() + " password=secret";
    const auto run =
        run_daemon(setup.dir, {setup.write_config(config), "--check-config", "--sync.page_size=7"});
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(0));
    CHECK(run.out.find("secret") == std::string::npos);
    CHECK(run.err.find("secret") == std::string::npos);
    CHECK(run.out.find("password=***") != std::string::npos);
    CHECK(run.out.find(setup.schema.name()) != std::string::npos);
    CHECK(run.out.find("page_size = 7") != std::string::npos);  // the command line wins
    CHECK(run.out.find("scan = a\n") != std::string::npos);
    CHECK(run.out.find("scan = b\n") != std::string::npos);
    CHECK_FALSE(setup.inspector().migrated());
}

TEST_CASE(
    "codeguru-syncd --migrate applies every migration once and a second --migrate applies "
    "nothing") {
    E2eSetup setup;
    const auto config = setup.write_config(setup.config({"a"}));

    const auto first = run_daemon(setup.dir, {config, "--migrate"});
    INFO(first.out << first.err);
    CHECK(first.status.exited_with(0));
    auto db = setup.inspector();
    REQUIRE(db.migrated());
    const long migrations = shipped_migrations();
    CHECK(db.count("schema_migrations") == migrations);
    const auto applied_at =
        db.scalar<std::string>("SELECT max(applied_at)::text FROM schema_migrations");
    CHECK(first.out.find(std::to_string(migrations) + " migration(s) applied") !=
          std::string::npos);

    const auto second = run_daemon(setup.dir, {config, "--migrate"});
    INFO(second.out << second.err);
    CHECK(second.status.exited_with(0));
    CHECK(db.count("schema_migrations") == migrations);
    CHECK(db.scalar<std::string>("SELECT max(applied_at)::text FROM schema_migrations") ==
          applied_at);
    CHECK(second.out.find("0 migration(s) applied") != std::string::npos);
    // --migrate syncs nothing.
    CHECK(db.count("sync_runs") == 0);
    CHECK(setup.api.counters().requests == 0);
}

TEST_CASE("a schema newer than the binary exits 1 with one line saying so") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 1));
    const auto config = setup.write_config(setup.config({"a"}));
    REQUIRE(run_daemon(setup.dir, {config, "--migrate"}).status.exited_with(0));
    auto db = setup.inspector();
    db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");

    const auto run = run_daemon(setup.dir, {config, "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    const auto lines = non_empty_lines(run.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("9999") != std::string::npos);
    CHECK(lines[0].find("newer") != std::string::npos);
    CHECK(db.count("sync_runs") == 0);
    CHECK(setup.api.counters().get_findings == 0);
}

TEST_CASE(
    "codeguru-syncd --once exits 0 when every scan succeeds and stores all of the fake's "
    "findings") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 37, 11));
    setup.api.set_scan("b", generate_findings("b", 23, 12));
    const auto run =
        run_daemon(setup.dir, {setup.write_config(setup.config({"a", "b"})), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(0));

    auto db = setup.inspector();
    CHECK(db.count("findings WHERE scan_name = 'a'") == 37);
    CHECK(db.count("findings WHERE scan_name = 'b'") == 23);
    CHECK(db.count("finding_versions") == 60);
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'succeeded'") == 2);
    CHECK(db.count("sync_runs") == 2);
    CHECK(db.scalar<long>("SELECT pages FROM sync_runs WHERE scan_name = 'a'") == 4);
    CHECK(db.scalar<long>("SELECT findings_inserted FROM sync_runs WHERE scan_name = 'b'") == 23);
    CHECK(db.count("sync_checkpoints WHERE next_token IS NULL AND last_completed_at IS NOT NULL") ==
          2);
    // Every finding table is in the snapshot, and holds rows.
    const auto stored = snapshot_tables(setup.schema.conninfo(), setup.schema.name());
    for (const char* table :
         {"findings", "finding_versions", "finding_detector_tags", "finding_code_lines",
          "finding_suggested_fixes", "finding_reference_urls", "finding_related_vulnerabilities"}) {
        INFO(table);
        CHECK(stored.rows(table) > 0);
        CHECK(static_cast<long>(stored.rows(table)) == db.count(table));
    }
    // What was stored is exactly what an independent clean sync stores.
    CHECK(describe_difference(clean_sync_snapshot(setup.api, {"a", "b"}), stored) == "");
}

TEST_CASE(
    "codeguru-syncd --once exits 1 when one scan is denied, the others are stored and the failure "
    "recorded") {
    E2eSetup setup;
    setup.api.set_scan("good", generate_findings("good", 25, 21));
    setup.api.set_scan("denied", generate_findings("denied", 25, 22));
    Fault denied;
    denied.kind = Fault::Kind::kAccessDenied;
    denied.scan = "denied";
    denied.count = 0;  // forever
    setup.api.inject(denied);

    const auto run =
        run_daemon(setup.dir, {setup.write_config(setup.config({"denied", "good"})), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(1));

    auto db = setup.inspector();
    CHECK(db.count("findings WHERE scan_name = 'good'") == 25);
    CHECK(db.count("findings WHERE scan_name = 'denied'") == 0);
    CHECK(db.count("sync_runs WHERE scan_name = 'good' AND outcome = 'succeeded'") == 1);
    const auto runs = db.query(
        "SELECT outcome, error, finished_at IS NOT NULL FROM sync_runs"
        " WHERE scan_name = 'denied'");
    REQUIRE(runs.size() == 1);
    CHECK(runs[0][0].as<std::string>() == "failed");
    CHECK(runs[0][1].as<std::string>().find("AccessDenied") != std::string::npos);
    CHECK(runs[0][2].as<bool>());
    // Not retryable: one request, no retries.
    std::size_t denied_requests = 0;
    for (const auto& request : setup.api.requests()) denied_requests += request.scan == "denied";
    CHECK(denied_requests == 1);
}

TEST_CASE("codeguru-syncd --scan overrides the configured scans") {
    E2eSetup setup;
    for (const std::string scan : {"a", "b", "c"}) {
        setup.api.set_scan(scan, generate_findings(scan, 12, 31));
    }
    const auto run = run_daemon(
        setup.dir, {setup.write_config(setup.config({"a"})), "--once", "--scan", "b", "--scan=c"});
    INFO(run.err);
    CHECK(run.status.exited_with(0));

    auto db = setup.inspector();
    CHECK(db.count("findings WHERE scan_name = 'a'") == 0);
    CHECK(db.count("findings WHERE scan_name = 'b'") == 12);
    CHECK(db.count("findings WHERE scan_name = 'c'") == 12);
    CHECK(db.count("sync_runs WHERE scan_name = 'a'") == 0);
    for (const auto& request : setup.api.requests()) CHECK(request.scan != "a");
}

TEST_CASE("an unreachable database exits 1 with a one-line message") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 41));
    auto config = setup.config({"a"});
    config.database_url = "host=" + (setup.dir.path() / "no-such-socket-dir").string() +
                          " port=5432 user=postgres dbname=postgres connect_timeout=5";
    const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    const auto lines = non_empty_lines(run.err);
    INFO(joined(lines));
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find("database") != std::string::npos);
    CHECK(lines[0].find("no-such-socket-dir") != std::string::npos);
    CHECK(setup.api.counters().get_findings == 0);
}

TEST_CASE("SIGINT while waiting for the next cycle exits 0 at once") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 15, 51));
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(setup.config({"a"}))});
    const bool cycle_done = wait_until(
        [&] { return db.migrated() && db.count("sync_runs WHERE outcome = 'succeeded'") == 1; },
        std::chrono::seconds(20));
    INFO(daemon.stderr_text());
    REQUIRE(cycle_done);
    CHECK(daemon.running());  // not --once: it waits for the next cycle, an hour away

    daemon.send(SIGINT);
    const auto status = daemon.wait_for(std::chrono::seconds(2));
    REQUIRE(status);
    CHECK(status->exited_with(0));
    CHECK(db.count("sync_runs") == 1);
    CHECK(db.count("findings") == 15);
}
