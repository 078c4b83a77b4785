// Three daemons behind PgBouncer in transaction mode, with a pool smaller than their
// connections (issue 13): scan ownership by lease works through the pooler, no session state
// is needed, and a daemon killed mid-pass loses its scan to another once its lease expires.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "pgbouncer.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

constexpr char kSchema[] = "codeguru";
constexpr auto kLease = 10s;
constexpr auto kInterval = 2s;

// A scan's checkpoint owner, or "" when it has none (or no checkpoint yet, or the daemons
// are still migrating the schema).
std::string owner_of(SchemaInspector& db, const std::string& scan) {
    if (db.scalar<long>("SELECT count(*) FROM information_schema.columns WHERE table_schema ="
                        " current_schema() AND table_name = 'sync_checkpoints'"
                        " AND column_name = 'owner'") == 0) {
        return "";
    }
    const auto rows = db.query(
        "SELECT coalesce(owner, '') FROM sync_checkpoints"
        " WHERE scan_name = $1",
        scan);
    return rows.empty() ? "" : rows[0][0].as<std::string>();
}

bool owned_by(const std::string& owner, pid_t pid) {
    return owner.find(":" + std::to_string(pid) + ":") != std::string::npos;
}

}  // namespace

TEST_CASE(
    "three daemons through PgBouncer share six scans: one owner at a time, takeover after "
    "SIGKILL, clean end state") {
    const std::vector<std::string> scans = {"p1", "p2", "p3", "p4", "p5", "p6"};
    PgBouncerDatabase database;
    FakeCodeGuruApi api;
    TempDir dir;
    for (std::size_t i = 0; i < scans.size(); ++i) {
        api.set_scan(scans[i], generate_findings(scans[i], 80, 300 + i));
    }
    const auto clean = clean_sync_snapshot(api, scans);
    api.set_page_delay(100ms);

    DaemonConfig config;
    config.endpoint = api.endpoint();
    config.database_url = database.conninfo();
    config.schema = kSchema;
    config.scans = scans;
    config.concurrency = 2;
    config.interval = "2s";
    config.extra = "lease = 10s\n";  // inside [sync]
    const auto path = dir.write_file("pooled.conf", config.render());
    std::vector<std::unique_ptr<DaemonProcess>> daemons;
    for (int i = 0; i < 3; ++i) {
        daemons.push_back(std::make_unique<DaemonProcess>(
            dir.path(), std::vector<std::string>{"--config=" + path.string()}));
    }
    SchemaInspector db(database.direct_conninfo(), kSchema);

    // The victim: the first daemon, caught owning a scan in the middle of its pass.
    DaemonProcess& victim = *daemons[0];
    std::string victim_scan;
    REQUIRE(wait_until(
        [&] {
            for (const auto& scan : scans) {
                if (owned_by(owner_of(db, scan), victim.pid()) && db.pages_done(scan) >= 2) {
                    victim_scan = scan;
                    return true;
                }
            }
            return false;
        },
        120s, 20ms));
    victim.kill();
    const auto killed_at = std::chrono::steady_clock::now();

    std::string taker;
    REQUIRE(wait_until(
        [&] {
            taker = owner_of(db, victim_scan);
            return !taker.empty() && !owned_by(taker, victim.pid());
        },
        kLease + kInterval + 60s, 50ms));
    const auto takeover = std::chrono::steady_clock::now() - killed_at;
    std::cout << "takeover of " << victim_scan << " after SIGKILL: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(takeover).count()
              << " ms (lease " << kLease.count() << " s)\n";
    // Within the lease (plus the cycle that notices): a survivor on this machine sees the
    // victim's process gone and need not even wait for the expiry.
    CHECK(takeover <= kLease + kInterval + 10s);

    // Every scan ends one more whole pass by the survivors, which then stop cleanly.
    const auto victim_runs_closed = [&] {
        return db.count("sync_runs WHERE outcome = 'running' AND owner LIKE '%:" +
                        std::to_string(victim.pid()) + ":%'") == 0;
    };
    REQUIRE(wait_until(
        [&] {
            for (const auto& scan : scans) {
                if (db.query("SELECT count(*) FROM sync_runs WHERE scan_name = $1 AND outcome ="
                             " 'succeeded' AND started_at > now() - interval '1 second' * $2",
                             scan, 5)[0][0]
                        .as<long>() == 0) {
                    return false;
                }
            }
            return victim_runs_closed();
        },
        180s, 200ms));
    for (std::size_t i = 1; i < daemons.size(); ++i) daemons[i]->send(SIGTERM);
    for (std::size_t i = 1; i < daemons.size(); ++i) {
        const auto status = daemons[i]->wait_for(30s);
        INFO("daemon " << i << ":\n" << daemons[i]->stderr_text());
        REQUIRE(status);
        CHECK(status->exited_with(0));
    }

    for (const auto& daemon : daemons) {
        const std::string log = daemon->stderr_text();
        INFO(log);
        CHECK(log.find("26000") == std::string::npos);
        CHECK(log.find("prepared statement") == std::string::npos);
        CHECK(log.find("advisory") == std::string::npos);
    }
    // One owner at a time: no two runs of a scan overlap, whoever ran them.
    CHECK(db.count("sync_runs r1 JOIN sync_runs r2 ON r1.scan_name = r2.scan_name"
                   " AND r1.run_id < r2.run_id WHERE tstzrange(r1.started_at, r1.finished_at, '[)')"
                   " && tstzrange(r2.started_at, r2.finished_at, '[)')") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'running'") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'failed'") == 0);
    CHECK(db.count("sync_checkpoints WHERE owner IS NOT NULL OR lease_until IS NOT NULL") == 0);
    CHECK(db.query("SELECT count(DISTINCT owner) FROM sync_runs")[0][0].as<long>() == 3);
    CHECK(describe_difference(clean, snapshot_tables(database.direct_conninfo(), kSchema)) == "");
}
