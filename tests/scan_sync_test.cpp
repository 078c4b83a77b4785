#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "client_stack.hpp"
#include "fake_api.hpp"
#include "finding_generator.hpp"
#include "store/migrations.hpp"
#include "store/sync_state_store.hpp"
#include "stored_findings.hpp"
#include "sync/scheduler.hpp"
#include "sync_fixture.hpp"
#include "test_database.hpp"

using namespace codeguru;
using namespace codeguru::test;
using nlohmann::json;
using Outcome = sync::ScanResult::Outcome;

namespace {

// Findings that exercise the edges of the mapping: absent members, empty and repeated
// list items, unicode, long text, ISO-8601 timestamps.
std::vector<json> edge_findings() {
    return {
        json::parse(R"({"id": "bare"})"),
        json::parse(R"({"id": "created-only", "createdAt": 1700000000.5})"),
        json::parse(R"json({"id": "edge ✓ 日本", "createdAt": "2025-01-02T03:04:05.123456Z",
            "updatedAt": 1758000000.872, "title": "Ünïcödé 🚀 \"quoted\" \\ back",
            "detectorTags": ["b", "a", "b", "c", "a"],
            "remediation": {"suggestedFixes": [{}, {"code": "x()"}, {"description": "d"}]},
            "resource": {},
            "vulnerability": {"referenceUrls": [], "relatedVulnerabilities": ["CWE-1", "CWE-1"],
                "filePath": {"codeSnippet": [{"number": 3, "content": "c"},
                    {"number": 1, "content": "a"}, {"number": 3, "content": "dup"},
                    {"content": "no number"}, {"number": 2}]}}})json"),
        json{{"id", "long"}, {"updatedAt", 1758000001}, {"description", std::string(200000, 'x')}},
    };
}

}  // namespace

TEST_CASE("a first sync stores exactly the fake's findings, every member and child") {
    SyncFixture fx;
    auto findings = generate_findings("payments", 180, 21);
    for (auto& f : edge_findings()) findings.push_back(f);
    fx.fake.set_scan("payments", findings);

    const auto before_us = std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    const auto result = fx.sync("payments", 50);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.pages == 4);
    CHECK(result.counts.inserted == 184);

    auto expected = expected_flat_findings(findings);
    const auto stored = stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "payments");
    REQUIRE(stored.size() == expected.size());
    // With neither updatedAt nor createdAt, updated_at is the time of the sync.
    const auto sync_time = stored.at("bare").at("updated_at").get<std::int64_t>();
    CHECK(sync_time >= before_us);
    CHECK(expected.at("bare").at("updated_at").is_null());
    expected.at("bare")["updated_at"] = sync_time;
    for (const auto& [id, flat] : expected) {
        INFO("finding " << id);
        REQUIRE(stored.count(id) == 1);
        CHECK(stored.at(id).dump() == flat.dump());
    }
    const auto versions = fx.query("SELECT count(*) FROM finding_versions");
    CHECK(versions[0][0].as<int>() == 184);
    const auto run = fx.query(
        "SELECT outcome, pages, findings_seen, findings_inserted "
        "FROM sync_runs");
    CHECK(run[0][0].as<std::string>() == "succeeded");
    CHECK(run[0][1].as<int>() == 4);
    CHECK(run[0][2].as<int>() == 184);
    CHECK(run[0][3].as<int>() == 184);
}

TEST_CASE("a re-sync of unchanged data writes no finding or child row") {
    SyncFixture fx;
    fx.fake.set_scan("s", generate_findings("s", 150, 4));
    REQUIRE(fx.sync("s", 40).outcome == Outcome::kSucceeded);
    const std::string before = fx.write_counters();
    const auto again = fx.sync("s", 40);
    REQUIRE(again.outcome == Outcome::kSucceeded);
    CHECK(again.counts.unchanged == 150);
    CHECK(again.counts.inserted + again.counts.updated == 0);
    // Finished backends have flushed their statistics; the counters must not have moved.
    CHECK(fx.write_counters() == before);
    CHECK(before.find("findings=150/0/0") != std::string::npos);
}

TEST_CASE("an older or equal updatedAt never overwrites a newer one") {
    SyncFixture fx;
    auto findings = generate_findings("s", 3, 8);
    for (auto& f : findings) f["updatedAt"] = 1750000000.5;
    fx.fake.set_scan("s", findings);
    REQUIRE(fx.sync("s").outcome == Outcome::kSucceeded);

    findings[0]["title"] = "same time, different title";
    findings[1]["title"] = "older, different title";
    findings[1]["updatedAt"] = 1740000000;
    findings[2]["title"] = "newer title";
    findings[2]["updatedAt"] = 1750000000.501;
    fx.fake.set_scan("s", findings);
    const auto result = fx.sync("s");
    CHECK(result.counts.updated == 1);
    CHECK(result.counts.unchanged == 2);

    const auto stored = stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s");
    CHECK(stored.at(findings[0]["id"]).at("title") != "same time, different title");
    CHECK(stored.at(findings[1]["id"]).at("title") != "older, different title");
    CHECK(stored.at(findings[1]["id"]).at("updated_at") == 1750000000500000);
    CHECK(stored.at(findings[2]["id"]).at("title") == "newer title");
    CHECK(stored.at(findings[2]["id"]).at("updated_at") == 1750000000501000);
    const auto versions = fx.query("SELECT count(*) FROM finding_versions");
    CHECK(versions[0][0].as<int>() == 4);
}

TEST_CASE("a rejected page token restarts the pass from the first page") {
    SyncFixture fx;
    fx.fake.set_scan("s", generate_findings("s", 30, 2));
    REQUIRE(fx.sync("s", 10).outcome == Outcome::kSucceeded);
    fx.fake.clear_requests();
    fx.fake.inject(Fault{.kind = Fault::Kind::kRejectToken, .count = 1});
    const auto result = fx.sync("s", 10);
    CHECK(result.outcome == Outcome::kSucceeded);
    const auto requests = fx.fake.requests();
    REQUIRE(requests.size() == 5);  // page 1, page 2 rejected, then pages 1, 2, 3
    CHECK(requests[1].status == 400);
    CHECK_FALSE(requests[2].param("nextToken"));
    CHECK(result.pages == 4);
    const auto missing = fx.query("SELECT count(missing_since) FROM findings");
    CHECK(missing[0][0].as<int>() == 0);
}

TEST_CASE("missing_since is set after a complete pass without the finding and cleared on return") {
    SyncFixture fx;
    auto findings = generate_findings("s", 12, 6);
    fx.fake.set_scan("s", findings);
    REQUIRE(fx.sync("s", 5).outcome == Outcome::kSucceeded);

    const json gone = findings[4];
    findings.erase(findings.begin() + 4);
    fx.fake.set_scan("s", findings);
    REQUIRE(fx.sync("s", 5).outcome == Outcome::kSucceeded);
    auto r = fx.query("SELECT finding_id FROM findings WHERE missing_since IS NOT NULL");
    REQUIRE(r.size() == 1);
    CHECK(r[0][0].as<std::string>() == gone["id"].get<std::string>());

    findings.push_back(gone);
    fx.fake.set_scan("s", findings);
    REQUIRE(fx.sync("s", 5).outcome == Outcome::kSucceeded);
    r = fx.query("SELECT count(*) FROM findings WHERE missing_since IS NOT NULL");
    CHECK(r[0][0].as<int>() == 0);
}

TEST_CASE("an interrupted pass resumes from its stored token and fetches only what remains") {
    SyncFixture fx;
    fx.fake.set_scan("s", generate_findings("s", 100, 9));
    fx.fake.set_page_delay(std::chrono::milliseconds(100));
    std::thread stopper([&] {
        // Stop once three pages are committed.
        for (;;) {
            const auto r = fx.query("SELECT coalesce(max(pages_done), 0) FROM sync_checkpoints");
            if (r[0][0].as<int>() >= 3) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        fx.stack->stop().request_stop();
    });
    const auto first = fx.sync("s", 10);
    stopper.join();
    CHECK(first.outcome == Outcome::kInterrupted);
    const auto cp = fx.query("SELECT next_token, pages_done FROM sync_checkpoints");
    const std::string token = cp[0][0].as<std::string>();
    const int done = cp[0][1].as<int>();
    CHECK(done >= 3);
    CHECK(fx.query("SELECT outcome FROM sync_runs")[0][0].as<std::string>() == "interrupted");

    fx.restart_client();
    fx.fake.set_page_delay(std::chrono::milliseconds(0));
    fx.fake.clear_requests();
    const auto resumed = fx.sync("s", 10);
    CHECK(resumed.outcome == Outcome::kSucceeded);
    const auto requests = fx.fake.requests();
    REQUIRE(requests.size() == static_cast<std::size_t>(10 - done));
    CHECK(requests.front().param("nextToken") == token);
    CHECK(resumed.pages == 10 - done);
    const auto runs = fx.query("SELECT outcome FROM sync_runs ORDER BY run_id");
    CHECK(runs[1][0].as<std::string>() == "succeeded");
    CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
          expected_flat_findings(fx.fake.findings("s")));
}

TEST_CASE("a lost database connection mid-pass is re-established and nothing is half-applied") {
    SyncFixture fx;
    fx.fake.set_scan("s", generate_findings("s", 120, 12));
    fx.fake.set_page_delay(std::chrono::milliseconds(40));
    std::atomic<int> terminated{0};
    std::thread killer([&] {
        // Cut the daemon's connection twice, once a few pages have gone through.
        for (int target : {2, 6}) {
            for (;;) {
                const auto r =
                    fx.query("SELECT coalesce(max(pages_done), 0) FROM sync_checkpoints");
                if (r[0][0].as<int>() >= target) break;
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            const auto t = fx.query(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = '" +
                fx.application_name + "'");
            terminated += t[0][0].as<int>();
        }
    });
    const auto result = fx.sync("s", 10);
    killer.join();
    CHECK(terminated >= 2);
    CHECK(result.outcome == Outcome::kSucceeded);
    CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
          expected_flat_findings(fx.fake.findings("s")));
    const auto cp = fx.query("SELECT next_token IS NULL, pages_done FROM sync_checkpoints");
    CHECK(cp[0][0].as<bool>());
    CHECK(cp[0][1].as<int>() == 0);
}

TEST_CASE("one scan failing does not stop the others") {
    SyncFixture fx;
    for (const char* scan : {"a", "b", "c", "d"})
        fx.fake.set_scan(scan, generate_findings(scan, 15, 1));
    fx.fake.inject(Fault{.kind = Fault::Kind::kAccessDenied, .count = 0, .scan = "b"});
    Settings settings;
    settings.database.schema = fx.schema.name();
    settings.sync.scans = {"a", "b", "c", "d", "nowhere"};
    settings.sync.concurrency = 2;
    const auto database = fx.database();
    sync::Scheduler scheduler(fx.stack->client(), *database, fx.stack->clock(), fx.stack->stop(),
                              "scheduler-test");
    const auto summary = scheduler.run_cycle(settings);
    CHECK(summary.succeeded == 3);
    CHECK(summary.failed == 2);
    CHECK_FALSE(summary.all_succeeded());
    CHECK(summary.results[1].error.find("AccessDeniedException") != std::string::npos);
    CHECK(summary.results[4].error.find("ResourceNotFoundException") != std::string::npos);
    const auto counts = fx.query("SELECT scan_name, count(*) FROM findings GROUP BY 1 ORDER BY 1");
    REQUIRE(counts.size() == 3);
    CHECK(counts[1][0].as<std::string>() == "c");
    const auto failed = fx.query(
        "SELECT scan_name, error FROM sync_runs WHERE outcome = 'failed' "
        "ORDER BY scan_name");
    REQUIRE(failed.size() == 2);
    CHECK(failed[0][1].as<std::string>().find("AccessDeniedException") != std::string::npos);
    const auto last_error =
        fx.query("SELECT last_error FROM sync_checkpoints WHERE scan_name = 'b'");
    CHECK(last_error[0][0].as<std::string>().find("AccessDeniedException") != std::string::npos);
}

TEST_CASE("scan_prefix adds the scans ListScans returns with that prefix") {
    SyncFixture fx;
    for (const char* scan : {"team-a-1", "team-a-2", "team-b-1", "explicit"}) {
        fx.fake.set_scan(scan, generate_findings(scan, 3, 1));
    }
    SyncSettings settings;
    settings.scans = {"explicit", "team-a-2"};
    settings.scan_prefix = "team-a-";
    CHECK(sync::resolve_scans(fx.stack->client(), settings) ==
          std::vector<std::string>{"explicit", "team-a-2", "team-a-1"});
}

TEST_CASE("a scan leased by another daemon is skipped") {
    SyncFixture fx;
    fx.fake.set_scan("s", generate_findings("s", 3, 1));
    pqxx::connection other(fx.schema.conninfo());
    store::SyncStateStore other_state(other, fx.schema.name());
    const store::Owner other_owner{"other-daemon", std::chrono::seconds(120), nullptr};
    const auto theirs = other_state.begin_run("s", "All", other_owner, Timestamp{});
    REQUIRE(theirs);
    const auto result = fx.sync("s");
    CHECK(result.outcome == Outcome::kSkipped);
    CHECK(fx.fake.counters().get_findings == 0);
    other_state.finish_run(theirs->run_id, "s", other_owner, store::Outcome::kInterrupted, "test",
                           Timestamp{});
    CHECK(fx.sync("s").outcome == Outcome::kSucceeded);
}
