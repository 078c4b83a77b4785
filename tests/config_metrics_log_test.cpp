// [log] format and [metrics] listen: parsing, errors that name the key, --check-config output.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/command_line.hpp"
#include "config/config_error.hpp"
#include "config/settings_loader.hpp"
#include "config/settings_printer.hpp"

using namespace codeguru;

namespace {

Settings load_text(const std::string& text) {
    std::string dir = (std::filesystem::temp_directory_path() / "config_ml.XXXXXX").string();
    REQUIRE(::mkdtemp(dir.data()) != nullptr);
    const auto path = std::filesystem::path(dir) / "syncd.conf";
    std::ofstream(path) << "[aws]\nregion = us-east-1\n" << text;
    CommandLine command_line;
    command_line.config_path = path.string();
    command_line.config_path_given = true;
    try {
        Settings settings = load_settings(command_line);
        std::filesystem::remove_all(dir);
        return settings;
    } catch (...) {
        std::filesystem::remove_all(dir);
        throw;
    }
}

}  // namespace

TEST_CASE("log.format defaults to text and accepts text and json") {
    CHECK(load_text("").log.format == LogFormat::kText);
    CHECK(load_text("[log]\nformat = text\n").log.format == LogFormat::kText);
    CHECK(load_text("[log]\nformat = json ; for the log shipper\n").log.format == LogFormat::kJson);
}

TEST_CASE("an unknown log.format is a ConfigError naming the key and the value") {
    for (const char* value : {"JSON", "yaml", "", "text json"}) {
        CAPTURE(value);
        try {
            load_text(std::string("[log]\nformat = ") + value + "\n");
            FAIL("accepted");
        } catch (const ConfigError& e) {
            CHECK(e.key() == "log.format");
            CHECK(std::string(e.what()).find("text or json") != std::string::npos);
        }
    }
}

TEST_CASE("metrics.listen is off by default and when empty") {
    CHECK_FALSE(load_text("").metrics.enabled());
    CHECK_FALSE(load_text("[metrics]\nlisten =\n").metrics.enabled());
}

TEST_CASE("metrics.listen accepts IPv4, host names and bracketed IPv6 with a port") {
    struct Case {
        const char* listen;
        const char* host;
        int port;
    };
    const Case cases[] = {
        {"127.0.0.1:9464", "127.0.0.1", 9464},
        {"0.0.0.0:1", "0.0.0.0", 1},
        {"localhost:9464", "localhost", 9464},
        {"metrics.example.com:65535", "metrics.example.com", 65535},
        {"[::1]:9464", "::1", 9464},
        {"[::]:80", "::", 80},
    };
    for (const Case& c : cases) {
        CAPTURE(c.listen);
        const Settings settings = load_text(std::string("[metrics]\nlisten = ") + c.listen + "\n");
        CHECK(settings.metrics.enabled());
        CHECK(settings.metrics.host == c.host);
        CHECK(settings.metrics.port == c.port);
        CHECK(format_listen_address(settings.metrics) == c.listen);
    }
}

TEST_CASE("a bad metrics.listen is a ConfigError naming the key and the value") {
    for (const char* value :
         {"9464", ":9464", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:port",
          "::1:9464", "[::1]", "http://127.0.0.1:9464", "host_name:9464", "-host:9464"}) {
        CAPTURE(value);
        try {
            load_text(std::string("[metrics]\nlisten = ") + value + "\n");
            FAIL("accepted");
        } catch (const ConfigError& e) {
            CHECK(e.key() == "metrics.listen");
            const std::string what = e.what();
            CHECK(what.find("metrics.listen") != std::string::npos);
            CHECK(what.find(value) != std::string::npos);
        }
    }
}

TEST_CASE("describe_settings prints log.format and metrics.listen and reads them back") {
    const Settings settings = load_text("[log]\nformat = json\n[metrics]\nlisten = [::1]:9464\n");
    const std::string text = describe_settings(settings);
    CHECK(text.find("\n[log]\nlevel = info\nformat = json\n") != std::string::npos);
    CHECK(text.ends_with("\n[metrics]\nlisten = [::1]:9464\n"));
    const Settings again = load_text(text.substr(text.find("[database]")));
    CHECK(again.log.format == LogFormat::kJson);
    CHECK(again.metrics.host == "::1");
    CHECK(again.metrics.port == 9464);
    CHECK(describe_settings(load_text("")).ends_with("format = text\n\n[metrics]\nlisten =\n"));
}
