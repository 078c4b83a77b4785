// The metrics endpoint of a running daemon (metrics.listen): /metrics scraped and parsed
// after a sync; /healthz judged from the database: stale scans, another daemon's passes, a
// database that is down or hangs, and a reload of the scan list.
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "support_private_cluster.hpp"

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

// One /healthz answer: its status and its body as JSON (a body that is not JSON fails).
struct HealthAnswer {
    int status = 0;  // 0: no answer
    nlohmann::json body;
    std::chrono::steady_clock::duration took{};
};

HealthAnswer get_health(httplib::Client& client) {
    HealthAnswer answer;
    const auto started = std::chrono::steady_clock::now();
    const auto res = client.Get("/healthz");
    answer.took = std::chrono::steady_clock::now() - started;
    if (!res) return answer;
    answer.status = res->status;
    INFO(res->body);
    CHECK(res->get_header_value("Content-Type") == "application/json");
    answer.body = nlohmann::json::parse(res->body);
    return answer;
}

// The scan entry named `scan` in a /healthz body (a missing one fails).
nlohmann::json scan_entry(const nlohmann::json& body, const std::string& scan) {
    for (const auto& entry : body.at("scans")) {
        if (entry.at("scan") == scan) return entry;
    }
    FAIL("no scan " << scan << " in " << body.dump());
    return {};
}

// Whether the answer is 200 with a complete pass of `scan` (the first cycle is over).
bool pass_completed(const HealthAnswer& health, const std::string& scan) {
    if (health.status != 200) return false;
    for (const auto& entry : health.body.at("scans")) {
        if (entry.at("scan") == scan) return !entry.at("last_complete_pass").is_null();
    }
    return false;
}

// The scans a /healthz body names, in its order.
std::vector<std::string> scan_names(const nlohmann::json& body) {
    std::vector<std::string> names;
    for (const auto& entry : body.at("scans")) names.push_back(entry.at("scan"));
    return names;
}

// The scan's last_completed_at in UTC, to the second, as /healthz writes it; "" when none.
std::string stored_last_pass(SchemaInspector& db, const std::string& scan) {
    const auto rows = db.query(
        "SELECT to_char(last_completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        " FROM sync_checkpoints WHERE scan_name = $1 AND last_completed_at IS NOT NULL",
        scan);
    return rows.empty() ? "" : rows[0][0].as<std::string>();
}

// A TCP port on 127.0.0.1 that completes connections (the kernel's backlog) and never
// answers a byte: a database server that hangs.
class BlackHole {
  public:
    BlackHole() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        REQUIRE(fd_ >= 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t length = sizeof address;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
        port_ = ntohs(address.sin_port);
    }
    ~BlackHole() { ::close(fd_); }
    BlackHole(const BlackHole&) = delete;
    BlackHole& operator=(const BlackHole&) = delete;

    int port() const { return port_; }

  private:
    int fd_;
    int port_ = 0;
};

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
    // Every exchange the fake saw was timed; every page committed was timed.
    CHECK(metrics.types.at("codeguru_syncd_api_request_duration_seconds") == "histogram");
    CHECK(metrics.at("codeguru_syncd_api_request_duration_seconds_count") ==
          static_cast<double>(setup.api.requests().size()));
    CHECK(metrics.at(R"(codeguru_syncd_api_request_duration_seconds_bucket{le="+Inf"})") ==
          static_cast<double>(setup.api.requests().size()));
    CHECK(metrics.types.at("codeguru_syncd_page_apply_duration_seconds") == "histogram");
    CHECK(metrics.at("codeguru_syncd_page_apply_duration_seconds_count") == 3);
    CHECK(metrics.at("codeguru_syncd_page_apply_duration_seconds_sum") > 0);
    CHECK(metrics.at("codeguru_syncd_scan_runs_in_progress") == 0);
    // The one retry took 5 tokens and its success gave them back.
    CHECK(metrics.at("codeguru_syncd_api_retry_quota_tokens") == 500);
    CHECK(metrics.at("codeguru_syncd_credential_refresh_failures_total") == 0);
    CHECK(metrics.at("codeguru_syncd_api_rate_limit_wait_seconds_total") >= 0);
    CHECK(metrics.types.at("codeguru_syncd_database_reconnects_total") == "counter");
    CHECK(metrics.types.at("codeguru_syncd_database_errors_total") == "counter");
    // Keys from the environment never expire.
    CHECK(metrics.types.count("codeguru_syncd_credentials_expiry_timestamp_seconds") == 0);
    const double now_s =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    const double last_success =
        metrics.at(R"(codeguru_syncd_scan_last_success_timestamp_seconds{scan="a"})");
    CHECK(last_success <= now_s);
    CHECK(last_success > now_s - 60);

    const HealthAnswer health = get_health(client);
    INFO(health.body.dump());
    CHECK(health.status == 200);
    CHECK(health.body.at("status") == "ok");
    CHECK(health.body.at("database") == nlohmann::json{{"ok", true}});
    CHECK(scan_names(health.body) == std::vector<std::string>{"a"});
    const auto a = scan_entry(health.body, "a");
    CHECK(a.at("last_complete_pass") == stored_last_pass(db, "a"));
    CHECK(a.at("age_seconds").get<long>() >= 0);
    CHECK(a.at("age_seconds").get<long>() < 60);
    CHECK(a.at("stale") == false);
    CHECK(client.Get("/nothing-here")->status == 404);
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(5s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
}

TEST_CASE("/healthz is 503 naming a configured scan that never completed, after 3 intervals") {
    E2eSetup setup;
    setup.api.set_scan("good", generate_findings("good", 5, 82));
    setup.api.set_scan("never", generate_findings("never", 5, 83));
    codeguru::test::Fault denied;
    denied.kind = codeguru::test::Fault::Kind::kAccessDenied;
    denied.count = 0;  // forever
    denied.scan = "never";
    setup.api.inject(denied);
    const int port = free_port();
    auto config = setup.config({"good", "never"});
    config.interval = "1s";
    config.extra = "[metrics]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n";
    auto db = setup.inspector();
    const auto spawned = std::chrono::steady_clock::now();
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config)});
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(20, 0);

    HealthAnswer health;
    REQUIRE(wait_until(
        [&] {
            health = get_health(client);
            return health.status == 503;
        },
        30s, 100ms));
    INFO(daemon.stderr_text());
    INFO(health.body.dump());
    // The daemon started after the spawn: 3 intervals had passed since.
    CHECK(std::chrono::steady_clock::now() - spawned > 3s);
    CHECK(health.body.at("status") == "unhealthy");
    CHECK(health.body.at("database") == nlohmann::json{{"ok", true}});
    CHECK(health.body.at("stale_after_seconds") == 3);
    CHECK(scan_names(health.body) == std::vector<std::string>{"good", "never"});
    const auto never = scan_entry(health.body, "never");
    CHECK(never.at("stale") == true);
    CHECK(never.at("last_complete_pass").is_null());
    CHECK(never.at("age_seconds").is_null());
    CHECK(scan_entry(health.body, "good").at("stale") == false);
    CHECK(stored_last_pass(db, "never").empty());
    CHECK(db.count("sync_runs WHERE scan_name = 'never' AND outcome = 'failed'") >= 1);
    daemon.send(SIGTERM);
    CHECK(daemon.wait_for(10s));
}

TEST_CASE("/healthz counts a pass that another daemon completed") {
    E2eSetup setup;
    setup.api.set_scan("shared", generate_findings("shared", 5, 84));
    codeguru::test::Fault denied;
    denied.kind = codeguru::test::Fault::Kind::kAccessDenied;
    denied.count = 0;  // this daemon never completes the scan
    setup.api.inject(denied);
    const int port = free_port();
    auto config = setup.config({"shared"});
    config.interval = "1s";
    config.extra = "[metrics]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n";
    auto db = setup.inspector();
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config)});
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(20, 0);
    REQUIRE(wait_until([&] { return get_health(client).status == 503; }, 30s, 100ms));

    // Another daemon's complete pass, as it stores one.
    db.query(
        "INSERT INTO sync_checkpoints (scan_name, status_filter, last_completed_at)"
        " VALUES ('shared', 'All', now()) ON CONFLICT (source, scan_name)"
        " DO UPDATE SET last_completed_at = now()");
    HealthAnswer health;
    REQUIRE(wait_until(
        [&] {
            health = get_health(client);
            return health.status == 200;
        },
        10s, 100ms));
    INFO(health.body.dump());
    const auto shared = scan_entry(health.body, "shared");
    CHECK(shared.at("last_complete_pass") == stored_last_pass(db, "shared"));
    CHECK(shared.at("stale") == false);
    CHECK(health.body.at("status") == "ok");
    daemon.send(SIGTERM);
    CHECK(daemon.wait_for(10s));
}

TEST_CASE("/healthz is 503 naming the database while PostgreSQL is down, and never a secret") {
    PrivateCluster cluster;
    const std::string password = "Health-Secret-4711";
    cluster.require_password("healthz", password);
    {
        pqxx::connection owner(cluster.conninfo());
        pqxx::nontransaction tx(owner);
        tx.exec0("GRANT CREATE ON DATABASE postgres TO healthz");
    }
    FakeCodeGuruApi api;
    api.set_scan("a", generate_findings("a", 5, 85));
    TempDir dir;
    DaemonConfig config;
    config.endpoint = api.endpoint();
    config.database_url = cluster.conninfo() + " user=healthz password=" + password;
    config.schema = "health";
    config.scans = {"a"};
    const int port = free_port();
    config.extra = "[metrics]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n";
    const auto path = dir.write_file("codeguru-syncd.conf", config.render());
    DaemonProcess daemon(dir.path(), {"--config=" + path.string()});
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(20, 0);
    INFO(daemon.stderr_text());
    REQUIRE(wait_until([&] { return pass_completed(get_health(client), "a"); }, 30s, 100ms));

    cluster.crash();  // immediate stop: nothing listens any more
    HealthAnswer health;
    REQUIRE(wait_until(
        [&] {
            health = get_health(client);
            return health.status == 503;
        },
        15s, 100ms));
    INFO(health.body.dump());
    CHECK(health.took < 10s);
    CHECK(health.body.at("status") == "unhealthy");
    CHECK(health.body.at("database").at("ok") == false);
    const std::string error = health.body.at("database").at("error");
    CHECK_FALSE(error.empty());
    CHECK(error.find('\n') == std::string::npos);
    CHECK(health.body.dump().find(password) == std::string::npos);

    cluster.start();
    REQUIRE(wait_until(
        [&] {
            health = get_health(client);
            return health.status == 200;
        },
        30s, 100ms));
    CHECK(scan_entry(health.body, "a").at("stale") == false);
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(10s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
    CHECK(daemon.stderr_text().find(password) == std::string::npos);
}

TEST_CASE("/healthz follows a reload: the new scan list, and a database that hangs") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 86));
    const int port = free_port();
    auto config = setup.config({"a"});
    config.extra = "[metrics]\nlisten = 127.0.0.1:" + std::to_string(port) + "\n";
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config)});
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(30, 0);
    INFO(daemon.stderr_text());
    REQUIRE(wait_until([&] { return pass_completed(get_health(client), "a"); }, 30s, 100ms));

    config.scans = {"a", "c"};
    setup.write_config(config);
    daemon.send(SIGHUP);
    HealthAnswer health;
    REQUIRE(wait_until(
        [&] {
            health = get_health(client);
            return health.status != 0 && health.body.at("scans").size() == 2;
        },
        10s, 100ms));
    INFO(health.body.dump());
    CHECK(health.status == 200);  // "c" is new: not stale for 3 intervals (1h)
    CHECK(scan_names(health.body) == std::vector<std::string>{"a", "c"});
    CHECK(scan_entry(health.body, "c").at("last_complete_pass").is_null());
    CHECK(scan_entry(health.body, "c").at("stale") == false);

    // The database moves to a server that accepts connections and never answers.
    BlackHole hung;
    config.database_url = "host=127.0.0.1 port=" + std::to_string(hung.port()) +
                          " dbname=codeguru user=codeguru connect_timeout=60";
    setup.write_config(config);
    daemon.send(SIGHUP);
    REQUIRE(wait_until(
        [&] {
            health = get_health(client);
            return health.status == 503;
        },
        30s, 100ms));
    INFO(health.body.dump());
    CHECK(health.took < 10s);
    CHECK(health.body.at("database") ==
          nlohmann::json{{"ok", false}, {"error", "database did not answer within 5 s"}});
    daemon.send(SIGTERM);
    const auto status = daemon.wait_for(10s);
    REQUIRE(status);
    CHECK(status->exited_with(0));
}
