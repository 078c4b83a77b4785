#include "store/sync_state_store.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>

#include "sources/codeguru/findings_page_writer.hpp"
#include "store/store_error.hpp"
#include "store_test_database.hpp"

using codeguru::store::FindingsPageWriter;
using codeguru::store::Outcome;
using codeguru::store::Owner;
using codeguru::store::StoreError;
using codeguru::store::SyncStateStore;
using codeguru::test::at_s;
using codeguru::test::finding_at;
using codeguru::test::kTestOwner;
using codeguru::test::StoreDatabase;

namespace {

struct StateDatabase : StoreDatabase {
    SyncStateStore state{connection, schema.name()};
    FindingsPageWriter writer{connection, schema.name()};

    std::string text(const std::string& sql) { return scalar<std::string>(sql); }
    long count(const std::string& sql) { return scalar<long>(sql); }
};

}  // namespace

// A second daemon instance, on its own connection, with its own owner id.
struct OtherDaemon {
    explicit OtherDaemon(StateDatabase& db, std::chrono::seconds lease = std::chrono::seconds(120))
        : connection(db.schema.conninfo()),
          state(connection, db.schema.name()),
          owner{"other-daemon", lease, nullptr} {}
    pqxx::connection connection;
    SyncStateStore state;
    Owner owner;
};

TEST_CASE("a live lease makes another daemon skip the scan until the run ends", "[sync_state]") {
    StateDatabase db;
    OtherDaemon other(db);

    const auto mine = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000));
    REQUIRE(mine);
    CHECK_FALSE(other.state.begin_run("scan-a", "All", other.owner, at_s(1'001)));
    CHECK(other.state.begin_run("scan-b", "All", other.owner, at_s(1'001)));  // independent
    CHECK(db.text("SELECT owner FROM sync_checkpoints WHERE scan_name = 'scan-a'") == "test-owner");
    CHECK(db.count("SELECT count(*) FROM sync_runs WHERE scan_name = 'scan-a'") == 1);

    REQUIRE(db.state.finish_run(mine->run_id, "scan-a", kTestOwner, Outcome::kSucceeded, "",
                                at_s(1'002)));
    CHECK(db.is_null("SELECT owner FROM sync_checkpoints WHERE scan_name = 'scan-a'"));
    const auto theirs = other.state.begin_run("scan-a", "All", other.owner, at_s(1'003));
    REQUIRE(theirs);
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(mine->run_id)) ==
          "succeeded");
}

TEST_CASE("an expired lease is taken over and the dead owner's run is interrupted",
          "[sync_state]") {
    StateDatabase db;
    OtherDaemon other(db);
    const auto dead = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.query("UPDATE sync_checkpoints SET lease_until = now() - interval '1 second'");

    const auto taken = other.state.begin_run("scan-a", "All", other.owner, at_s(1'100));
    REQUIRE(taken);
    CHECK(db.text("SELECT owner FROM sync_checkpoints") == "other-daemon");
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(dead.run_id)) ==
          "interrupted");
    // The dead owner, back, can neither renew nor close what it lost.
    CHECK_FALSE(db.state.renew_lease("scan-a", dead.run_id, kTestOwner));
    CHECK_FALSE(db.state.finish_run(dead.run_id, "scan-a", kTestOwner, Outcome::kSucceeded, "",
                                    at_s(1'200)));
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(dead.run_id)) ==
          "interrupted");
    CHECK(db.text("SELECT owner FROM sync_checkpoints") == "other-daemon");
}

TEST_CASE("a live lease of a defunct holder is taken at once, of a live one never",
          "[sync_state]") {
    StateDatabase db;
    OtherDaemon other(db);
    const auto dead = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();

    const Owner blind{"blind", std::chrono::seconds(120), [](std::string_view) { return false; }};
    CHECK_FALSE(other.state.begin_run("scan-a", "All", blind, at_s(1'001)));
    const Owner knowing{"knowing", std::chrono::seconds(120),
                        [](std::string_view holder) { return holder == "test-owner"; }};
    REQUIRE(other.state.begin_run("scan-a", "All", knowing, at_s(1'002)));
    CHECK(db.text("SELECT owner FROM sync_checkpoints") == "knowing");
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(dead.run_id)) ==
          "interrupted");
}

TEST_CASE("a page renews the lease and renew_lease extends it", "[sync_state]") {
    StateDatabase db;
    const auto run = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.query("UPDATE sync_checkpoints SET lease_until = now() + interval '5 seconds'");
    db.writer.apply("scan-a", run.run_id, std::nullopt, {finding_at("f1", at_s(10))},
                    std::string("t2"), at_s(1'001), /*expect_new=*/true);
    CHECK(db.count("SELECT count(*) FROM sync_checkpoints"
                   " WHERE lease_until > now() + interval '100 seconds'") == 1);

    db.query("UPDATE sync_checkpoints SET lease_until = now() + interval '5 seconds'");
    CHECK(db.state.renew_lease("scan-a", run.run_id, kTestOwner));
    CHECK(db.count("SELECT count(*) FROM sync_checkpoints"
                   " WHERE lease_until > now() + interval '100 seconds'") == 1);
}

TEST_CASE("the sweep interrupts running runs whose lease expired, of any scan", "[sync_state]") {
    StateDatabase db;
    OtherDaemon other(db);
    const auto live = db.state.begin_run("scan-live", "All", kTestOwner, at_s(1'000)).value();
    const auto dead = other.state.begin_run("scan-dead", "All", other.owner, at_s(1'000)).value();
    // A run a version 3 daemon left behind: no lease, no owner.
    db.query("INSERT INTO sync_runs (scan_name, started_at) VALUES ('scan-gone', now())");
    // Expired, but less than one more lease duration ago: a page may still be on its way.
    db.query(
        "UPDATE sync_checkpoints SET lease_until = now() - interval '100 seconds'"
        " WHERE scan_name = 'scan-dead'");
    CHECK(db.state.interrupt_abandoned_runs(at_s(1'500)).size() == 1);  // scan-gone's
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(dead.run_id)) ==
          "running");

    db.query(
        "UPDATE sync_checkpoints SET lease_until = now() - interval '121 seconds'"
        " WHERE scan_name = 'scan-dead'");
    const auto swept = db.state.interrupt_abandoned_runs(at_s(2'000));
    REQUIRE(swept.size() == 1);
    CHECK(swept[0].run_id == dead.run_id);
    CHECK(db.count("SELECT count(*) FROM sync_runs WHERE outcome = 'running'") == 1);
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(live.run_id)) ==
          "running");
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(dead.run_id)) ==
          "interrupted");
    CHECK(db.count("SELECT count(*) FROM sync_runs WHERE scan_name = 'scan-gone'"
                   " AND outcome = 'interrupted' AND finished_at IS NOT NULL") == 1);
}

TEST_CASE("prune_runs deletes old finished runs but keeps running ones and checkpoint runs",
          "[sync_state]") {
    StateDatabase db;
    const auto current = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.query(
        "INSERT INTO sync_runs (scan_name, started_at, outcome) VALUES"
        " ('scan-a', now() - interval '100 days', 'succeeded'),"
        " ('scan-a', now() - interval '100 days', 'failed'),"
        " ('scan-a', now() - interval '10 days', 'succeeded'),"
        " ('scan-b', now() - interval '100 days', 'running')");
    db.query("UPDATE sync_runs SET started_at = now() - interval '200 days' WHERE run_id = " +
             std::to_string(current.run_id));

    CHECK(db.state.prune_runs(std::chrono::hours(24 * 90)) == 2);
    CHECK(db.count("SELECT count(*) FROM sync_runs") == 3);
    CHECK(db.count("SELECT count(*) FROM sync_runs WHERE run_id = " +
                   std::to_string(current.run_id)) == 1);
}

TEST_CASE("reset_scan clears the pass unless a live lease holds the scan", "[sync_state]") {
    StateDatabase db;
    CHECK_FALSE(db.state.reset_scan("scan-a"));
    const auto run = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.writer.apply("scan-a", run.run_id, std::nullopt, {finding_at("f1", at_s(10))},
                    std::string("t2"), at_s(1'001), /*expect_new=*/true);
    CHECK_THROWS_WITH(db.state.reset_scan("scan-a"),
                      Catch::Contains("is being synced by test-owner"));

    db.state.finish_run(run.run_id, "scan-a", kTestOwner, Outcome::kInterrupted, "stopping",
                        at_s(1'002));
    CHECK(db.text("SELECT next_token FROM sync_checkpoints") == "t2");
    CHECK(db.state.reset_scan("scan-a"));
    CHECK(db.is_null("SELECT next_token FROM sync_checkpoints"));
    CHECK(db.count("SELECT pages_done FROM sync_checkpoints") == 0);
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
    const auto next = db.state.begin_run("scan-a", "All", kTestOwner, at_s(2'000)).value();
    CHECK_FALSE(next.resumed);
}

TEST_CASE("the first run of a scan starts a pass from the first page", "[sync_state]") {
    StateDatabase db;

    const auto start = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();

    CHECK_FALSE(start.resumed);
    CHECK_FALSE(start.resume_token);
    CHECK(start.pages_done == 0);
    CHECK(db.text("SELECT scan_name || '/' || outcome || '/' || extract(epoch FROM started_at)"
                  " || '/' || pages FROM sync_runs WHERE run_id = " +
                  std::to_string(start.run_id)) == "scan-a/running/1000.000000/0");
    const auto checkpoint = db.state.load_checkpoint("scan-a");
    REQUIRE(checkpoint);
    CHECK(checkpoint->status_filter == "All");
    CHECK(checkpoint->run_id == start.run_id);
    CHECK(checkpoint->last_started_at == at_s(1'000));
    CHECK_FALSE(checkpoint->last_completed_at);
    CHECK_FALSE(checkpoint->next_token);
    CHECK_FALSE(db.state.load_checkpoint("never-synced"));
}

TEST_CASE("begin_run marks a run whose daemon died interrupted and resumes from its token",
          "[sync_state]") {
    StateDatabase db;
    const auto dead = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.writer.apply("scan-a", dead.run_id, std::nullopt, {finding_at("a", at_s(1))},
                    std::string("page-2"), at_s(1'000), /*expect_new=*/true);

    const auto start = db.state.begin_run("scan-a", "All", kTestOwner, at_s(2'000)).value();

    CHECK(start.run_id != dead.run_id);
    CHECK(start.resumed);
    CHECK(start.resume_token == "page-2");
    CHECK(start.pages_done == 1);
    CHECK(db.text("SELECT outcome || '/' || error || '/' || extract(epoch FROM finished_at)"
                  " FROM sync_runs WHERE run_id = " +
                  std::to_string(dead.run_id)) ==
          "interrupted/its daemon stopped or lost the lease before the run finished/2000.000000");
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(start.run_id)) ==
          "running");
    // The new run owns the pass: it continues where the dead one stopped, and the dead
    // run's page cannot be applied again.
    CHECK_THROWS_AS(db.writer.apply("scan-a", dead.run_id, std::string("page-2"), {}, std::nullopt,
                                    at_s(2'000), /*expect_new=*/true),
                    codeguru::store::StalePageError);
    db.writer.apply("scan-a", start.run_id, std::string("page-2"), {finding_at("b", at_s(1))},
                    std::nullopt, at_s(2'000), /*expect_new=*/true);
    CHECK(db.count("SELECT count(*) FROM findings WHERE missing_since IS NULL") == 2);
}

TEST_CASE("a changed status filter restarts the pass from the first page", "[sync_state]") {
    StateDatabase db;
    const auto first = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.writer.apply("scan-a", first.run_id, std::nullopt, {finding_at("a", at_s(1))},
                    std::string("page-2"), at_s(1'000), /*expect_new=*/true);
    db.state.finish_run(first.run_id, "scan-a", kTestOwner, Outcome::kInterrupted, "stopping",
                        at_s(1'001));
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 1);

    const auto start = db.state.begin_run("scan-a", "Open", kTestOwner, at_s(2'000)).value();

    CHECK_FALSE(start.resumed);
    CHECK_FALSE(start.resume_token);
    CHECK(start.pages_done == 0);
    CHECK(db.state.load_checkpoint("scan-a")->status_filter == "Open");
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
}

TEST_CASE("restart_pass forgets the token the API rejected", "[sync_state]") {
    StateDatabase db;
    const auto run = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.writer.apply("scan-a", run.run_id, std::nullopt, {finding_at("a", at_s(1))},
                    std::string("expired"), at_s(1'000), /*expect_new=*/true);

    db.state.restart_pass("scan-a", run.run_id);

    const auto checkpoint = db.state.load_checkpoint("scan-a");
    CHECK_FALSE(checkpoint->next_token);
    CHECK(checkpoint->pages_done == 0);
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
    CHECK_THROWS_AS(db.state.restart_pass("scan-a", run.run_id + 100), StoreError);
    // The pass starts over from the first page.
    db.writer.apply("scan-a", run.run_id, std::nullopt, {finding_at("a", at_s(1))}, std::nullopt,
                    at_s(1'001), /*expect_new=*/true);
}

TEST_CASE("finish_run records the outcome, and the checkpoint keeps the last error until a success",
          "[sync_state]") {
    StateDatabase db;
    const auto failed = db.state.begin_run("scan-a", "All", kTestOwner, at_s(1'000)).value();
    db.state.finish_run(failed.run_id, "scan-a", kTestOwner, Outcome::kFailed,
                        "AccessDeniedException: not \xFF allowed", at_s(1'010));

    CHECK(db.text("SELECT outcome || '/' || error || '/' || extract(epoch FROM finished_at)"
                  " FROM sync_runs WHERE run_id = " +
                  std::to_string(failed.run_id)) ==
          "failed/AccessDeniedException: not \xEF\xBF\xBD allowed/1010.000000");
    CHECK(db.state.load_checkpoint("scan-a")->last_error ==
          "AccessDeniedException: not \xEF\xBF\xBD allowed");

    const auto succeeded = db.state.begin_run("scan-a", "All", kTestOwner, at_s(2'000)).value();
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " +
                  std::to_string(failed.run_id)) == "failed");
    db.state.finish_run(succeeded.run_id, "scan-a", kTestOwner, Outcome::kSucceeded, "",
                        at_s(2'010));

    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " +
                  std::to_string(succeeded.run_id)) == "succeeded");
    CHECK(db.count("SELECT count(*) FROM sync_runs WHERE run_id = " +
                   std::to_string(succeeded.run_id) + " AND error IS NULL") == 1);
    CHECK_FALSE(db.state.load_checkpoint("scan-a")->last_error);
}

TEST_CASE("a CodeGuru scan and an Inspector stream of the same name are separate scans",
          "[sync_state]") {
    StateDatabase db;
    SyncStateStore inspector(db.connection, db.schema.name(), "inspector");
    OtherDaemon other(db);

    const auto scan = db.state.begin_run("us-east-1", "All", kTestOwner, at_s(1'000));
    REQUIRE(scan);
    // Another daemon may take the stream although the scan of the same name is leased.
    SyncStateStore other_inspector(other.connection, db.schema.name(), "inspector");
    const auto stream = other_inspector.begin_run(
        "us-east-1", "types=CODE_VULNERABILITY;accounts=;status=All", other.owner, at_s(1'001));
    REQUIRE(stream);
    CHECK(db.count("SELECT count(*) FROM sync_checkpoints WHERE scan_name = 'us-east-1'") == 2);
    CHECK(db.text("SELECT source FROM sync_runs WHERE run_id = " +
                  std::to_string(stream->run_id)) == "inspector");
    CHECK(db.text("SELECT source FROM sync_runs WHERE run_id = " + std::to_string(scan->run_id)) ==
          "codeguru");

    // A pass recorded for the stream is the stream's alone.
    other_inspector.start_pass("us-east-1", stream->run_id, "full", R"({"findingType":[]})",
                               at_s(1'001));
    const auto stream_checkpoint = inspector.load_checkpoint("us-east-1").value();
    CHECK(stream_checkpoint.pass_kind == "full");
    CHECK(stream_checkpoint.pass_filter == R"({"findingType":[]})");
    CHECK(stream_checkpoint.pass_started_at == at_s(1'001));
    CHECK(stream_checkpoint.owner == "other-daemon");
    const auto scan_checkpoint = db.state.load_checkpoint("us-east-1").value();
    CHECK_FALSE(scan_checkpoint.pass_kind);
    CHECK(scan_checkpoint.owner == "test-owner");

    // Finishing one releases only its own lease; a reset of one leaves the other alone.
    REQUIRE(db.state.finish_run(scan->run_id, "us-east-1", kTestOwner, Outcome::kSucceeded, "",
                                at_s(1'002)));
    CHECK_FALSE(db.state.load_checkpoint("us-east-1")->owner);
    CHECK(inspector.load_checkpoint("us-east-1")->owner == "other-daemon");
    CHECK_THROWS_AS(inspector.reset_scan("us-east-1"), StoreError);  // the stream's lease is live
    CHECK(db.state.reset_scan("us-east-1"));
    REQUIRE(other_inspector.finish_run(stream->run_id, "us-east-1", other.owner,
                                       Outcome::kSucceeded, "", at_s(1'003)));
}

TEST_CASE("a changed stream scope restarts the pass and forgets the watermark", "[sync_state]") {
    StateDatabase db;
    SyncStateStore inspector(db.connection, db.schema.name(), "inspector");
    const auto first = inspector.begin_run("eu-west-1", "scope-a", kTestOwner, at_s(1'000)).value();
    inspector.start_pass("eu-west-1", first.run_id, "full", "{}", at_s(1'000));
    db.query(
        "UPDATE sync_checkpoints SET watermark = to_timestamp(900), last_full_at ="
        " to_timestamp(900), next_token = 't' WHERE source = 'inspector'");
    REQUIRE(inspector.finish_run(first.run_id, "eu-west-1", kTestOwner, Outcome::kInterrupted,
                                 "stopped", at_s(1'001)));

    // The same scope resumes the pass and keeps the watermark.
    const auto same = inspector.begin_run("eu-west-1", "scope-a", kTestOwner, at_s(1'002)).value();
    CHECK(same.resume_token == "t");
    auto checkpoint = inspector.load_checkpoint("eu-west-1").value();
    CHECK(checkpoint.watermark == at_s(900));
    CHECK(checkpoint.pass_kind == "full");
    REQUIRE(inspector.finish_run(same.run_id, "eu-west-1", kTestOwner, Outcome::kInterrupted,
                                 "stopped", at_s(1'003)));

    // Another scope: no token, no pass, no watermark: the next pass is a full one.
    const auto changed =
        inspector.begin_run("eu-west-1", "scope-b", kTestOwner, at_s(1'004)).value();
    CHECK_FALSE(changed.resume_token);
    checkpoint = inspector.load_checkpoint("eu-west-1").value();
    CHECK_FALSE(checkpoint.watermark);
    CHECK_FALSE(checkpoint.last_full_at);
    CHECK_FALSE(checkpoint.pass_kind);
    CHECK_FALSE(checkpoint.pass_filter);
    CHECK(checkpoint.status_filter == "scope-b");
    // start_pass refuses while a pass is under way, and for a run that does not own it.
    CHECK_THROWS_AS(
        inspector.start_pass("eu-west-1", changed.run_id + 1, "full", "{}", at_s(1'005)),
        StoreError);
    REQUIRE(inspector.finish_run(changed.run_id, "eu-west-1", kTestOwner, Outcome::kSucceeded, "",
                                 at_s(1'006)));
}
