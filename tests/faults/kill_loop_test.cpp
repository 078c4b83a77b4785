// SIGKILL at 50 random moments (issue 8, SPEC §7): the real daemon killed again and again,
// restarted each time; every restart resumes from the stored checkpoint, the database never
// holds half a page, and the end state is the clean sync's.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE(
    "SIGKILL at 50 random moments, restarting each time: nothing lost, duplicated or "
    "half-written") {
    constexpr int kKills = 50;
    constexpr long kPages = 80;
    constexpr int kPageSize = 5;
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", kPages * kPageSize, 1201));
    const auto clean = clean_sync_snapshot(setup.api, {"a"}, kPageSize);
    setup.api.set_page_delay(10ms);

    auto daemon_config = setup.config({"a"});
    daemon_config.database_url = tagged_url(setup.schema);
    daemon_config.page_size = kPageSize;
    const auto config = setup.write_config(daemon_config);
    auto db = setup.inspector();

    std::mt19937 rng(8675309);
    const auto uniform_ms = [&](int low, int high) {
        return std::chrono::milliseconds(std::uniform_int_distribution<int>(low, high)(rng));
    };
    // Lives are bounded by count, not by the clock: one ends in a kill unless its pass
    // completed first, which a pass of 80 slow pages rarely does.
    constexpr int kMaxLives = 3 * kKills;
    int kills = 0;
    int passes_completed = 0;
    int resumes_verified = 0;
    int lives = 0;
    long killed_mid_pass = 0;  // killed after the run had started fetching pages
    while (kills < kKills) {
        INFO("life " << lives << ", " << kills << " kill(s) so far");
        REQUIRE(lives < kMaxLives);
        ++lives;
        const auto before = db.pages_done("a") >= 0 ? checkpoint(db, "a") : StoredCheckpoint{};
        const long succeeded_before =
            db.migrated() ? db.count("sync_runs WHERE outcome = 'succeeded'") : 0;
        bool killed_after_fetch = false;

        const auto spawned_at = Clock::now();
        DaemonProcess daemon(setup.dir.path(), {config, "--once"});
        // A random moment: one life in five dies during start-up (connecting, migrating,
        // starting its run); the others some time after their first page request.
        if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
            std::this_thread::sleep_for(uniform_ms(0, 80));
        } else {
            wait_until([&] { return !get_findings_since(setup.api, spawned_at).empty(); }, 10s,
                       1ms);
            std::this_thread::sleep_for(uniform_ms(0, 150));
        }
        if (!daemon.running()) {
            // The pass ended before the kill: it must have ended well.
            INFO(daemon.stderr_text());
            REQUIRE(daemon.status()->exited_with(0));
            ++passes_completed;
        } else {
            const auto status = daemon.kill();
            if (status.signal == SIGKILL) {
                ++kills;
                killed_after_fetch = !get_findings_since(setup.api, spawned_at).empty();
            } else {
                INFO(daemon.stderr_text());
                REQUIRE(status.exited_with(0));
                ++passes_completed;
            }
        }
        REQUIRE(wait_until([&] { return sessions_gone(db, setup.schema); }, 10s));
        // A kill that came after the run had closed its row (its pass done, the process
        // not yet gone) leaves no run to be marked interrupted.
        if (killed_after_fetch &&
            db.count("sync_runs WHERE outcome = 'succeeded'") == succeeded_before) {
            ++killed_mid_pass;
        }

        // The life began where the checkpoint stood: the stored token, or the first page.
        const auto requests = get_findings_since(setup.api, spawned_at);
        if (!requests.empty()) {
            CHECK(requests.front().param("nextToken") == before.next_token);
            ++resumes_verified;
        }
        // Whole pages only: every stored finding has exactly the rows a clean sync gives it,
        // and a first pass has stored exactly the pages its checkpoint counts.
        if (db.pages_done("a") >= 0) {
            const auto after = checkpoint(db, "a");
            CHECK(after.next_token.has_value() == (after.pages_done > 0));
            const auto partial = snapshot_tables(setup.schema.conninfo(), setup.schema.name());
            const auto keys = partial.finding_keys();
            CHECK(describe_difference(clean.restricted_to(keys), partial) == "");
            // Until a pass completed (by the database, also when its process was killed
            // between the last page and its exit).
            if (db.count("sync_checkpoints WHERE last_completed_at IS NOT NULL") == 0) {
                CHECK(static_cast<long>(keys.size()) == after.pages_done * kPageSize);
            }
        }
    }
    // About one life in five dies before its first request (more under the sanitizers,
    // where start-up is slower); those have no resume to check.
    CHECK(resumes_verified >= 30);

    // A last, undisturbed run finishes whatever pass is open.
    setup.api.set_page_delay(0ms);
    const auto run = run_daemon(setup.dir, {config, "--once"}, 60s);
    INFO(run.err);
    CHECK(run.status.exited_with(0));
    CHECK(snapshot_difference(clean, setup.schema) == "");
    CHECK(reference_difference(setup, {"a"}) == "");
    CHECK(db.count("findings") == kPages * kPageSize);
    CHECK(db.count("finding_versions") == kPages * kPageSize);
    CHECK(db.count("findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'running'") == 0);
    CHECK(db.count("sync_runs WHERE outcome = 'failed'") == 0);
    // Every run killed mid-pass was marked interrupted by the next run of the scan.
    CHECK(db.count("sync_runs WHERE outcome = 'interrupted' AND finished_at IS NOT NULL") >=
          killed_mid_pass);
    const auto cp = checkpoint(db, "a");
    CHECK(cp.pages_done == 0);
    CHECK_FALSE(cp.next_token);
}
