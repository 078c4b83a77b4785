// The database failing under the real daemon (issue 8, SPEC §7): PostgreSQL restarted and
// crashed in the middle of a sync, and a statement timeout. The server restarts run on a
// private cluster; the shared one serves other tests in parallel.
#include <catch2/catch.hpp>

#include <chrono>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <thread>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "stored_findings.hpp"
#include "support_fault_sync.hpp"
#include "support_private_cluster.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

// pages_done of the scan's checkpoint over a fresh connection; -1 while there is none or
// the server cannot be reached.
long pages_done_now(const std::string& conninfo, const std::string& schema,
                    const std::string& scan) {
    try {
        SchemaInspector db(conninfo, schema);
        return db.pages_done(scan);
    } catch (const std::exception&) {
        return -1;
    }
}

}  // namespace

TEST_CASE(
    "PostgreSQL restarted and crashed mid-sync: the daemon reconnects with backoff and "
    "completes the run, nothing half-applied or fetched twice") {
    constexpr long kPages = 24;
    PrivateCluster cluster;
    FakeCodeGuruApi api;
    api.set_scan("a", generate_findings("a", kPages * 10, 1101));
    const auto clean = clean_sync_snapshot(api, {"a"});
    api.clear_requests();
    api.set_page_delay(60ms);

    TempDir dir;
    DaemonConfig config;
    config.endpoint = api.endpoint();
    config.database_url = cluster.conninfo() + " application_name=faults";
    config.schema = "faults";
    config.scans = {"a"};
    const auto path = dir.write_file("codeguru-syncd.conf", config.render());
    DaemonProcess daemon(dir.path(), {"--config=" + path.string(), "--once"});
    const auto pages = [&] { return pages_done_now(cluster.conninfo(), "faults", "a"); };

    REQUIRE(wait_until([&] { return pages() >= 4; }, 30s, 5ms));
    cluster.restart();  // fast shutdown: every session terminated, then back
    REQUIRE(wait_until([&] { return pages() >= 12; }, 30s, 5ms));
    cluster.crash();  // immediate: no shutdown checkpoint, recovery at start
    std::this_thread::sleep_for(1500ms);
    cluster.start();

    const auto status = daemon.wait_for(60s);
    const std::string log = daemon.stderr_text();
    INFO(log);
    REQUIRE(status);
    CHECK(status->exited_with(0));
    CHECK(log.find("lost the database connection") != std::string::npos);
    CHECK(log.find("reconnecting to the database failed") != std::string::npos);  // the outage
    CHECK(log.find("database connection re-established") != std::string::npos);

    CHECK(describe_difference(clean, snapshot_tables(cluster.conninfo(), "faults")) == "");
    SchemaInspector db(cluster.conninfo(), "faults");
    CHECK(db.count("sync_runs") == 1);
    CHECK(db.count("sync_runs WHERE outcome = 'succeeded'") == 1);
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    const auto cp = checkpoint(db, "a");
    CHECK(cp.pages_done == 0);
    CHECK_FALSE(cp.next_token);
    // Every page was fetched once: the pass went on from where it was, never from the start.
    CHECK(get_findings_since(api, {}).size() == static_cast<std::size_t>(kPages));
}

TEST_CASE(
    "a statement timeout fails the run with one clear line, keeps the checkpoint, and a later "
    "run completes") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 60, 1102));
    const auto clean = clean_sync_snapshot(setup.api, {"a"});
    auto config = setup.config({"a"});
    REQUIRE(run_daemon(setup.dir, {setup.write_config(config), "--migrate"}).status.exited_with(0));

    // An uncommitted insert of the first finding of page 3 holds up the page that writes it
    // until the daemon's statement timeout (1 s) cancels it.
    const auto third_page_first = setup.api.findings("a").at(20).at("id").get<std::string>();
    pqxx::connection blocker(setup.schema.conninfo());
    pqxx::work hold(blocker);
    hold.exec_params(
        "INSERT INTO " + hold.quote_name(setup.schema.name()) +
            ".findings (scan_name, finding_id, updated_at, first_seen_at, last_changed_at)"
            " VALUES ('a', $1, now(), now(), now())",
        third_page_first);

    config.database_url = setup.schema.conninfo() + " options='-c statement_timeout=1000'";
    const auto timed = run_daemon(setup.dir, {setup.write_config(config), "--once"});
    INFO(timed.err);
    CHECK(timed.status.exited_with(1));
    std::size_t failure_lines = 0;
    for (const auto& line : non_empty_lines(timed.err)) {
        if (line.find("failed after") == std::string::npos) continue;
        ++failure_lines;
        CHECK(line.find("scan a") != std::string::npos);
        CHECK(line.find("statement timeout") != std::string::npos);
    }
    CHECK(failure_lines == 1);
    hold.abort();

    auto db = setup.inspector();
    const auto runs = db.query("SELECT outcome, error FROM sync_runs");
    REQUIRE(runs.size() == 1);
    CHECK(runs[0][0].as<std::string>() == "failed");
    CHECK(runs[0][1].as<std::string>().find("statement timeout") != std::string::npos);
    const auto stopped = checkpoint(db, "a");
    CHECK(stopped.pages_done == 2);
    REQUIRE(stopped.next_token);
    const auto partial = snapshot_tables(setup.schema.conninfo(), setup.schema.name());
    CHECK(partial.finding_keys().size() == 20);
    CHECK(describe_difference(clean.restricted_to(partial.finding_keys()), partial) == "");

    config.database_url = setup.schema.conninfo();
    const auto resumed_at = std::chrono::steady_clock::now();
    const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(0));
    const auto requests = get_findings_since(setup.api, resumed_at);
    REQUIRE(requests.size() == 4);
    CHECK(requests.front().param("nextToken") == stopped.next_token);
    CHECK(snapshot_difference(clean, setup.schema) == "");
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
}

TEST_CASE(
    "a commit the server lost with the connection (checkpoint behind) fails the run, the next "
    "run resumes from the stored checkpoint and nothing is skipped") {
    using Outcome = codeguru::sync::ScanResult::Outcome;
    SyncFixture fx;
    fx.fake.set_scan("s", generate_findings("s", 80, 1103));
    const auto clean = clean_snapshot(fx.fake.endpoint(), "s", 10);
    fx.fake.clear_requests();
    // Page 5's answer is slow: the test acts while the daemon waits for it, page 4 committed.
    fx.fake.inject(
        Fault{.kind = Fault::Kind::kDelay, .count = 1, .after_requests = 4, .delay = 1500ms});
    const auto act_as_lost_commit = [&] {
        if (!wait_until(
                [&] {
                    return fx.query(
                                 "SELECT coalesce(max(pages_done), 0) FROM sync_checkpoints")[0][0]
                               .as<int>() >= 4;
                },
                20s, 2ms)) {
            throw std::runtime_error("page 4 was not committed within 20 s");
        }
        // As after a server crash with asynchronous commit (or a failover): page 4's commit
        // is gone, and so is the daemon's connection.
        const auto log = get_findings_since(fx.fake, {});
        const std::string page4_token = log.at(3).param("nextToken").value();
        std::string page4_ids;
        for (std::size_t i = 30; i < 40; ++i) {
            page4_ids +=
                (i > 30 ? ",'" : "'") + fx.fake.findings("s")[i]["id"].get<std::string>() + "'";
        }
        fx.query("UPDATE sync_checkpoints SET pages_done = 3, next_token = '" + page4_token +
                 "'; DELETE FROM findings WHERE finding_id IN (" + page4_ids +
                 "); DELETE FROM sync_pass_seen WHERE page_number = 4");
        fx.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = '" +
            fx.application_name + "'");
    };
    // The thread records what went wrong; the test's own thread asserts it (Catch2 is not
    // thread-safe).
    std::string server_error;
    std::thread server([&] {
        try {
            act_as_lost_commit();
        } catch (const std::exception& e) {
            server_error = e.what();
        }
    });
    const auto lost = fx.sync("s", 10);
    server.join();
    REQUIRE(server_error == "");
    INFO(lost.error);
    CHECK(lost.outcome == Outcome::kFailed);  // never "succeeded" with pages 4 to 8 skipped
    CHECK(lost.error.find("stale page") != std::string::npos);
    CHECK(fx.query("SELECT pages_done FROM sync_checkpoints")[0][0].as<int>() == 3);

    fx.restart_client();
    const auto resumed = fx.sync("s", 10);
    INFO(resumed.error);
    REQUIRE(resumed.outcome == Outcome::kSucceeded);
    CHECK(resumed.pages == 5);
    CHECK(difference_from(clean, fx) == "");
    CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
          expected_flat_findings(fx.fake.findings("s")));
}
