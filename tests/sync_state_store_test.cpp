#include "store/sync_state_store.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>

#include "store/findings_page_writer.hpp"
#include "store/store_error.hpp"
#include "store_test_database.hpp"

using codeguru::store::FindingsPageWriter;
using codeguru::store::Outcome;
using codeguru::store::StoreError;
using codeguru::store::SyncStateStore;
using codeguru::test::at_s;
using codeguru::test::finding_at;
using codeguru::test::StoreDatabase;

namespace {

struct StateDatabase : StoreDatabase {
    SyncStateStore state{connection, schema.name()};
    FindingsPageWriter writer{connection, schema.name()};

    std::string text(const std::string& sql) { return scalar<std::string>(sql); }
    long count(const std::string& sql) { return scalar<long>(sql); }
};

}  // namespace

TEST_CASE("a scan lock excludes a second connection until it is released", "[sync_state]") {
    StateDatabase db;
    pqxx::connection other_connection(db.schema.conninfo());
    SyncStateStore other(other_connection, db.schema.name());

    REQUIRE(db.state.try_lock_scan("scan-a"));
    CHECK_FALSE(other.try_lock_scan("scan-a"));
    CHECK(other.try_lock_scan("scan-b"));  // other scans are independent

    db.state.unlock_scan("scan-a");
    CHECK(other.try_lock_scan("scan-a"));
    CHECK_FALSE(db.state.try_lock_scan("scan-a"));
    other.unlock_scan("scan-a");
    other.unlock_scan("scan-b");
}

TEST_CASE("scan locks of different schemas do not collide", "[sync_state]") {
    StateDatabase first;
    StateDatabase second;

    REQUIRE(first.state.try_lock_scan("scan-a"));
    CHECK(second.state.try_lock_scan("scan-a"));
}

TEST_CASE("the first run of a scan starts a pass from the first page", "[sync_state]") {
    StateDatabase db;

    const auto start = db.state.begin_run("scan-a", "All", at_s(1'000));

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
    const auto dead = db.state.begin_run("scan-a", "All", at_s(1'000));
    db.writer.apply("scan-a", dead.run_id, std::nullopt, {finding_at("a", at_s(1))},
                    std::string("page-2"), at_s(1'000));

    const auto start = db.state.begin_run("scan-a", "All", at_s(2'000));

    CHECK(start.run_id != dead.run_id);
    CHECK(start.resumed);
    CHECK(start.resume_token == "page-2");
    CHECK(start.pages_done == 1);
    CHECK(db.text("SELECT outcome || '/' || error || '/' || extract(epoch FROM finished_at)"
                  " FROM sync_runs WHERE run_id = " +
                  std::to_string(dead.run_id)) ==
          "interrupted/the daemon stopped before the run finished/2000.000000");
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " + std::to_string(start.run_id)) ==
          "running");
    // The new run owns the pass: it continues where the dead one stopped, and the dead
    // run's page cannot be applied again.
    CHECK_THROWS_AS(db.writer.apply("scan-a", dead.run_id, std::string("page-2"), {}, std::nullopt,
                                    at_s(2'000)),
                    codeguru::store::StalePageError);
    db.writer.apply("scan-a", start.run_id, std::string("page-2"), {finding_at("b", at_s(1))},
                    std::nullopt, at_s(2'000));
    CHECK(db.count("SELECT count(*) FROM findings WHERE missing_since IS NULL") == 2);
}

TEST_CASE("a changed status filter restarts the pass from the first page", "[sync_state]") {
    StateDatabase db;
    const auto first = db.state.begin_run("scan-a", "All", at_s(1'000));
    db.writer.apply("scan-a", first.run_id, std::nullopt, {finding_at("a", at_s(1))},
                    std::string("page-2"), at_s(1'000));
    db.state.finish_run(first.run_id, "scan-a", Outcome::kInterrupted, "stopping", at_s(1'001));
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 1);

    const auto start = db.state.begin_run("scan-a", "Open", at_s(2'000));

    CHECK_FALSE(start.resumed);
    CHECK_FALSE(start.resume_token);
    CHECK(start.pages_done == 0);
    CHECK(db.state.load_checkpoint("scan-a")->status_filter == "Open");
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
}

TEST_CASE("restart_pass forgets the token the API rejected", "[sync_state]") {
    StateDatabase db;
    const auto run = db.state.begin_run("scan-a", "All", at_s(1'000));
    db.writer.apply("scan-a", run.run_id, std::nullopt, {finding_at("a", at_s(1))},
                    std::string("expired"), at_s(1'000));

    db.state.restart_pass("scan-a", run.run_id);

    const auto checkpoint = db.state.load_checkpoint("scan-a");
    CHECK_FALSE(checkpoint->next_token);
    CHECK(checkpoint->pages_done == 0);
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
    CHECK_THROWS_AS(db.state.restart_pass("scan-a", run.run_id + 100), StoreError);
    // The pass starts over from the first page.
    db.writer.apply("scan-a", run.run_id, std::nullopt, {finding_at("a", at_s(1))}, std::nullopt,
                    at_s(1'001));
}

TEST_CASE("finish_run records the outcome, and the checkpoint keeps the last error until a success",
          "[sync_state]") {
    StateDatabase db;
    const auto failed = db.state.begin_run("scan-a", "All", at_s(1'000));
    db.state.finish_run(failed.run_id, "scan-a", Outcome::kFailed,
                        "AccessDeniedException: not \xFF allowed", at_s(1'010));

    CHECK(db.text("SELECT outcome || '/' || error || '/' || extract(epoch FROM finished_at)"
                  " FROM sync_runs WHERE run_id = " +
                  std::to_string(failed.run_id)) ==
          "failed/AccessDeniedException: not \xEF\xBF\xBD allowed/1010.000000");
    CHECK(db.state.load_checkpoint("scan-a")->last_error ==
          "AccessDeniedException: not \xEF\xBF\xBD allowed");

    const auto succeeded = db.state.begin_run("scan-a", "All", at_s(2'000));
    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " +
                  std::to_string(failed.run_id)) == "failed");
    db.state.finish_run(succeeded.run_id, "scan-a", Outcome::kSucceeded, "", at_s(2'010));

    CHECK(db.text("SELECT outcome FROM sync_runs WHERE run_id = " +
                  std::to_string(succeeded.run_id)) == "succeeded");
    CHECK(db.count("SELECT count(*) FROM sync_runs WHERE run_id = " +
                   std::to_string(succeeded.run_id) + " AND error IS NULL") == 1);
    CHECK_FALSE(db.state.load_checkpoint("scan-a")->last_error);
}
