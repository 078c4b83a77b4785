// Interrupted passes, run as real processes: SIGTERM and SIGKILL mid-pass, a rejected
// token, and missing_since across passes (SPEC §5, §7, §8).
#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("SIGTERM mid-pass exits 0 within 5 s, marks the run interrupted, and --once resumes it") {
    constexpr int kPages = 20;
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", kPages * 10, 51));
    const auto clean = clean_sync_snapshot(setup.api, {"a"});
    setup.api.set_page_delay(300ms);

    const auto config = setup.write_config(setup.config({"a"}));
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {config});
    const bool pages_committed = wait_until([&] { return db.pages_done("a") >= 3; }, 20s);
    INFO(daemon.stderr_text());
    REQUIRE(pages_committed);

    daemon.send(SIGTERM);
    const auto stopped_at = Clock::now();
    const auto status = daemon.wait_for(5s);
    INFO(daemon.stderr_text());
    REQUIRE(status);
    CHECK(status->exited_with(0));
    CHECK(Clock::now() - stopped_at < 5s);

    const auto runs = db.query("SELECT outcome, finished_at IS NOT NULL FROM sync_runs");
    REQUIRE(runs.size() == 1);
    CHECK(runs[0][0].as<std::string>() == "interrupted");
    CHECK(runs[0][1].as<bool>());
    const auto stopped = checkpoint(db, "a");
    CHECK(stopped.next_token);
    CHECK(stopped.pages_done >= 3);
    CHECK(stopped.pages_done < kPages);

    // No half page: whole pages only, each finding with exactly the rows a clean sync gives it.
    const auto partial = snapshot_tables(setup.schema.conninfo(), setup.schema.name());
    const auto keys = partial.finding_keys();
    CHECK(static_cast<long>(keys.size()) == stopped.pages_done * 10);
    CHECK(describe_difference(clean.restricted_to(keys), partial) == "");

    setup.api.set_page_delay(0ms);
    const auto resumed_at = Clock::now();
    const auto run = run_daemon(setup.dir, {config, "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(0));
    const auto requests = get_findings_since(setup.api, resumed_at);
    REQUIRE_FALSE(requests.empty());
    CHECK(requests.front().param("nextToken") == stopped.next_token);
    CHECK(static_cast<long>(requests.size()) == kPages - stopped.pages_done);
    CHECK(db.count("sync_runs WHERE outcome = 'succeeded'") == 1);
    CHECK(db.count("sync_runs WHERE outcome = 'running'") == 0);
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(snapshot_difference(clean, setup.schema) == "");
    CHECK(reference_difference(setup, {"a"}) == "");
}

TEST_CASE(
    "after SIGKILL at 20+ points every restart resumes from the stored token and the result "
    "equals a clean sync") {
    constexpr int kPages = 30;
    constexpr auto kPageDelay = 50ms;
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", kPages * 10, 61));
    const auto clean = clean_sync_snapshot(setup.api, {"a"});
    setup.api.set_page_delay(kPageDelay);

    auto daemon_config = setup.config({"a"});
    daemon_config.database_url = tagged_url(setup.schema);
    const auto config = setup.write_config(daemon_config);
    auto db = setup.inspector();

    // The kill plan: 20 distinct page counts to kill at (sorted, leaving the last pages
    // for the final run), mixed with kills during start-up (before or while connecting,
    // migrating, starting the run) and kills just after the run's first page arrived
    // (while it is applied and committed).
    enum class When { kStartup, kFirstPage, kPages };
    struct Kill {
        When when;
        long pages = 0;
    };
    std::mt19937 rng(20240917);
    std::vector<long> targets(kPages - 6);
    std::iota(targets.begin(), targets.end(), 1);
    std::shuffle(targets.begin(), targets.end(), rng);
    targets.resize(20);
    std::sort(targets.begin(), targets.end());
    std::vector<Kill> plan;
    for (const long target : targets) plan.push_back({When::kPages, target});
    for (int i = 0; i < 6; ++i) {
        const auto at = std::uniform_int_distribution<std::size_t>(0, plan.size())(rng);
        plan.insert(plan.begin() + static_cast<long>(at),
                    {i % 2 == 0 ? When::kStartup : When::kFirstPage, 0});
    }

    std::set<long> kill_points;
    int resumes_verified = 0;
    int kills = 0;
    for (std::size_t i = 0; i < plan.size(); ++i) {
        const Kill& kill = plan[i];
        INFO("kill " << i << " of " << plan.size());
        const auto before = db.pages_done("a") >= 0 ? checkpoint(db, "a") : StoredCheckpoint{};
        // A slow machine may have overshot the plan: keep the pass from completing here.
        if (before.pages_done >= kPages - 3) break;

        const auto spawned_at = Clock::now();
        DaemonProcess daemon(setup.dir.path(), {config, "--once"});
        const auto first_request_seen = [&] {
            return !get_findings_since(setup.api, spawned_at).empty();
        };
        bool reached = true;
        switch (kill.when) {
            case When::kStartup:
                std::this_thread::sleep_for(
                    std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(rng)));
                break;
            case When::kFirstPage:
                reached = wait_until(first_request_seen, 10s, 1ms);
                std::this_thread::sleep_for(
                    std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 30)(rng)));
                break;
            case When::kPages:
                reached = wait_until(
                    [&] { return db.pages_done("a") >= kill.pages && first_request_seen(); }, 10s,
                    2ms);
                std::this_thread::sleep_for(
                    std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 50)(rng)));
                break;
        }
        const auto status = daemon.kill();
        ++kills;
        INFO(daemon.stderr_text());
        REQUIRE(reached);
        REQUIRE(status.signal == SIGKILL);  // it was still mid-pass
        REQUIRE(wait_until([&] { return sessions_gone(db, setup.schema); }, 10s));

        // The restarted run's first page is the one the checkpoint pointed at.
        const auto requests = get_findings_since(setup.api, spawned_at);
        if (!requests.empty()) {
            CHECK(requests.front().param("nextToken") == before.next_token);
            if (before.next_token) ++resumes_verified;
        }
        if (db.pages_done("a") >= 0) {
            const auto after = checkpoint(db, "a");
            CHECK(after.pages_done >= before.pages_done);
            CHECK(after.pages_done < kPages);
            CHECK(after.next_token.has_value() == (after.pages_done > 0));
            kill_points.insert(after.pages_done);
        }
    }
    CHECK(kills >= 20);
    CHECK(kill_points.size() >= 15);
    CHECK(resumes_verified >= 15);

    // The last run completes the pass, fetching only the pages that remained.
    const auto before = checkpoint(db, "a");
    const auto resumed_at = Clock::now();
    const auto run = run_daemon(setup.dir, {config, "--once"}, 30s);
    INFO(run.err);
    CHECK(run.status.exited_with(0));
    const auto requests = get_findings_since(setup.api, resumed_at);
    REQUIRE_FALSE(requests.empty());
    CHECK(requests.front().param("nextToken") == before.next_token);
    CHECK(static_cast<long>(requests.size()) == kPages - before.pages_done);

    CHECK(snapshot_difference(clean, setup.schema) == "");
    CHECK(reference_difference(setup, {"a"}) == "");
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'running'") == 0);
    const long runs = db.count("sync_runs");
    CHECK(db.count("sync_runs WHERE outcome = 'interrupted' AND finished_at IS NOT NULL") ==
          runs - 1);
    CHECK(db.scalar<std::string>("SELECT outcome FROM sync_runs ORDER BY run_id DESC LIMIT 1") ==
          "succeeded");
    const auto cp = checkpoint(db, "a");
    CHECK(cp.pages_done == 0);
    CHECK_FALSE(cp.next_token);
}

TEST_CASE(
    "a nextToken the API rejects restarts the pass from the first page and the run "
    "succeeds") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 50, 71));
    const auto clean = clean_sync_snapshot(setup.api, {"a"});
    const auto config = setup.write_config(setup.config({"a"}));
    auto db = setup.inspector();

    // A pass that fails after two pages leaves a token in the checkpoint.
    Fault denied;
    denied.kind = Fault::Kind::kAccessDenied;
    denied.scan = "a";
    denied.after_requests = 2;
    setup.api.inject(denied);
    const auto failed = run_daemon(setup.dir, {config, "--once"});
    INFO(failed.err);
    REQUIRE(failed.status.exited_with(1));
    const auto stored = checkpoint(db, "a");
    REQUIRE(stored.pages_done == 2);
    REQUIRE(stored.next_token);

    Fault reject;
    reject.kind = Fault::Kind::kRejectToken;
    reject.scan = "a";
    setup.api.inject(reject);
    const auto resumed_at = Clock::now();
    const auto run = run_daemon(setup.dir, {config, "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(0));

    const auto requests = get_findings_since(setup.api, resumed_at);
    REQUIRE(requests.size() == 6);  // the rejected resume, then all five pages
    CHECK(requests[0].param("nextToken") == stored.next_token);
    CHECK(requests[0].fault == Fault::Kind::kRejectToken);
    CHECK_FALSE(requests[1].param("nextToken"));
    CHECK(db.scalar<std::string>("SELECT outcome FROM sync_runs ORDER BY run_id DESC LIMIT 1") ==
          "succeeded");
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(snapshot_difference(clean, setup.schema) == "");
    CHECK(reference_difference(setup, {"a"}) == "");
}

TEST_CASE("a finding missing from a complete pass gets missing_since and its return clears it") {
    E2eSetup setup;
    const auto findings = generate_findings("a", 30, 81);
    setup.api.set_scan("a", findings);
    const auto config = setup.write_config(setup.config({"a"}));
    auto db = setup.inspector();
    REQUIRE(run_daemon(setup.dir, {config, "--once"}).status.exited_with(0));
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);

    const std::string gone = findings[7].at("id").get<std::string>();
    auto without = findings;
    without.erase(without.begin() + 7);
    setup.api.set_scan("a", without);
    const auto second = run_daemon(setup.dir, {config, "--once"});
    INFO(second.err);
    REQUIRE(second.status.exited_with(0));
    CHECK(db.count("findings") == 30);  // never deleted
    const auto missing =
        db.query("SELECT finding_id FROM findings WHERE missing_since IS NOT NULL");
    REQUIRE(missing.size() == 1);
    CHECK(missing[0][0].as<std::string>() == gone);
    CHECK(
        db.scalar<bool>("SELECT missing_since >= started_at FROM findings, sync_runs"
                        " WHERE missing_since IS NOT NULL"
                        " AND run_id = (SELECT max(run_id) FROM sync_runs)"));

    setup.api.set_scan("a", findings);
    const auto third = run_daemon(setup.dir, {config, "--once"});
    INFO(third.err);
    REQUIRE(third.status.exited_with(0));
    CHECK(db.count("findings") == 30);
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(db.count("finding_versions") == 30);  // nothing changed but its presence
    CHECK(reference_difference(setup, {"a"}) == "");
}
