// Two daemon processes sharing one database (SPEC §7): a scan is synced by one process
// at a time, the other skips it, and the result is the same as one clean sync.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

TEST_CASE("two daemons started together on one database never sync a scan at the same time") {
    constexpr long kPagesPerScan = 6;
    const std::vector<std::string> scans = {"s1", "s2", "s3"};
    E2eSetup setup;
    for (std::size_t i = 0; i < scans.size(); ++i) {
        setup.api.set_scan(scans[i], generate_findings(scans[i], kPagesPerScan * 10, 90 + i));
    }
    const auto clean = clean_sync_snapshot(setup.api, scans);
    setup.api.set_page_delay(300ms);
    setup.api.clear_requests();

    // A fresh schema: both also race to apply the migrations.
    const auto config = setup.write_config(setup.config(scans));
    DaemonProcess first(setup.dir.path(), {config, "--once"});
    DaemonProcess second(setup.dir.path(), {config, "--once"});
    const auto first_status = first.wait_for(30s);
    const auto second_status = second.wait_for(30s);
    INFO("first daemon:\n" << first.stderr_text() << "second daemon:\n" << second.stderr_text());
    REQUIRE(first_status);
    REQUIRE(second_status);
    CHECK(first_status->exited_with(0));  // a locked scan is skipped, which is no failure
    CHECK(second_status->exited_with(0));

    auto db = setup.inspector();
    long shipped = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(CODEGURU_SOURCE_DIR) / "schema")) {
        shipped += entry.path().extension() == ".sql";
    }
    CHECK(db.count("schema_migrations") == shipped);

    // Runs of one scan never overlap in time.
    CHECK(db.count("sync_runs r1 JOIN sync_runs r2 ON r1.scan_name = r2.scan_name"
                   " AND r1.run_id < r2.run_id"
                   " WHERE tstzrange(r1.started_at, r1.finished_at, '[]')"
                   " && tstzrange(r2.started_at, r2.finished_at, '[]')") == 0);
    CHECK(db.count("sync_runs WHERE outcome <> 'succeeded' OR finished_at IS NULL") == 0);
    for (const auto& scan : scans) {
        INFO(scan);
        CHECK(db.query("SELECT count(*) FROM sync_runs WHERE scan_name = $1", scan)[0][0]
                  .as<long>() >= 1);
    }
    // The lock did its work: the six (daemon, scan) pairs ran fewer than six passes, and a
    // skipped scan fetched nothing (every run is one whole pass of its scan's pages).
    const long runs = db.count("sync_runs");
    CHECK(runs < 6);
    long get_findings = 0;
    for (const auto& request : setup.api.requests())
        get_findings += request.operation == "GetFindings";
    CHECK(get_findings == runs * kPagesPerScan);

    CHECK(describe_difference(clean,
                              snapshot_tables(setup.schema.conninfo(), setup.schema.name())) == "");
    CHECK(reference_difference(setup, scans) == "");
}
