// codeguru-syncd --check (SPEC §3): the real binary against the fake API and the test cluster,
// one line per check, every check run even after a failure, exit 0 / 1 / 2.
#include <catch2/catch.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "e2e_fixture.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Contains;
using Catch::StartsWith;

namespace {

using Environment = std::vector<std::pair<std::string, std::string>>;

// The newest migration shipped in schema/ (NNN_name.sql), read from the file names.
int newest_shipped_migration() {
    int newest = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(CODEGURU_SOURCE_DIR) / "schema")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".sql") continue;
        int version = 0;
        std::from_chars(name.data(), name.data() + name.size(), version);
        newest = std::max(newest, version);
    }
    return newest;
}

// --check run to its end with `env`; its stdout as lines.
struct CheckRun {
    ExitStatus status;
    std::vector<std::string> lines;
    std::string out;
    std::string err;
};

CheckRun run_check(const E2eSetup& setup, const DaemonConfig& config,
                   const Environment& env = daemon_environment()) {
    DaemonProcess daemon(setup.dir.path(), {setup.write_config(config), "--check"}, env);
    const auto status = daemon.wait_for(60s);
    if (!status) {
        daemon.kill();
        throw std::runtime_error("codeguru-syncd --check did not end within 60 s");
    }
    return {*status, non_empty_lines(daemon.stdout_text()), daemon.stdout_text(),
            daemon.stderr_text()};
}

std::string config_line(const E2eSetup& setup) {
    return "ok   config: " + (setup.dir.path() / "codeguru-syncd.conf").string() +
           ", region us-east-1";
}

std::string database_line(const E2eSetup& setup, int version) {
    return "ok   database: " + setup.schema.conninfo() + ", schema " + setup.schema.name() +
           " at version " + std::to_string(version);
}

std::string endpoint_line(const E2eSetup& setup) {
    return "ok   endpoint: " + setup.api.endpoint() + " answers ListScans";
}

// The environment of daemon_environment() without any AWS credentials: no keys, no
// shared files, no HOME to find them in, no instance metadata.
Environment without_credentials(const TempDir& home) {
    Environment env;
    for (auto& [name, value] : daemon_environment()) {
        if (name == "AWS_ACCESS_KEY_ID" || name == "AWS_SECRET_ACCESS_KEY" || name == "HOME") {
            continue;
        }
        env.emplace_back(name, value);
    }
    env.emplace_back("HOME", home.path().string());
    env.emplace_back("AWS_CONFIG_FILE", (home.path() / "absent-config").string());
    env.emplace_back("AWS_SHARED_CREDENTIALS_FILE", (home.path() / "absent-credentials").string());
    return env;
}

void migrate(const E2eSetup& setup, const DaemonConfig& config) {
    const auto run = run_daemon(setup.dir, {setup.write_config(config), "--migrate"});
    INFO(run.err);
    REQUIRE(run.status.exited_with(0));
}

}  // namespace

TEST_CASE(
    "codeguru-syncd --check passes with credentials, a migrated schema and an answering endpoint") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 3, 7));
    const auto config = setup.config({"a"});
    migrate(setup, config);

    const auto run = run_check(setup, config);
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(0));
    CHECK(run.lines == std::vector<std::string>{
                           config_line(setup),
                           "ok   credentials: environment, access key ****MPLE",
                           database_line(setup, newest_shipped_migration()),
                           endpoint_line(setup),
                       });
    // The secret key never shows.
    CHECK(run.out.find("fake/secret+key") == std::string::npos);
    CHECK(run.err.find("fake/secret+key") == std::string::npos);

    // Exactly one request: a signed ListScans asking for one scan. Nothing synced.
    const auto requests = setup.api.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].operation == "ListScans");
    CHECK(requests[0].param("maxResults") == "1");
    CHECK(requests[0].status == 200);
    CHECK(setup.api.counters().auth_failures == 0);
    CHECK(setup.inspector().count("sync_runs") == 0);
    CHECK(setup.inspector().count("sync_checkpoints") == 0);
}

TEST_CASE(
    "codeguru-syncd --check fails on an unreachable database and still checks everything else") {
    E2eSetup setup;
    auto config = setup.config({"a"});
    config.database_url = "host=127.0.0.1 port=1 dbname=codeguru connect_timeout=5";
    const auto run = run_check(setup, config);
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(1));
    REQUIRE(run.lines.size() == 4);
    CHECK(run.lines[0] == config_line(setup));
    CHECK(run.lines[1] == "ok   credentials: environment, access key ****MPLE");
    CHECK_THAT(run.lines[2],
               StartsWith("FAIL database: cannot connect to host=127.0.0.1 port=1 dbname=codeguru "
                          "connect_timeout=5, schema " +
                          setup.schema.name() + ": ") &&
                   Contains("127.0.0.1") && Contains("port 1"));
    CHECK(run.lines[3] == endpoint_line(setup));
}

TEST_CASE("codeguru-syncd --check fails on a schema that is not migrated and migrates nothing") {
    E2eSetup setup;
    const auto config = setup.config({"a"});
    const int newest = newest_shipped_migration();
    const std::string needs =
        ", this codeguru-syncd needs " + std::to_string(newest) + " (run codeguru-syncd --migrate)";
    const std::string at = "FAIL database: " + setup.schema.conninfo() + ", schema " +
                           setup.schema.name() + " at version ";

    SECTION("a schema that does not exist") {
        const auto run = run_check(setup, config);
        INFO(run.out << run.err);
        CHECK(run.status.exited_with(1));
        REQUIRE(run.lines.size() == 4);
        CHECK(run.lines[2] == at + "0" + needs);
        CHECK(run.lines[3] == endpoint_line(setup));
        auto db = setup.inspector();
        CHECK(db.scalar<long>("SELECT count(*) FROM pg_namespace WHERE nspname = '" +
                              setup.schema.name() + "'") == 0);
    }
    SECTION("a schema one migration behind") {
        migrate(setup, config);
        auto db = setup.inspector();
        db.query("DELETE FROM schema_migrations WHERE version = $1", newest);
        const auto run = run_check(setup, config);
        INFO(run.out << run.err);
        CHECK(run.status.exited_with(1));
        REQUIRE(run.lines.size() == 4);
        CHECK(run.lines[2] == at + std::to_string(newest - 1) + needs);
        CHECK(db.scalar<long>("SELECT max(version) FROM schema_migrations") == newest - 1);
    }
}

TEST_CASE("codeguru-syncd --check without credentials fails them and skips the endpoint") {
    E2eSetup setup;
    const auto config = setup.config({"a"});
    migrate(setup, config);
    TempDir home;
    const auto run = run_check(setup, config, without_credentials(home));
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(1));
    REQUIRE(run.lines.size() == 4);
    CHECK(run.lines[0] == config_line(setup));
    CHECK_THAT(run.lines[1], StartsWith("FAIL credentials: no AWS credentials found (tried: ") &&
                                 Contains("environment"));
    CHECK(run.lines[2] == database_line(setup, newest_shipped_migration()));
    CHECK(run.lines[3] ==
          "skip endpoint: " + setup.api.endpoint() + ": not asked without credentials");
    CHECK(setup.api.counters().requests == 0);
}

TEST_CASE("codeguru-syncd --check fails when the endpoint answers AccessDenied, naming the error") {
    E2eSetup setup;
    const auto config = setup.config({"a"});
    migrate(setup, config);
    codeguru::test::Fault denied;
    denied.kind = codeguru::test::Fault::Kind::kAccessDenied;
    denied.target = codeguru::test::Fault::Target::kListScans;
    denied.count = 0;
    setup.api.inject(denied);
    const auto run = run_check(setup, config);
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(1));
    REQUIRE(run.lines.size() == 4);
    CHECK(run.lines[1] == "ok   credentials: environment, access key ****MPLE");
    CHECK(run.lines[2] == database_line(setup, newest_shipped_migration()));
    CHECK_THAT(run.lines[3],
               StartsWith("FAIL endpoint: " + setup.api.endpoint() + ": AccessDeniedException: ") &&
                   Contains("codeguru-security:ListScans"));
    // Not retryable: asked once.
    CHECK(setup.api.counters().list_scans == 1);
}

TEST_CASE("codeguru-syncd --check masks the database password") {
    E2eSetup setup;
    auto config = setup.config({"a"});
    config.database_url = setup.schema.conninfo() + " password=hunter2";
    migrate(setup, config);
    const auto run = run_check(setup, config);
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(0));
    REQUIRE(run.lines.size() == 4);
    CHECK_THAT(run.lines[2], StartsWith("ok   database: ") && Contains("password=***"));
    CHECK(run.out.find("hunter2") == std::string::npos);
    CHECK(run.err.find("hunter2") == std::string::npos);
}

TEST_CASE("codeguru-syncd --check with an invalid config exits 2 with one line naming the key") {
    E2eSetup setup;
    auto config = setup.config({"a"});
    config.extra = "lease = 5s\n";  // inside [sync]
    const auto run = run_check(setup, config);
    INFO(run.out << run.err);
    CHECK(run.status.exited_with(2));
    CHECK(run.out.empty());
    const auto lines = non_empty_lines(run.err);
    REQUIRE(lines.size() == 1);
    CHECK_THAT(lines[0], Contains("sync.lease") && Contains("\"5s\""));
    CHECK(setup.api.counters().requests == 0);
}
