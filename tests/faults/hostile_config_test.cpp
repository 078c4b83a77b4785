// Hostile configuration and surroundings (issue 8, SPEC §3, §4): bad values, unreachable
// or refusing databases, an endpoint that is not HTTP, scan names outside the pattern.
// Each gives one line naming the problem; never a crash, a stack trace or a core.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "support_private_cluster.hpp"
#include "support_raw_api.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;

namespace {

// What a crash, an uncaught exception or a sanitizer report would leave on stderr.
void check_no_crash(const DaemonRun& run) {
    CHECK(run.status.exited);
    for (const char* trace : {"terminate called", "what():", "Segmentation", "Aborted",
                              "core dumped", "AddressSanitizer", "runtime error:", "#0 0x"}) {
        CHECK(run.err.find(trace) == std::string::npos);
    }
}

// Exactly one non-empty line on stderr, the daemon's, containing every one of `parts`.
void check_one_line(const DaemonRun& run, const std::vector<std::string>& parts) {
    const auto lines = non_empty_lines(run.err);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("codeguru-syncd: ", 0) == 0);
    for (const auto& part : parts) CHECK(lines[0].find(part) != std::string::npos);
}

// The lines of stderr that report a failed run or cycle.
std::vector<std::string> failure_lines(const DaemonRun& run) {
    std::vector<std::string> out;
    for (const auto& line : non_empty_lines(run.err)) {
        if (line.find("failed after") != std::string::npos) out.push_back(line);
    }
    return out;
}

}  // namespace

TEST_CASE("bad values in the file or on the command line exit 2 with one line naming the key") {
    struct Bad {
        std::vector<std::string> args;
        std::string key;
    };
    const std::string long_name(141, 'a');
    const std::vector<Bad> cases = {
        {{"--aws.max_attempts=0"}, "aws.max_attempts"},
        {{"--aws.max_attempts=abc"}, "aws.max_attempts"},
        {{"--aws.max_attempts=99999999999999999999999"}, "aws.max_attempts"},
        {{"--aws.requests_per_second=0"}, "aws.requests_per_second"},
        {{"--aws.requests_per_second=nan"}, "aws.requests_per_second"},
        {{"--aws.request_timeout=forever"}, "aws.request_timeout"},
        {{"--aws.connect_timeout=-1s"}, "aws.connect_timeout"},
        {{"--aws.endpoint=ftp://example.com"}, "aws.endpoint"},
        {{"--aws.endpoint=http://127.0.0.1:99999"}, "aws.endpoint"},
        {{"--aws.endpoint=http://a b"}, "aws.endpoint"},
        {{"--aws.region=us east 1"}, "aws.region"},
        {{"--database.schema=x; DROP SCHEMA public"}, "database.schema"},
        {{"--database.schema=Robert'); --"}, "database.schema"},
        {{"--sync.page_size=0"}, "sync.page_size"},
        {{"--sync.page_size=1001"}, "sync.page_size"},
        {{"--sync.page_size=1e3"}, "sync.page_size"},
        {{"--sync.status=Maybe"}, "sync.status"},
        {{"--sync.concurrency=-2"}, "sync.concurrency"},
        {{"--sync.interval=15x"}, "sync.interval"},
        {{"--sync.interval=\xff\xfe\x01"}, "sync.interval"},
        {{"--sync.interval=1h\nscan = injected"}, "sync.interval"},
        {{"--log.level=loud"}, "log.level"},
        {{"--sync.scan=a b"}, "sync.scan"},
        {{"--sync.scan=x;DROP TABLE findings"}, "sync.scan"},
        {{"--sync.scan=../../etc/passwd"}, "sync.scan"},
        {{"--sync.scan=" + long_name}, "sync.scan"},
        {{"--scan", "ünïcödé"}, "sync.scan"},
        {{"--scan", ""}, "sync.scan"},
        {{"--sync.scan_prefix=team/"}, "sync.scan_prefix"},
        {{"--no-such-flag"}, "--no-such-flag"},
        {{"--sync.no_such_key=1"}, "sync.no_such_key"},
        {{"--log-level"}, "--log-level"},
    };
    E2eSetup setup;
    const auto config = setup.write_config(setup.config({"a"}));
    for (const auto& bad : cases) {
        std::vector<std::string> args = {config, "--once"};
        args.insert(args.end(), bad.args.begin(), bad.args.end());
        const auto run = run_daemon(setup.dir, args);
        INFO("args: " << bad.args.front() << "\nstderr: " << run.err);
        CHECK(run.status.exited_with(2));
        check_no_crash(run);
        check_one_line(run, {bad.key});
        CHECK(run.out.empty());
    }

    // The same through the file, and a file that is not INI at all.
    const std::vector<std::pair<std::string, std::string>> files = {
        {"[aws]\nregion = us-east-1\nmax_attempts = many\n[sync]\nscan = a\n", "aws.max_attempts"},
        {"[aws]\nregion = us-east-1\n[sync]\nscan = a b\n", "sync.scan"},
        {"[aws]\nregion = us-east-1\n[database]\nschema = \"quoted\"\n[sync]\nscan = a\n",
         "database.schema"},
        {"[aws]\nregion = us-east-1\n[sync]\n", "sync.scan"},
        {std::string("\x7f"
                     "ELF\x02\x01\x01\0\0\0garbage\n",
                     18),
         "bad.conf"},
    };
    for (const auto& [text, key] : files) {
        const auto path = setup.dir.write_file("bad.conf", text);
        const auto run = run_daemon(setup.dir, {"--config=" + path.string(), "--once"});
        INFO("file:\n" << text << "\nstderr: " << run.err);
        CHECK(run.status.exited_with(2));
        check_no_crash(run);
        check_one_line(run, {key});
    }
    CHECK_FALSE(setup.inspector().migrated());
    CHECK(setup.api.counters().requests == 0);
}

TEST_CASE("an unreachable or unusable database exits 1 with one line naming it") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 5, 1501));
    const std::vector<std::string> urls = {
        "host=127.0.0.1 port=1 user=postgres dbname=postgres connect_timeout=5",
        "postgresql://postgres@127.0.0.1:1/codeguru?connect_timeout=5",
        "this is not a conninfo",
        "postgresql://[::1/broken",
        setup.schema.conninfo() + " dbname=no_such_database",
    };
    for (const auto& url : urls) {
        auto config = setup.config({"a"});
        config.database_url = url;
        const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
        INFO("url: " << url << "\nstderr: " << run.err);
        CHECK(run.status.exited_with(1));
        check_no_crash(run);
        check_one_line(run, {"database"});
    }
    CHECK(setup.api.counters().get_findings == 0);
}

TEST_CASE("a wrong database password exits 1 with one line, never showing the password") {
    PrivateCluster cluster;
    cluster.require_password("cg_sync", "the-right-one");
    const std::string base = cluster.conninfo() + " user=cg_sync";
    // The server reloads pg_hba.conf asynchronously.
    REQUIRE(wait_until(
        [&] {
            try {
                pqxx::connection probe(base + " password=probe-wrong");
                return false;
            } catch (const std::exception&) {
                return true;
            }
        },
        10s, 20ms));

    FakeCodeGuruApi api;
    api.set_scan("a", generate_findings("a", 5, 1502));
    TempDir dir;
    DaemonConfig config;
    config.endpoint = api.endpoint();
    config.database_url = base + " password=Sup3r-Secret-Wr0ng";
    config.schema = "codeguru";
    config.scans = {"a"};
    const auto path = dir.write_file("codeguru-syncd.conf", config.render());
    const auto run = run_daemon(dir, {"--config=" + path.string(), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    check_no_crash(run);
    check_one_line(run, {"password authentication failed", "cg_sync"});
    CHECK(run.err.find("Sup3r-Secret-Wr0ng") == std::string::npos);
    CHECK(api.counters().get_findings == 0);

    // The right one works: the refusal was the password, nothing else. (The role may create
    // its schema in the postgres database.)
    {
        pqxx::connection admin(cluster.conninfo());
        pqxx::nontransaction tx(admin);
        tx.exec0("GRANT CREATE ON DATABASE postgres TO cg_sync");
    }
    config.database_url = base + " password=the-right-one";
    const auto right = dir.write_file("right.conf", config.render());
    const auto ok = run_daemon(dir, {"--config=" + right.string(), "--once"});
    INFO(ok.err);
    CHECK(ok.status.exited_with(0));
    CHECK(ok.err.find("the-right-one") == std::string::npos);
}

TEST_CASE("an endpoint that is not HTTP fails the run with one line saying so, no crash") {
    E2eSetup setup;
    NotHttpServer not_http;
    struct Endpoint {
        std::string url;
        std::string named;
    };
    const std::vector<Endpoint> endpoints = {
        {"http://127.0.0.1:" + std::to_string(not_http.port()), "HTTP server"},
        {"https://127.0.0.1:" + std::to_string(setup.api.port()), "TlsError"},
        {"http://127.0.0.1:1", "ConnectionError"},
    };
    for (const auto& endpoint : endpoints) {
        auto config = setup.config({"a"});
        config.endpoint = endpoint.url;
        config.max_attempts = 1;
        const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
        INFO("endpoint: " << endpoint.url << "\nstderr: " << run.err);
        CHECK(run.status.exited_with(1));
        check_no_crash(run);
        const auto failures = failure_lines(run);
        REQUIRE(failures.size() == 1);
        CHECK(failures[0].find("scan a") != std::string::npos);
        CHECK(failures[0].find(endpoint.named) != std::string::npos);
    }
    CHECK(not_http.connections() == 1);  // a protocol error is not retried
    auto db = setup.inspector();
    CHECK(db.count("sync_runs WHERE outcome = 'failed'") == 3);
    CHECK(db.count("findings") == 0);
}

TEST_CASE("a scan name from ListScans outside the allowed pattern fails alone, named") {
    E2eSetup setup;
    setup.api.set_scan("team-ok", generate_findings("team-ok", 5, 1503));
    setup.api.set_scan("team-bad name;DROP", generate_findings("team-bad", 5, 1504));
    auto config = setup.config({});
    config.extra = "scan_prefix = team-\n";
    const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    check_no_crash(run);
    const auto failures = failure_lines(run);
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].find("team-bad name;DROP") != std::string::npos);
    CHECK(failures[0].find("ValidationException") != std::string::npos);
    auto db = setup.inspector();
    CHECK(db.count("findings WHERE scan_name = 'team-ok'") == 5);
    CHECK(db.count("findings WHERE scan_name <> 'team-ok'") == 0);
}
