// The metrics endpoint of a running daemon (metrics.listen): /metrics scraped and parsed
// after a sync, /healthz turning unhealthy when cycles stop succeeding.
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

// A port that was free a moment ago on 127.0.0.1.
int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

// A Prometheus text exposition, parsed strictly enough to catch malformed output:
// samples keyed by `name{label="value",...}` exactly as written.
struct Exposition {
    std::map<std::string, double> samples;
    std::map<std::string, std::string> types;  // family -> type

    double at(const std::string& key) const {
        const auto it = samples.find(key);
        if (it == samples.end()) FAIL("no sample " << key);
        return it->second;
    }
};

Exposition parse_exposition(const std::string& text) {
    static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
    static const std::regex kType(
        R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
    static const std::regex kSample(
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? ([-+0-9.eE]+|\+Inf|NaN))");
    Exposition out;
    std::set<std::string> helped;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        INFO(line);
        std::smatch m;
        if (std::regex_match(line, m, kHelp)) {
            CHECK(helped.insert(m[1]).second);
        } else if (std::regex_match(line, m, kType)) {
            CHECK(out.types.emplace(m[1], m[2]).second);
        } else {
            REQUIRE(std::regex_match(line, m, kSample));
            std::string family = m[1];
            for (const char* suffix : {"_bucket", "_sum", "_count"}) {
                const std::string base = family.substr(0, family.size() - std::strlen(suffix));
                if (family.ends_with(suffix) && out.types.count(base) > 0 &&
                    out.types[base] == "histogram") {
                    family = base;
                }
            }
            CHECK(out.types.count(family) == 1);  // TYPE comes before the samples
            const std::string key = line.substr(0, line.rfind(' '));
            CHECK(out.samples.emplace(key, std::stod(line.substr(line.rfind(' ') + 1))).second);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("/metrics after a sync counts runs, findings, pages, requests, retries and throttles") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 25, 81));
    codeguru::test::Fault throttle;
    throttle.kind = codeguru::test::Fault::Kind::kThrottle;
    setup.api.inject(throttle);
    const int port = free_port();
    auto config = setup.config({"a"});
    config.extra = "[metrics]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n";
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config)});
    REQUIRE(wait_until(
        [&] { return db.migrated() && db.count("sync_runs WHERE outcome = 'succeeded'") == 1; },
        20s));

    httplib::Client client("127.0.0.1", port);
    // The cycle's own metrics land just after its runs are stored.
    Exposition metrics;
    REQUIRE(wait_until(
        [&] {
            const auto res = client.Get("/metrics");
            if (!res || res->status != 200) return false;
            metrics = parse_exposition(res->body);
            return metrics.samples.count("codeguru_syncd_cycle_duration_seconds_count") == 1 &&
                   metrics.at("codeguru_syncd_cycle_duration_seconds_count") == 1;
        },
        5s));
    const auto res = client.Get("/metrics");
    REQUIRE(res);
    CHECK(res->get_header_value("Content-Type").starts_with("text/plain; version=0.0.4"));

    CHECK(metrics.types.at("codeguru_syncd_scan_runs_total") == "counter");
    CHECK(metrics.types.at("codeguru_syncd_cycle_duration_seconds") == "histogram");
    CHECK(metrics.at(R"(codeguru_syncd_scan_runs_total{scan="a",outcome="succeeded"})") == 1);
    CHECK(metrics.at(R"(codeguru_syncd_findings_total{scan="a",result="inserted"})") == 25);
    CHECK(metrics.at(R"(codeguru_syncd_findings_total{scan="a",result="updated"})") == 0);
    CHECK(metrics.at(R"(codeguru_syncd_findings_total{scan="a",result="unchanged"})") == 0);
    CHECK(metrics.at(R"(codeguru_syncd_pages_total{scan="a"})") == 3);
    CHECK(metrics.at(R"(codeguru_syncd_api_requests_total{code="200"})") == 3);
    CHECK(metrics.at(R"(codeguru_syncd_api_requests_total{code="429"})") == 1);
    CHECK(metrics.at("codeguru_syncd_api_retries_total") == 1);
    CHECK(metrics.at("codeguru_syncd_api_throttles_total") == 1);
    CHECK(metrics.at(R"(codeguru_syncd_cycles_total{result="succeeded"})") == 1);
    CHECK(metrics.at(R"(codeguru_syncd_cycle_duration_seconds_bucket{le="+Inf"})") == 1);
    const double now_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const double last_success =
        metrics.at(R"(codeguru_syncd_scan_last_success_timestamp_seconds{scan="a"})");
    CHECK(last_success <= now_s);
    CHECK(last_success > now_s - 60);

    const auto health = client.Get("/healthz");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(client.Get("/nothing-here")->status == 404);
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(5s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
}

TEST_CASE("/healthz fails once the last successful cycle is older than 3 intervals") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 82));
    const int port = free_port();
    auto config = setup.config({"a"});
    config.interval = "1s";
    config.extra = "[metrics]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n";
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config)});
    httplib::Client client("127.0.0.1", port);
    const auto health_status = [&] {
        const auto res = client.Get("/healthz");
        return res ? res->status : 0;
    };
    REQUIRE(wait_until(
        [&] { return db.migrated() && db.count("sync_runs WHERE outcome = 'succeeded'") >= 1; },
        20s));
    CHECK(health_status() == 200);

    codeguru::test::Fault denied;
    denied.kind = codeguru::test::Fault::Kind::kAccessDenied;
    denied.count = 0;  // forever: every cycle from now on fails
    setup.api.inject(denied);
    const auto failing_since = std::chrono::steady_clock::now();
    INFO(daemon.stderr_text());
    REQUIRE(wait_until([&] { return health_status() == 503; }, 10s));
    CHECK(std::chrono::steady_clock::now() - failing_since > 1s);
    const auto res = client.Get("/healthz");
    REQUIRE(res);
    CHECK(res->body.starts_with("unhealthy: the last successful cycle ended "));
    CHECK(db.count("sync_runs WHERE outcome = 'failed'") >= 2);
    daemon.send(SIGTERM);
    CHECK(daemon.wait_for(5s));
}
