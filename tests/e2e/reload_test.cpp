// SIGHUP reloads the configuration between cycles (SPEC §8): a valid file applies from the
// next cycle, an invalid one is logged and the old configuration stays in force.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "notify_socket.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

// RELOADING=1 followed by READY=1, after the first READY=1.
bool reload_notified(const std::vector<NotifyMessage>& messages) {
    const long reloading = first_message(messages, "RELOADING=1");
    return reloading > 0 && first_message(messages, "READY=1", reloading) > reloading;
}

long runs(SchemaInspector& db, const std::string& scan) {
    return db.count("sync_runs WHERE outcome = 'succeeded' AND scan_name = '" + scan + "'");
}

}  // namespace

TEST_CASE("SIGHUP with a valid file applies added and removed scans from the next cycle") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 71));
    setup.api.set_scan("b", generate_findings("b", 7, 72));
    NotifySocket notify(setup.dir.path() / "notify");
    auto config = setup.config({"a"});
    config.interval = "2s";
    const auto config_flag = setup.write_config(config);
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {config_flag}, systemd_environment(notify));
    REQUIRE(wait_until([&] { return db.migrated() && runs(db, "a") >= 1; }, 20s));

    config.scans = {"b"};
    setup.write_config(config);
    daemon.send(SIGHUP);
    const bool reloaded = notify.wait_for(reload_notified, 10s);
    INFO(daemon.stderr_text());
    REQUIRE(reloaded);
    CHECK(daemon.stderr_text().find("configuration reloaded") != std::string::npos);

    // Two cycles with the new list: b synced in both, a in neither.
    REQUIRE(wait_until([&] { return runs(db, "b") >= 1; }, 10s));
    const long a_runs = runs(db, "a");
    REQUIRE(wait_until([&] { return runs(db, "b") >= 2; }, 10s));
    CHECK(runs(db, "a") == a_runs);
    CHECK(db.count("findings WHERE scan_name = 'b'") == 7);
    CHECK(daemon.running());
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(5s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
}

TEST_CASE("SIGHUP with an invalid file logs the key and keeps the old configuration") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 73));
    NotifySocket notify(setup.dir.path() / "notify");
    auto config = setup.config({"a"});
    config.interval = "2s";
    const auto config_flag = setup.write_config(config);
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {config_flag}, systemd_environment(notify));
    REQUIRE(wait_until([&] { return db.migrated() && runs(db, "a") >= 1; }, 20s));

    auto bad = config;
    bad.scans = {"b"};
    bad.interval = "15x";
    setup.write_config(bad);
    daemon.send(SIGHUP);
    const bool answered = notify.wait_for(reload_notified, 10s);
    INFO(daemon.stderr_text());
    REQUIRE(answered);
    const std::string err = daemon.stderr_text();
    CHECK(err.find("configuration not reloaded") != std::string::npos);
    CHECK(err.find("sync.interval") != std::string::npos);
    CHECK(err.find("configuration reloaded") == std::string::npos);

    // The old list and interval stay in force: a is synced again, b never.
    const long before = runs(db, "a");
    CHECK(wait_until([&] { return runs(db, "a") > before; }, 10s));
    CHECK(db.count("sync_runs WHERE scan_name = 'b'") == 0);
    CHECK(daemon.running());
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(5s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
}
