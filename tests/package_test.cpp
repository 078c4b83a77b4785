// The Debian package (CPack DEB): built from a staged install of this build, with the right
// files and dependencies, and installed with dpkg -i where the test runs as root on Debian.
// A case whose tools or rights are missing here reports itself skipped to ctest (exit
// kSkipped, the SKIP_RETURN_CODE of these tests in tests/service.cmake), never passed.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "e2e/daemon_process.hpp"

using namespace codeguru::test;

namespace {

constexpr int kSkipped = 77;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// Ends the process with kSkipped, which ctest reports as "Not Run (skipped)". Catch2 v2 has
// no skip of its own; each ctest test runs one case of this executable by itself.
[[noreturn]] void skip(const std::string& why) {
    std::printf("SKIPPED: %s\n", why.c_str());
    std::fflush(stdout);
    std::_Exit(kSkipped);
}

// Skips the case unless every command is on PATH and this build can be packaged.
void require_packaging_tools(std::initializer_list<const char*> commands) {
    for (const char* command : commands) {
        if (run_command(std::string("command -v ") + command).exit_code != 0) {
            skip(std::string(command) + " is not installed");
        }
    }
    if (!std::filesystem::exists(std::filesystem::path(CODEGURU_BIN_DIR) / "CPackConfig.cmake")) {
        skip("this build has no CPackConfig.cmake");
    }
}

// Builds the .deb in `dir` and returns its path. The staged `cmake --install` stands in for
// CPack's own install step, which would first build every target of the build tree.
std::filesystem::path build_package(const TempDir& dir) {
    const std::string bin = CODEGURU_BIN_DIR;
    const auto stage = dir.path() / "stage";
    const auto install = run_command("DESTDIR=" + stage.string() + " cmake --install " + bin +
                                     " --prefix /usr --strip");
    INFO(install.output);
    REQUIRE(install.exit_code == 0);
    const auto out = dir.path() / "out";
    const auto cpack = run_command("cpack --config " + bin + "/CPackConfig.cmake -G DEB -B " +
                                   out.string() + " -D CPACK_INSTALL_CMAKE_PROJECTS= -D " +
                                   "CPACK_INSTALLED_DIRECTORIES='" + stage.string() + ";/'");
    INFO(cpack.output);
    REQUIRE(cpack.exit_code == 0);
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
        if (entry.path().extension() == ".deb") return entry.path();
    }
    FAIL("no .deb in " << out);
    return {};
}

}  // namespace

TEST_CASE("cpack builds a .deb with the daemon, unit, conffile, schema and library dependencies") {
    require_packaging_tools({"cmake", "cpack", "dpkg-deb", "tar"});
    TempDir dir;
    const auto deb = build_package(dir);
    CHECK(deb.filename().string().starts_with("codeguru-syncd_"));

    const auto info = run_command("dpkg-deb --info " + deb.string());
    INFO(info.output);
    REQUIRE(info.exit_code == 0);
    CHECK(contains(info.output, "Package: codeguru-syncd"));
    for (const char* dependency : {"libcurl4", "libpqxx-6.4", "libspdlog1.10", "libsystemd0",
                                   "libssl3", "libboost-program-options1.74.0"}) {
        CAPTURE(dependency);
        CHECK(contains(info.output.substr(info.output.find("Depends:")), dependency));
    }
    CHECK(contains(info.output, " conffiles"));
    CHECK(contains(info.output, " postinst"));

    const auto contents = run_command("dpkg-deb --contents " + deb.string());
    INFO(contents.output);
    REQUIRE(contents.exit_code == 0);
    for (const char* file :
         {"./usr/bin/codeguru-syncd", "./usr/lib/systemd/system/codeguru-syncd.service",
          "./etc/codeguru-syncd/codeguru-syncd.conf",
          "./usr/share/codeguru-syncd/schema/001_initial.sql"}) {
        CAPTURE(file);
        CHECK(contains(contents.output, file));
    }
    const auto conffiles =
        run_command("dpkg-deb --ctrl-tarfile " + deb.string() + " | tar -xO ./conffiles");
    CHECK(conffiles.output == "/etc/codeguru-syncd/codeguru-syncd.conf\n");
    const auto unit = run_command("dpkg-deb --fsys-tarfile " + deb.string() +
                                  " | tar -xO ./usr/lib/systemd/system/codeguru-syncd.service");
    CHECK(contains(unit.output,
                   "\nExecStart=/usr/bin/codeguru-syncd --config "
                   "/etc/codeguru-syncd/codeguru-syncd.conf\n"));
}

TEST_CASE("the .deb installs with dpkg -i and removes cleanly (as root on Debian)") {
    if (::geteuid() != 0 || !std::filesystem::exists("/etc/debian_version")) {
        skip("not root on Debian: dpkg -i not tried");
    }
    require_packaging_tools({"cmake", "cpack", "dpkg", "dpkg-query"});
    if (run_command("dpkg-query -W -f='${Status}' codeguru-syncd").output.find("installed") !=
        std::string::npos) {
        skip("codeguru-syncd is already installed on this system: left alone");
    }
    TempDir dir;
    const auto deb = build_package(dir);
    const auto installed = run_command("dpkg -i " + deb.string());
    INFO(installed.output);
    CHECK(installed.exit_code == 0);
    const auto version = run_command("/usr/bin/codeguru-syncd --version");
    CHECK(version.exit_code == 0);
    CHECK(version.output.starts_with("codeguru-syncd "));
    CHECK(std::filesystem::exists("/usr/lib/systemd/system/codeguru-syncd.service"));
    CHECK(std::filesystem::exists("/etc/codeguru-syncd/codeguru-syncd.conf"));
    const auto check = run_command(
        "/usr/bin/codeguru-syncd --config /etc/codeguru-syncd/codeguru-syncd.conf --check-config");
    INFO(check.output);
    CHECK(check.exit_code == 0);

    const auto purged = run_command("dpkg --purge codeguru-syncd");
    INFO(purged.output);
    CHECK(purged.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists("/usr/bin/codeguru-syncd"));
    CHECK_FALSE(std::filesystem::exists("/etc/codeguru-syncd/codeguru-syncd.conf"));
}
