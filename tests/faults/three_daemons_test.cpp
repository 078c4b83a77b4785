// Three daemon processes against one database at once (issue 8, SPEC §7): they race to
// migrate, each scan is synced by one process at a time, and the result is one clean sync's.
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

constexpr long kPagesPerScan = 5;
const std::vector<std::string> kScans = {"s1", "s2", "s3", "s4", "s5"};

void serve_scans(FakeCodeGuruApi& api) {
    for (std::size_t i = 0; i < kScans.size(); ++i) {
        api.set_scan(kScans[i], generate_findings(kScans[i], kPagesPerScan * 10, 1300 + i));
    }
}

// No two runs of one scan overlap in time (a dead run is closed at the instant the next
// one starts), and none is left running.
void check_runs_never_overlap(SchemaInspector& db) {
    CHECK(db.count("sync_runs r1 JOIN sync_runs r2 ON r1.scan_name = r2.scan_name"
                   " AND r1.run_id < r2.run_id"
                   " WHERE tstzrange(r1.started_at, r1.finished_at, '[)')"
                   " && tstzrange(r2.started_at, r2.finished_at, '[)')") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'running' OR finished_at IS NULL") == 0);
}

}  // namespace

TEST_CASE("three daemons started together on one database sync each scan once at a time") {
    E2eSetup setup;
    serve_scans(setup.api);
    const auto clean = clean_sync_snapshot(setup.api, kScans);
    setup.api.set_page_delay(100ms);
    setup.api.clear_requests();

    const auto config = setup.write_config(setup.config(kScans));
    std::vector<std::unique_ptr<DaemonProcess>> daemons;
    for (int i = 0; i < 3; ++i) {
        daemons.push_back(std::make_unique<DaemonProcess>(
            setup.dir.path(), std::vector<std::string>{config, "--once"}));
    }
    std::string logs;
    for (auto& daemon : daemons) {
        const auto status = daemon->wait_for(60s);
        logs += daemon->stderr_text();
        INFO(logs);
        REQUIRE(status);
        CHECK(status->exited_with(0));  // a scan locked by another daemon is skipped, not failed
    }

    auto db = setup.inspector();
    CHECK(db.count("schema_migrations") ==
          db.scalar<long>("SELECT max(version) FROM schema_migrations"));
    check_runs_never_overlap(db);
    CHECK(db.count("sync_runs WHERE outcome <> 'succeeded'") == 0);
    for (const auto& scan : kScans) {
        INFO(scan);
        CHECK(db.query("SELECT count(*) FROM sync_runs WHERE scan_name = $1", scan)[0][0]
                  .as<long>() >= 1);
    }
    // Fifteen (daemon, scan) pairs; the lock let far fewer passes run, and a skipped scan
    // fetched nothing.
    const long runs = db.count("sync_runs");
    CHECK(runs < 15);
    CHECK(static_cast<long>(get_findings_since(setup.api, {}).size()) == runs * kPagesPerScan);
    CHECK(snapshot_difference(clean, setup.schema) == "");
    CHECK(reference_difference(setup, kScans) == "");
}

TEST_CASE("three long-running daemons, one killed mid-cycle, converge on the clean sync") {
    E2eSetup setup;
    serve_scans(setup.api);
    setup.api.set_page_delay(60ms);
    auto daemon_config = setup.config(kScans);
    daemon_config.database_url = tagged_url(setup.schema);
    daemon_config.interval = "2s";
    const auto config = setup.write_config(daemon_config);
    auto db = setup.inspector();

    std::vector<std::unique_ptr<DaemonProcess>> daemons;
    for (int i = 0; i < 3; ++i) {
        daemons.push_back(
            std::make_unique<DaemonProcess>(setup.dir.path(), std::vector<std::string>{config}));
    }
    // Kill one once pages are flowing; the others (and later cycles) take its scans over.
    REQUIRE(wait_until([&] { return db.migrated() && db.count("findings") >= 30; }, 30s));
    CHECK(daemons[0]->kill().signal == SIGKILL);
    // The data changes while they run: the next cycles must carry it in.
    setup.api.evolve("s2", 7);
    setup.api.evolve("s4", 8);
    const auto evolved_at = db.scalar<std::string>("SELECT clock_timestamp()::text");

    // Wait for two successful runs of every scan that started after the change: the first
    // may resume a pass the killed daemon began on the old data; the second is then a
    // whole pass over the new data.
    const bool converged = wait_until(
        [&] {
            return db.query(
                         "SELECT count(*) FROM (SELECT scan_name FROM sync_runs"
                         " WHERE outcome = 'succeeded' AND started_at > $1::timestamptz"
                         " GROUP BY scan_name HAVING count(*) >= 2) AS done",
                         evolved_at)[0][0]
                       .as<long>() == static_cast<long>(kScans.size());
        },
        90s, 50ms);
    for (std::size_t i = 1; i < daemons.size(); ++i) daemons[i]->send(SIGTERM);
    std::string logs;
    for (std::size_t i = 1; i < daemons.size(); ++i) {
        const auto status = daemons[i]->wait_for(10s);
        logs += daemons[i]->stderr_text();
        INFO(logs);
        REQUIRE(status);
        CHECK(status->exited_with(0));
    }
    INFO(logs);
    REQUIRE(converged);
    REQUIRE(wait_until([&] { return sessions_gone(db, setup.schema); }, 10s));

    check_runs_never_overlap(db);
    CHECK(db.count("sync_runs WHERE outcome = 'failed'") == 0);
    setup.api.set_page_delay(0ms);
    // The latest versions are the clean sync's; the history also holds the older ones.
    auto clean = clean_sync_snapshot(setup.api, kScans);
    auto stored = snapshot_tables(setup.schema.conninfo(), setup.schema.name());
    const auto clean_versions = clean.tables["finding_versions"];
    const auto stored_versions = stored.tables["finding_versions"];
    CHECK(std::includes(stored_versions.begin(), stored_versions.end(), clean_versions.begin(),
                        clean_versions.end()));
    clean.tables.erase("finding_versions");
    stored.tables.erase("finding_versions");
    CHECK(describe_difference(clean, stored) == "");

    // The same against the independent reference mapper over the data served now.
    ContractRows reference;
    for (const auto& scan : kScans) {
        merge_rows(reference, reference_rows(scan, setup.api.findings(scan)));
    }
    auto contract = stored_contract_rows(setup.schema.conninfo(), setup.schema.name());
    const auto& reference_versions = reference["finding_versions"];
    const auto& contract_versions = contract["finding_versions"];
    CHECK(std::includes(contract_versions.begin(), contract_versions.end(),
                        reference_versions.begin(), reference_versions.end()));
    reference.erase("finding_versions");
    contract.erase("finding_versions");
    CHECK(describe_difference(reference, contract) == "");
}
