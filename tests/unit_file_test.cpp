// systemd/codeguru-syncd.service: valid for systemd-analyze verify, hardened to an exposure
// of 2.0 or lower, and carrying the directives the daemon's systemd contract relies on.
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "e2e/daemon_process.hpp"

using namespace codeguru::test;

namespace {

std::string shipped_unit() {
    std::ifstream in(std::string(CODEGURU_SOURCE_DIR) + "/systemd/codeguru-syncd.service");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The unit with ExecStart= pointing at the built binary, which verify requires to exist.
std::string local_unit(const TempDir& dir) {
    const std::string unit = std::regex_replace(
        shipped_unit(), std::regex("^ExecStart=/usr/bin/codeguru-syncd", std::regex::multiline),
        "ExecStart=" + daemon_binary().string());
    return dir.write_file("codeguru-syncd.service", unit).string();
}

}  // namespace

TEST_CASE("the unit passes systemd-analyze verify") {
    TempDir dir;
    const auto result = run_command("systemd-analyze verify " + local_unit(dir));
    INFO(result.output);
    CHECK(result.exit_code == 0);
    CHECK(result.output.find("codeguru-syncd.service") == std::string::npos);  // no complaint
}

TEST_CASE("systemd-analyze security rates the unit's exposure 2.0 or lower") {
    TempDir dir;
    const auto result =
        run_command("systemd-analyze security --offline=true --no-pager " + local_unit(dir));
    INFO(result.output);
    REQUIRE(result.exit_code == 0);
    std::smatch match;
    REQUIRE(std::regex_search(result.output, match,
                              std::regex(R"(Overall exposure level for \S+: ([0-9.]+))")));
    const double exposure = std::stod(match[1].str());
    CAPTURE(exposure);
    CHECK(exposure <= 2.0);
}

TEST_CASE("the unit is Type=notify with a watchdog, restart on failure and reload by SIGHUP") {
    const std::string unit = shipped_unit();
    for (const char* line :
         {"Type=notify", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID",
          "DynamicUser=yes", "RestartPreventExitStatus=2", "NoNewPrivileges=yes",
          "ExecStart=/usr/bin/codeguru-syncd --config /etc/codeguru-syncd/codeguru-syncd.conf"}) {
        CAPTURE(line);
        CHECK(std::regex_search(
            unit, std::regex("(^|\n)" + std::regex_replace(line, std::regex(R"([$.])"), R"(\$&)") +
                             "\n")));
    }
    CHECK(std::regex_search(unit, std::regex("\nWatchdogSec=[0-9]+(s|min)\n")));
}
