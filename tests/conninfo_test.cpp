#include "store/conninfo.hpp"

#include <libpq-fe.h>
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

using codeguru::store::effective_conninfo;
using codeguru::store::rejects_startup_options;
using namespace std::chrono_literals;

namespace {

// What libpq itself reads in a conninfo: keyword → value, for the keywords that are set.
std::map<std::string, std::string> parsed(const std::string& conninfo) {
    std::map<std::string, std::string> out;
    const std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(
        PQconninfoParse(conninfo.c_str(), nullptr), &PQconninfoFree);
    REQUIRE(options);
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val != nullptr) out[o->keyword] = o->val;
    }
    return out;
}

}  // namespace

TEST_CASE("the daemon's connection defaults are added to a URL that sets none of them",
          "[conninfo]") {
    const auto info = parsed(effective_conninfo("postgresql:///codeguru", 300000ms, true));
    CHECK(info.at("dbname") == "codeguru");
    CHECK(info.at("connect_timeout") == "10");
    CHECK(info.at("keepalives") == "1");
    CHECK(info.at("keepalives_idle") == "30");
    CHECK(info.at("keepalives_interval") == "10");
    CHECK(info.at("keepalives_count") == "3");
    CHECK(info.at("application_name") == "codeguru-syncd");
    CHECK(info.at("options") == "-c statement_timeout=300000");
}

TEST_CASE("what the URL sets wins over every default, in URI and key=value form", "[conninfo]") {
    const auto uri = parsed(effective_conninfo(
        "postgresql://sync:s3cr%27t@db.example:6432/findings?connect_timeout=3&application_name=ops"
        "&options=-c%20work_mem%3D64MB",
        60000ms, true));
    CHECK(uri.at("host") == "db.example");
    CHECK(uri.at("port") == "6432");
    CHECK(uri.at("user") == "sync");
    CHECK(uri.at("password") == "s3cr't");  // survives quoting
    CHECK(uri.at("connect_timeout") == "3");
    CHECK(uri.at("application_name") == "ops");
    CHECK(uri.at("options") == "-c work_mem=64MB");
    CHECK(uri.at("keepalives_idle") == "30");

    const auto plain =
        parsed(effective_conninfo("host=/run/pg dbname='a b' keepalives_count=9", 1000ms, true));
    CHECK(plain.at("host") == "/run/pg");
    CHECK(plain.at("dbname") == "a b");
    CHECK(plain.at("keepalives_count") == "9");
    CHECK(plain.at("options") == "-c statement_timeout=1000");
}

TEST_CASE("without the server-side timeout no options are sent", "[conninfo]") {
    CHECK(parsed(effective_conninfo("dbname=x", 1000ms, false)).count("options") == 0);
}

TEST_CASE("a URL libpq cannot parse is refused without quoting it", "[conninfo]") {
    try {
        effective_conninfo("host=x password=hunter2 nonsense_keyword=1", 1000ms, true);
        FAIL("no error");
    } catch (const std::invalid_argument& e) {
        const std::string message = e.what();
        CHECK(message.find("database.url") != std::string::npos);
        CHECK(message.find("nonsense_keyword") != std::string::npos);
        CHECK(message.find("hunter2") == std::string::npos);
    }
}

TEST_CASE("PgBouncer's refusal of the options startup parameter is recognised", "[conninfo]") {
    CHECK(rejects_startup_options("ERROR:  unsupported startup parameter: options"));
    CHECK_FALSE(
        rejects_startup_options("ERROR:  unsupported startup parameter: extra_float_digits"));
    CHECK_FALSE(rejects_startup_options("connection refused"));
}
