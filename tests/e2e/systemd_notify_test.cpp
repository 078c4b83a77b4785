// The sd_notify protocol and the watchdog, seen through a NOTIFY_SOCKET the test owns, and
// a stop mid-page (SPEC §8).
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

std::string describe(const std::vector<NotifyMessage>& messages) {
    std::string out;
    for (const auto& m : messages) out += m.text + "\n";
    return out;
}

}  // namespace

TEST_CASE("under systemd the daemon sends READY, STATUS, WATCHDOG and STOPPING in that order") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 15, 61));
    NotifySocket notify(setup.dir.path() / "notify");
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(setup.config({"a"}))},
                         systemd_environment(notify, 1s));

    const bool pinged_after_cycle = notify.wait_for(
        [](const auto& messages) {
            const long status = first_message(messages, "STATUS=last cycle:");
            return status >= 0 && first_message(messages, "WATCHDOG=1", status) >= 0;
        },
        20s);
    INFO(daemon.stderr_text());
    INFO(describe(notify.messages()));
    REQUIRE(pinged_after_cycle);
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(5s);
    REQUIRE(status);
    CHECK(status->exited_with(0));

    const auto messages = notify.messages();
    INFO(describe(messages));
    const long ready = first_message(messages, "READY=1");
    const long first_status = first_message(messages, "STATUS=");
    const long watchdog = first_message(messages, "WATCHDOG=1");
    const long stopping = first_message(messages, "STOPPING=1");
    CHECK(ready == 0);
    CHECK(ready < first_status);
    CHECK(first_status < watchdog);
    CHECK(stopping == static_cast<long>(messages.size()) - 1);
    const auto& summary = messages[first_message(messages, "STATUS=last cycle:")].text;
    CHECK(summary.find("1 scan(s) ok, 0 failed, 15 finding(s) changed") != std::string::npos);
    CHECK(summary.find("next cycle at ") != std::string::npos);
}

TEST_CASE(
    "a page stuck longer than the watchdog timeout stops the pings and progress resumes them") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 62));
    setup.api.set_page_delay(4s);
    NotifySocket notify(setup.dir.path() / "notify");
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(setup.config({"a"}))},
                         systemd_environment(notify, 1s));

    const bool cycle_done = notify.wait_for(
        [](const auto& messages) {
            const long status = first_message(messages, "STATUS=last cycle:");
            return status >= 0 && first_message(messages, "WATCHDOG=1", status) >= 0;
        },
        20s);
    INFO(daemon.stderr_text());
    const auto messages = notify.messages();
    INFO(describe(messages));
    REQUIRE(cycle_done);

    // The longest silence between pings falls while the page hung: more than the 1 s
    // timeout (no ping for a stale heartbeat), and pings came back once the page arrived.
    std::chrono::steady_clock::duration longest_gap{};
    std::optional<std::chrono::steady_clock::time_point> previous;
    for (const auto& m : messages) {
        if (m.text != "WATCHDOG=1") continue;
        if (previous) longest_gap = std::max(longest_gap, m.received_at - *previous);
        previous = m.received_at;
    }
    CHECK(longest_gap > 2s);
    CHECK(daemon.stderr_text().find("watchdog pings withheld") != std::string::npos);
    CHECK(daemon.stderr_text().find("watchdog pings resumed") != std::string::npos);
    daemon.send(SIGTERM);
    CHECK(daemon.wait_for(5s));
}

TEST_CASE("SIGTERM mid-page exits 0 within 5 s after STOPPING=1, run interrupted, no half page") {
    constexpr int kPages = 20;
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", kPages * 10, 63));
    setup.api.set_page_delay(300ms);
    NotifySocket notify(setup.dir.path() / "notify");
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(setup.config({"a"}))},
                         systemd_environment(notify, 2s));
    const bool pages_committed = wait_until([&] { return db.pages_done("a") >= 3; }, 20s);
    INFO(daemon.stderr_text());
    REQUIRE(pages_committed);

    daemon.send(SIGTERM);  // a GetFindings answer is always in flight: pages take 300 ms
    const auto signalled = std::chrono::steady_clock::now();
    const auto status = daemon.wait_for(5s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
    CHECK(std::chrono::steady_clock::now() - signalled < 5s);

    const auto messages = notify.messages();
    INFO(describe(messages));
    REQUIRE_FALSE(messages.empty());
    CHECK(messages.back().text == "STOPPING=1");
    CHECK(db.count("sync_runs WHERE outcome = 'interrupted' AND finished_at IS NOT NULL") == 1);
    CHECK(db.count("sync_runs") == 1);
    const long pages = db.pages_done("a");
    CHECK(pages < kPages);
    CHECK(db.count("findings") == pages * 10);
    CHECK(db.count("finding_versions") == pages * 10);
}
