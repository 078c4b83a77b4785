// A database path that goes half-open (issue 13): a TCP proxy between the daemon and
// PostgreSQL stops forwarding while keeping every connection open, so neither TCP nor
// keepalives notice. The daemon's own deadline must: within a minute, then it reconnects
// once the path is back and the pass ends equal to a clean sync.
#include <catch2/catch.hpp>
#include <chrono>
#include <iostream>
#include <string>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "tcp_proxy.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

// The unix socket of the test cluster, from its "host=DIR port=N ..." conninfo.
std::string cluster_socket() {
    const std::string conninfo = test_conninfo();
    const auto field = [&](const std::string& key) {
        const auto at = conninfo.find(key + "=");
        const auto from = at + key.size() + 1;
        return conninfo.substr(from, conninfo.find(' ', from) - from);
    };
    return field("host") + "/.s.PGSQL." + field("port");
}

}  // namespace

TEST_CASE("a half-open database connection is noticed within a minute and the pass recovers") {
    E2eSetup setup;
    setup.api.set_scan("half", generate_findings("half", 300, 77));
    const auto clean = clean_sync_snapshot(setup.api, {"half"});
    setup.api.set_page_delay(300ms);
    auto proxy = TcpProxy::to_unix_socket(cluster_socket());

    auto config = setup.config({"half"});
    config.database_url = proxy.libpq_address() + " user=postgres dbname=postgres";
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config), "--once"});
    auto db = setup.inspector();
    REQUIRE(wait_until([&] { return db.pages_done("half") >= 3; }, 120s, 20ms));

    proxy.stall();
    const auto stalled_at = std::chrono::steady_clock::now();
    const bool noticed = wait_until(
        [&] {
            return daemon.stderr_text().find("lost the database connection") != std::string::npos;
        },
        90s, 100ms);
    const auto took = std::chrono::steady_clock::now() - stalled_at;
    std::cout << "half-open connection noticed after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
    proxy.resume();
    INFO("daemon stderr:\n" << daemon.stderr_text());
    REQUIRE(noticed);
    CHECK(took < 60s);

    const auto status = daemon.wait_for(180s);
    INFO("daemon stderr:\n" << daemon.stderr_text());
    REQUIRE(status);
    CHECK(status->exited_with(0));
    CHECK(daemon.stderr_text().find("database connection re-established") != std::string::npos);
    CHECK(describe_difference(clean,
                              snapshot_tables(setup.schema.conninfo(), setup.schema.name())) == "");
}
