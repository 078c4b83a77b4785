#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aws/env_lookup.hpp"
#include "command_line_args.hpp"
#include "config/command_line.hpp"
#include "config/config_error.hpp"
#include "config/config_keys.hpp"
#include "config/settings_loader.hpp"
#include "config/settings_printer.hpp"

using namespace codeguru;
using namespace std::chrono_literals;
using codeguru::test::parse_args;

namespace {

// A private directory for config files, removed with everything in it.
class TempDir {
  public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "config_test.XXXXXX");
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    // Writes `text` to a file in the directory and returns its path.
    std::string write(const std::string& text, const std::string& name = "syncd.conf") const {
        const auto file = path_ / name;
        std::ofstream(file) << text;
        return file.string();
    }
    std::string path(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

constexpr const char* kMinimal = "[aws]\nregion = us-east-1\n";

// An environment of exactly these variables: no AWS_REGION, no HOME (so no shared AWS
// files) unless a test sets them.
aws::EnvLookup environment(std::map<std::string, std::string> variables = {}) {
    return [variables = std::move(variables)](const std::string& name) {
        const auto it = variables.find(name);
        return it == variables.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
}

CommandLine with_file(const std::string& path) {
    CommandLine command_line;
    command_line.config_path = path;
    command_line.config_path_given = true;
    return command_line;
}

Settings load_text(const std::string& text, CommandLine command_line = {},
                   const aws::EnvLookup& env = environment()) {
    TempDir dir;
    command_line.config_path = dir.write(text);
    command_line.config_path_given = true;
    return load_settings(command_line, env);
}

// The ConfigError that `action` throws; fails the test if it throws none.
ConfigError config_error_from(const std::function<void()>& action) {
    try {
        action();
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("no ConfigError thrown");
    return ConfigError("", "");
}

UsageError usage_error_from(std::vector<const char*> args) {
    args.insert(args.begin(), "codeguru-syncd");
    try {
        parse_command_line(static_cast<int>(args.size()), args.data());
    } catch (const UsageError& e) {
        return e;
    }
    FAIL("no UsageError thrown");
    return UsageError("");
}

bool one_line(const std::string& text) {
    return text.find('\n') == std::string::npos;
}

// "[section]\nname = value\n" for a "section.name" key, with a valid region unless the key
// is the region.
std::string file_with(const std::string& key, const std::string& value) {
    const auto dot = key.find('.');
    if (key == "aws.region") return "[aws]\nregion = " + value + "\n";
    return std::string(kMinimal) + "[" + key.substr(0, dot) + "]\n" + key.substr(dot + 1) + " = " +
           value + "\n";
}

}  // namespace

// --- the file ------------------------------------------------------------------------------

TEST_CASE("a file with only the region yields the documented defaults") {
    const Settings settings = load_text(kMinimal);
    CHECK(settings.aws.region == "us-east-1");
    CHECK(settings.aws.profile.empty());
    CHECK(settings.aws.endpoint.empty());
    CHECK(settings.aws.connect_timeout == 10s);
    CHECK(settings.aws.request_timeout == 60s);
    CHECK(settings.aws.max_attempts == 5);
    CHECK_FALSE(settings.aws.requests_per_second.has_value());  // adaptive, no ceiling
    CHECK(settings.database.url == "postgresql:///codeguru");
    CHECK(settings.database.schema == "codeguru");
    CHECK(settings.database.statement_timeout == 5min);
    CHECK(settings.sync.scans.empty());
    CHECK(settings.sync.scan_prefix.empty());
    CHECK(settings.sync.status == "All");
    CHECK(settings.sync.page_size == 1000);
    CHECK(settings.sync.interval == 15min);
    CHECK(settings.sync.concurrency == 2);
    CHECK(settings.sync.lease == 2min);
    CHECK(settings.sync.max_pages == 100000);
    CHECK(settings.retention.runs == 24h * 90);
    CHECK(settings.log.level == "info");
    Settings expected;
    expected.aws.region = "us-east-1";
    CHECK(describe_settings(settings) == describe_settings(expected));
}

TEST_CASE("every key is read from its section of the file") {
    const Settings settings = load_text(R"([aws]
region = eu-west-3
profile = audit
endpoint = http://127.0.0.1:8443
connect_timeout = 3s
request_timeout = 2m
max_attempts = 7
requests_per_second = 2.5

[database]
url = host=db.internal dbname=findings
schema = security_findings
statement_timeout = 90s

[sync]
scan = first-scan
scan = second:scan$v1.0_x
scan_prefix = nightly-
status = Open
page_size = 250
interval = 1h
concurrency = 8
lease = 5m
max_pages = 2500

[retention]
runs = 30d

[log]
level = debug
)");
    CHECK(settings.aws.region == "eu-west-3");
    CHECK(settings.aws.profile == "audit");
    CHECK(settings.aws.endpoint == "http://127.0.0.1:8443");
    CHECK(settings.aws.connect_timeout == 3s);
    CHECK(settings.aws.request_timeout == 2min);
    CHECK(settings.aws.max_attempts == 7);
    CHECK(settings.aws.requests_per_second == 2.5);
    CHECK(settings.database.url == "host=db.internal dbname=findings");
    CHECK(settings.database.schema == "security_findings");
    CHECK(settings.database.statement_timeout == 90s);
    CHECK(settings.sync.scans == std::vector<std::string>{"first-scan", "second:scan$v1.0_x"});
    CHECK(settings.sync.scan_prefix == "nightly-");
    CHECK(settings.sync.status == "Open");
    CHECK(settings.sync.page_size == 250);
    CHECK(settings.sync.interval == 1h);
    CHECK(settings.sync.concurrency == 8);
    CHECK(settings.sync.lease == 5min);
    CHECK(settings.sync.max_pages == 2500);
    CHECK(settings.retention.runs == 24h * 30);
    CHECK(settings.log.level == "debug");
}

TEST_CASE("the SPEC example file with inline semicolon comments is read") {
    const Settings settings = load_text(R"([aws]
region = us-east-1            ; else AWS_REGION, AWS_DEFAULT_REGION, the profile's
profile =                     ; optional shared-config profile
endpoint =                    ; optional override (e.g. http://127.0.0.1:PORT in tests)
connect_timeout = 10s
request_timeout = 60s
max_attempts = 5              ; per request, retryable errors only
requests_per_second =         ; optional hard ceiling; empty: adaptive (the SDKs' adaptive mode)

[database]
url = postgresql:///codeguru  ; libpq URI or key=value conninfo
schema = codeguru
statement_timeout = 5m

[sync]
scan = my-scan                ; repeatable
scan_prefix =                 ; optional: also sync every scan ListScans returns with this prefix
status = All                  ; Open | Closed | All
page_size = 1000              ; maxResults
interval = 15m                ; 900, 900s, 15m, 1h all valid
concurrency = 2               ; scans synced in parallel
lease = 2m                    ; a scan's ownership lasts this long without a page
max_pages = 100000            ; a pass longer than this fails (a broken API)

[retention]
runs = 90d                    ; sync_runs rows older than this are pruned

[log]
level = info
)");
    CHECK(settings.aws.region == "us-east-1");
    CHECK(settings.aws.profile.empty());
    CHECK(settings.aws.endpoint.empty());
    CHECK(settings.aws.max_attempts == 5);
    CHECK_FALSE(settings.aws.requests_per_second.has_value());
    CHECK(settings.database.url == "postgresql:///codeguru");
    CHECK(settings.sync.scans == std::vector<std::string>{"my-scan"});
    CHECK(settings.sync.scan_prefix.empty());
    CHECK(settings.sync.interval == 15min);
    CHECK(settings.sync.lease == 2min);
    CHECK(settings.sync.max_pages == 100000);
    CHECK(settings.retention.runs == 24h * 90);
}

TEST_CASE("full-line and inline comments of both kinds and blank lines are ignored") {
    const Settings settings = load_text(
        "; codeguru-syncd\n# comment\n\n  [aws]\n  ; indented comment\n"
        "region=us-west-2# no space before the comment\r\n[sync]\nconcurrency = 4 # four\n");
    CHECK(settings.aws.region == "us-west-2");
    CHECK(settings.sync.concurrency == 4);
}

TEST_CASE("an unknown key in the file is an error naming it and the file") {
    TempDir dir;
    const std::string path = dir.write("[aws]\nregion = us-east-1\nregoin = us-east-2\n");
    const ConfigError error =
        config_error_from([&] { load_settings(with_file(path), environment()); });
    CHECK(error.key() == "aws.regoin");
    CHECK(std::string(error.what()) == "unknown key aws.regoin in " + path);
}

TEST_CASE("a key outside any section or in an unknown section is unknown") {
    CHECK(config_error_from([] { load_text("region = us-east-1\n"); }).key() == "region");
    CHECK(config_error_from([] { load_text("[aws]\nregion = x\n[sink]\nscan = a\n"); }).key() ==
          "sink.scan");
}

TEST_CASE("a line that is neither a section nor key = value is a file-level error") {
    const ConfigError error = config_error_from([] { load_text("[aws]\nregion us-east-1\n"); });
    CHECK(error.key() == "config");
    CHECK(std::string(error.what()).find("\"region us-east-1\"") != std::string::npos);
}

TEST_CASE("a key given twice in the file is an error naming it") {
    const ConfigError error = config_error_from(
        [] { load_text("[aws]\nregion = us-east-1\n[sync]\ninterval = 1m\ninterval = 2m\n"); });
    CHECK(error.key() == "sync.interval");
    CHECK(std::string(error.what()).starts_with("sync.interval is given more than once in "));
}

TEST_CASE("sync.scan repeats in order and a repeated scan name is kept once") {
    const Settings settings =
        load_text(std::string(kMinimal) + "[sync]\nscan = b\nscan = a\nscan = b\n");
    CHECK(settings.sync.scans == std::vector<std::string>{"b", "a"});
}

TEST_CASE("a missing region is an error naming aws.region and every place it may come from") {
    TempDir dir;
    const std::string path = dir.write("[log]\nlevel = info\n");
    const ConfigError error =
        config_error_from([&] { load_settings(with_file(path), environment()); });
    CHECK(error.key() == "aws.region");
    CHECK(std::string(error.what()) ==
          "missing required key aws.region: set region in [aws] of " + path +
              ", pass --aws.region=REGION or set AWS_REGION (neither AWS_REGION nor "
              "AWS_DEFAULT_REGION is set, and the AWS profile has no region either)");
}

// --- the region's fallbacks, as the AWS SDKs read them ---------------------------------------

TEST_CASE(
    "without aws.region the region is AWS_REGION, then AWS_DEFAULT_REGION, then the "
    "profile's") {
    TempDir dir;
    const std::string aws_config = dir.write(
        "[default]\nregion = ap-east-1\n[profile ops]\nregion = eu-central-1\n", "aws_config");
    std::map<std::string, std::string> variables = {{"AWS_CONFIG_FILE", aws_config},
                                                    {"AWS_REGION", "us-west-2"},
                                                    {"AWS_DEFAULT_REGION", "eu-west-1"}};
    const auto region = [&](const std::string& file_text, CommandLine command_line = {}) {
        return load_text(file_text, std::move(command_line), environment(variables)).aws.region;
    };
    CHECK(region(kMinimal) == "us-east-1");
    CHECK(region("") == "us-west-2");
    CHECK(region("[aws]\nregion =\n") == "us-west-2");  // empty is unset
    variables.erase("AWS_REGION");
    CHECK(region("") == "eu-west-1");
    variables.erase("AWS_DEFAULT_REGION");
    CHECK(region("") == "ap-east-1");
    CHECK(region("[aws]\nprofile = ops\n") == "eu-central-1");
    variables["AWS_PROFILE"] = "ops";
    CHECK(region("") == "eu-central-1");

    // The command line's aws.region wins over all of them, and its empty value clears the
    // file's so that the environment decides.
    variables["AWS_REGION"] = "us-west-2";
    CommandLine cleared;
    cleared.overrides = {{"aws.region", ""}};
    CHECK(region(kMinimal, cleared) == "us-west-2");
    CommandLine explicit_region;
    explicit_region.overrides = {{"aws.region", "sa-east-1"}};
    CHECK(region("", explicit_region) == "sa-east-1");
}

TEST_CASE("empty AWS_REGION and AWS_DEFAULT_REGION count as unset") {
    const auto env = environment({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "ca-central-1"}});
    CHECK(load_text("", {}, env).aws.region == "ca-central-1");
    const ConfigError error = config_error_from([] {
        load_text("", {}, environment({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", ""}}));
    });
    CHECK(error.key() == "aws.region");
}

TEST_CASE("a bad region from the environment or the profile names aws.region and its source") {
    const ConfigError from_env = config_error_from([] {
        load_text("", {}, environment({{"AWS_REGION", "US East"}}));
    });
    CHECK(from_env.key() == "aws.region");
    CHECK(std::string(from_env.what()) ==
          "invalid value for aws.region from AWS_REGION: \"US East\" (expected a region like "
          "us-east-1)");

    const ConfigError from_default = config_error_from([] {
        load_text("", {}, environment({{"AWS_DEFAULT_REGION", "eu_west_1"}}));
    });
    CHECK(std::string(from_default.what())
              .starts_with("invalid value for aws.region from AWS_DEFAULT_REGION: \"eu_west_1\""));

    TempDir dir;
    const std::string aws_config = dir.write("[default]\nregion = Mars\n", "aws_config");
    const ConfigError from_profile = config_error_from([&] {
        load_text("", {}, environment({{"AWS_CONFIG_FILE", aws_config}}));
    });
    CHECK(from_profile.key() == "aws.region");
    CHECK(std::string(from_profile.what())
              .starts_with("invalid value for aws.region from the region of AWS profile default: "
                           "\"Mars\""));
}

TEST_CASE("a region in the file is used even when the environment's is invalid") {
    CHECK(load_text(kMinimal, {}, environment({{"AWS_REGION", "not a region"}})).aws.region ==
          "us-east-1");
}

// --- the bounded keys of issue 13 --------------------------------------------------------------

TEST_CASE("statement_timeout, lease, max_pages and retention runs keep the value given") {
    const Settings settings = load_text(std::string(kMinimal) +
                                        "[database]\nstatement_timeout = 1m30s\n"
                                        "[sync]\nlease = 45s\nmax_pages = 100000000\n"
                                        "[retention]\nruns = 3650d\n");
    CHECK(settings.database.statement_timeout == 90s);
    CHECK(settings.sync.lease == 45s);
    CHECK(settings.sync.max_pages == 100'000'000);
    CHECK(settings.retention.runs == 24h * 3650);

    const Settings edges = load_text(std::string(kMinimal) +
                                     "[database]\nstatement_timeout = 1500ms\n"
                                     "[sync]\ninterval = 7d\nlease = 1h\nmax_pages = 1\n"
                                     "[retention]\nruns = 1h\n");
    CHECK(edges.database.statement_timeout == 1500ms);
    CHECK(edges.sync.interval == 24h * 7);
    CHECK(edges.sync.lease == 1h);
    CHECK(edges.sync.max_pages == 1);
    CHECK(edges.retention.runs == 1h);
}

TEST_CASE("the [retention] section takes no other key") {
    const ConfigError error = config_error_from(
        [] { load_text(std::string(kMinimal) + "[retention]\nfindings = 1d\n"); });
    CHECK(error.key() == "retention.findings");
}

TEST_CASE("a bad value of each kind is an error naming the key and the value") {
    const std::string long_scan(141, 'a');
    struct Case {
        std::string key;
        std::string value;
    };
    const std::vector<Case> cases = {
        {"aws.region", "US-EAST-1"},
        {"aws.region", "us_east_1"},
        {"aws.endpoint", "ftp://example.com"},
        {"aws.endpoint", "http://"},
        {"aws.endpoint", "example.com"},
        {"aws.endpoint", "http://example.com:99999"},
        {"aws.endpoint", "http://example.com:0"},
        {"aws.endpoint", "http://example.com/path"},
        {"aws.connect_timeout", "0"},
        {"aws.connect_timeout", "15x"},
        {"aws.connect_timeout", ""},
        {"aws.request_timeout", "-1s"},
        {"aws.max_attempts", "0"},
        {"aws.max_attempts", "21"},
        {"aws.max_attempts", "5x"},
        {"aws.max_attempts", ""},
        {"aws.max_attempts", "1e3"},
        {"aws.max_attempts", "+5"},
        {"aws.max_attempts", "99999999999999999999"},
        {"aws.requests_per_second", "0"},
        {"aws.requests_per_second", "0.0"},
        {"aws.requests_per_second", "10000.5"},
        {"aws.requests_per_second", "-1"},
        {"aws.requests_per_second", "1e3"},
        {"aws.requests_per_second", "inf"},
        {"aws.requests_per_second", "fast"},
        {"database.url", ""},
        {"database.schema", "Codeguru"},
        {"database.schema", "1findings"},
        {"database.schema", "code-guru"},
        {"database.schema", std::string(64, 'a')},
        {"database.statement_timeout", "999ms"},
        {"database.statement_timeout", "24h1ms"},
        {"database.statement_timeout", "0"},
        {"database.statement_timeout", "5 minutes"},
        {"sync.scan", "bad/name"},
        {"sync.scan", ""},
        {"sync.scan", long_scan},
        {"sync.scan_prefix", "a b"},
        {"sync.scan_prefix", long_scan},
        {"sync.status", "open"},
        {"sync.status", "ALL"},
        {"sync.page_size", "0"},
        {"sync.page_size", "1001"},
        {"sync.page_size", "1.5"},
        {"sync.interval", "0"},
        {"sync.interval", "500ms"},
        {"sync.interval", "1500ms"},
        {"sync.interval", "15x"},
        {"sync.interval", "7d1s"},
        {"sync.interval", "8d"},
        {"sync.interval", "106751991167d"},
        {"sync.concurrency", "0"},
        {"sync.concurrency", "65"},
        {"sync.lease", "9s"},
        {"sync.lease", "1h1s"},
        {"sync.lease", "10500ms"},
        {"sync.lease", "2x"},
        {"sync.max_pages", "0"},
        {"sync.max_pages", "100000001"},
        {"sync.max_pages", "-1"},
        {"sync.max_pages", "1e6"},
        {"retention.runs", "59m59s"},
        {"retention.runs", "3650d1s"},
        {"retention.runs", "1500ms"},
        {"retention.runs", "forever"},
        {"log.level", "verbose"},
        {"log.level", "INFO"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.key, c.value);
        const ConfigError error = config_error_from([&] { load_text(file_with(c.key, c.value)); });
        CHECK(error.key() == c.key);
        const std::string what = error.what();
        CHECK(what.starts_with("invalid value for " + c.key + ": \"" + c.value + "\" (expected "));
        CHECK(one_line(what));
    }
}

TEST_CASE("a bad duration names the accepted forms") {
    const ConfigError error =
        config_error_from([] { load_text(file_with("sync.interval", "15x")); });
    CHECK(std::string(error.what()) ==
          "invalid value for sync.interval: \"15x\" (expected a duration like 900, 900s, 15m, "
          "1h)");
}

TEST_CASE("a duration out of a bounded range names both bounds") {
    struct Case {
        std::string key;
        std::string value;
        std::string range;
    };
    const std::vector<Case> cases = {
        {"database.statement_timeout", "500ms", "from 1s to 1d"},
        {"sync.interval", "8d", "from 1s to 7d"},
        {"sync.lease", "5s", "from 10s to 1h"},
        {"retention.runs", "3651d", "from 1h to 3650d"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.key);
        const ConfigError error = config_error_from([&] { load_text(file_with(c.key, c.value)); });
        CHECK(std::string(error.what()) == "invalid value for " + c.key + ": \"" + c.value +
                                               "\" (expected a duration like 900, 900s, 15m, 1h, " +
                                               c.range + ")");
    }
}

TEST_CASE("values at the edges of their ranges are accepted") {
    struct Case {
        std::string key;
        std::string value;
    };
    const std::vector<Case> cases = {
        {"aws.region", "cn-northwest-1"},
        {"aws.endpoint", "http://127.0.0.1:8080"},
        {"aws.endpoint", "https://codeguru-security.us-east-1.amazonaws.com/"},
        {"aws.endpoint", "http://[::1]:9000"},
        {"aws.endpoint", "http://localhost:65535"},
        {"aws.connect_timeout", "1ms"},
        {"aws.max_attempts", "1"},
        {"aws.max_attempts", "20"},
        {"aws.requests_per_second", "0.5"},
        {"aws.requests_per_second", ".25"},
        {"aws.requests_per_second", "10000"},
        {"database.schema", "_"},
        {"database.schema", std::string(63, 'z')},
        {"sync.scan", std::string(140, 'x')},
        {"sync.scan", "A-z_0$9:."},
        {"sync.scan_prefix", ""},
        {"sync.status", "Closed"},
        {"sync.page_size", "1"},
        {"sync.interval", "1s"},
        {"sync.interval", "900"},
        {"sync.interval", "1000ms"},
        {"sync.interval", "7d"},
        {"sync.interval", "604800"},
        {"sync.concurrency", "64"},
        {"database.statement_timeout", "1s"},
        {"database.statement_timeout", "1500ms"},
        {"database.statement_timeout", "24h"},
        {"sync.lease", "10s"},
        {"sync.lease", "1h"},
        {"sync.lease", "10000ms"},
        {"sync.max_pages", "1"},
        {"sync.max_pages", "100000000"},
        {"retention.runs", "1h"},
        {"retention.runs", "3650d"},
        {"retention.runs", "3600"},
        {"log.level", "off"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.key, c.value);
        CHECK_NOTHROW(load_text(file_with(c.key, c.value)));
    }
}

TEST_CASE("a missing config file given with --config is an error") {
    TempDir dir;
    const std::string path = dir.path("absent.conf");
    const ConfigError error =
        config_error_from([&] { load_settings(with_file(path), environment()); });
    CHECK(error.key() == "config");
    CHECK(std::string(error.what()) ==
          "cannot read config file " + path + ": No such file or directory");
}

TEST_CASE("a missing default config file leaves defaults and command-line overrides") {
    TempDir dir;
    CommandLine command_line;
    command_line.config_path = dir.path("absent.conf");
    command_line.overrides = {{"aws.region", "us-east-2"}, {"sync.scan", "s1"}};
    const Settings settings = load_settings(command_line, environment());
    CHECK(settings.aws.region == "us-east-2");
    CHECK(settings.sync.scans == std::vector<std::string>{"s1"});
    CHECK(settings.sync.interval == 15min);

    command_line.overrides.clear();
    const ConfigError error =
        config_error_from([&] { load_settings(command_line, environment()); });
    CHECK(error.key() == "aws.region");
    CHECK(std::string(error.what()).find("--aws.region=REGION") != std::string::npos);
}

TEST_CASE("a config path that is a directory is an error even when it is the default") {
    TempDir dir;
    CommandLine command_line;
    command_line.config_path = dir.path("");
    command_line.overrides = {{"aws.region", "us-east-2"}};
    const ConfigError error =
        config_error_from([&] { load_settings(command_line, environment()); });
    CHECK(error.key() == "config");
    CHECK(std::string(error.what()).starts_with("cannot read config file "));
}

// --- overrides -----------------------------------------------------------------------------

TEST_CASE("command-line overrides win over the file") {
    CommandLine command_line;
    command_line.overrides = {{"aws.region", "ap-south-1"},
                              {"sync.interval", "30s"},
                              {"database.url", "postgresql://localhost/other"},
                              {"aws.profile", ""}};
    const Settings settings = load_text(
        "[aws]\nregion = us-east-1\nprofile = prod\n[sync]\ninterval = 1h\n", command_line);
    CHECK(settings.aws.region == "ap-south-1");
    CHECK(settings.aws.profile.empty());
    CHECK(settings.sync.interval == 30s);
    CHECK(settings.database.url == "postgresql://localhost/other");
}

TEST_CASE("a bad override value is an error naming the key") {
    CommandLine command_line;
    command_line.overrides = {{"sync.page_size", "lots"}};
    const ConfigError error = config_error_from([&] { load_text(kMinimal, command_line); });
    CHECK(error.key() == "sync.page_size");
}

TEST_CASE("sync.scan overrides replace the file's scans and accumulate among themselves") {
    CommandLine command_line;
    command_line.overrides = {{"sync.scan", "cli-1"}, {"sync.scan", "cli-2"}};
    const Settings settings =
        load_text(std::string(kMinimal) + "[sync]\nscan = file-1\nscan = file-2\n", command_line);
    CHECK(settings.sync.scans == std::vector<std::string>{"cli-1", "cli-2"});
}

TEST_CASE("the --scan flag replaces the scan list from the file and from sync.scan overrides") {
    const CommandLine command_line =
        parse_args({"--sync.scan=override", "--scan", "one", "--scan=two"});
    const Settings settings = load_text(
        std::string(kMinimal) + "[sync]\nscan = file-1\nscan_prefix = p-\n", command_line);
    CHECK(settings.sync.scans == std::vector<std::string>{"one", "two"});
    CHECK(settings.sync.scan_prefix == "p-");
}

TEST_CASE("the --log-level flag wins over the file and over --log.level") {
    const CommandLine command_line = parse_args({"--log.level=warn", "--log-level", "trace"});
    const Settings settings =
        load_text(std::string(kMinimal) + "[log]\nlevel = error\n", command_line);
    CHECK(settings.log.level == "trace");

    const ConfigError error = config_error_from([] {
        load_text(kMinimal, parse_args({"--log-level", "loud"}));
    });
    CHECK(error.key() == "log.level");
}

TEST_CASE("an error message stays on one line whatever the value holds") {
    CommandLine command_line;
    command_line.overrides = {{"sync.status", "Open\nClosed \"x\""}};
    const ConfigError error = config_error_from([&] { load_text(kMinimal, command_line); });
    CHECK(
        std::string(error.what()) ==
        R"(invalid value for sync.status: "Open\x0aClosed \"x\"" (expected Open, Closed or All))");
}

// --- scans required only for syncing ----------------------------------------------------

TEST_CASE("require_scans demands a scan, a scan prefix or an Inspector region") {
    Settings settings = load_text(kMinimal);
    const ConfigError error = config_error_from([&] { require_scans(settings); });
    CHECK(error.key() == "sync.scan");
    CHECK(one_line(error.what()));
    CHECK(std::string(error.what()).find("inspector.region") != std::string::npos);

    settings.sync.scan_prefix = "team-";
    CHECK_NOTHROW(require_scans(settings));
    settings.sync.scan_prefix.clear();
    settings.sync.scans = {"one"};
    CHECK_NOTHROW(require_scans(settings));
    settings.sync.scans.clear();
    settings.inspector.regions = {"eu-west-1"};
    CHECK_NOTHROW(require_scans(settings));
}

// --- [inspector] ------------------------------------------------------------------------------

TEST_CASE("the [inspector] section has the documented defaults and is off without a region") {
    const Settings settings = load_text(kMinimal);
    CHECK_FALSE(settings.inspector.enabled());
    CHECK(settings.inspector.endpoint.empty());
    CHECK(settings.inspector.finding_types == std::vector<std::string>{"CODE_VULNERABILITY"});
    CHECK(settings.inspector.accounts.empty());
    CHECK(settings.inspector.status == "All");
    CHECK(settings.inspector.page_size == 100);
    CHECK(settings.inspector.overlap == 15min);
    CHECK(settings.inspector.full_sweep == 24h);
    CHECK(settings.inspector.code_snippets);
}

TEST_CASE("[inspector] keys are read, repeatable ones in order without repeats") {
    const Settings settings = load_text(std::string(kMinimal) +
                                        "[inspector]\n"
                                        "region = eu-west-1\n"
                                        "region = us-east-1\n"
                                        "region = eu-west-1\n"
                                        "endpoint = http://127.0.0.1:9\n"
                                        "finding_type = PACKAGE_VULNERABILITY\n"
                                        "finding_type = CODE_VULNERABILITY\n"
                                        "account = 111111111111\n"
                                        "account = 222222222222\n"
                                        "status = ACTIVE\n"
                                        "page_size = 7\n"
                                        "overlap = 0s\n"
                                        "full_sweep = 6h\n"
                                        "code_snippets = no\n");
    CHECK(settings.inspector.regions == std::vector<std::string>{"eu-west-1", "us-east-1"});
    CHECK(settings.inspector.endpoint == "http://127.0.0.1:9");
    CHECK(settings.inspector.finding_types ==
          std::vector<std::string>{"PACKAGE_VULNERABILITY", "CODE_VULNERABILITY"});
    CHECK(settings.inspector.accounts == std::vector<std::string>{"111111111111", "222222222222"});
    CHECK(settings.inspector.status == "ACTIVE");
    CHECK(settings.inspector.page_size == 7);
    CHECK(settings.inspector.overlap == 0s);
    CHECK(settings.inspector.full_sweep == 6h);
    CHECK_FALSE(settings.inspector.code_snippets);
}

TEST_CASE("a bad [inspector] value is an error naming the key and the value") {
    struct Case {
        const char* key;
        const char* value;
        const char* expected;
    };
    const Case cases[] = {
        {"inspector.region", "US_EAST_1", "a region like us-east-1"},
        {"inspector.finding_type", "CODE", "CODE_VULNERABILITY, PACKAGE_VULNERABILITY or"},
        {"inspector.account", "12345", "a 12-digit AWS account id"},
        {"inspector.status", "Open", "ACTIVE, SUPPRESSED, CLOSED or All"},
        {"inspector.page_size", "101", "an integer from 1 to 100"},
        {"inspector.page_size", "0", "an integer from 1 to 100"},
        {"inspector.overlap", "25h", "from 0s to 1d"},
        {"inspector.full_sweep", "30s", "from 1m to 365d"},
        {"inspector.code_snippets", "maybe", "true or false"},
        {"inspector.endpoint", "ftp://x", "http(s)://host[:port]"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.key, c.value);
        const ConfigError error = config_error_from([&] { load_text(file_with(c.key, c.value)); });
        CHECK(error.key() == c.key);
        const std::string message = error.what();
        CHECK(message.find(c.key) != std::string::npos);
        CHECK(message.find(c.value) != std::string::npos);
        CHECK(message.find(c.expected) != std::string::npos);
    }
}

TEST_CASE("more than 10 inspector.account values are refused") {
    std::string text = std::string(kMinimal) + "[inspector]\n";
    for (int i = 0; i < 11; ++i) text += "account = 1000000000" + std::to_string(10 + i) + "\n";
    const ConfigError error = config_error_from([&] { load_text(text); });
    CHECK(error.key() == "inspector.account");
    CHECK(std::string(error.what()).find("at most 10") != std::string::npos);
}

TEST_CASE("with only Inspector configured the region defaults to the first inspector.region") {
    CommandLine command_line;
    command_line.overrides = {{"inspector.region", "ap-south-1"},
                              {"inspector.region", "eu-west-1"}};
    TempDir dir;
    command_line.config_path = dir.path("absent.conf");
    const Settings settings = load_settings(command_line, environment());
    CHECK(settings.aws.region == "ap-south-1");
    CHECK_NOTHROW(require_scans(settings));
}

TEST_CASE(
    "requests_per_second is a ceiling only when set: empty or absent leaves the rate adaptive") {
    CHECK_FALSE(load_text(kMinimal).aws.requests_per_second.has_value());
    CHECK_FALSE(load_text("[aws]\nregion = us-east-1\nrequests_per_second =\n")
                    .aws.requests_per_second.has_value());
    CommandLine empty_override;
    empty_override.overrides = {{"aws.requests_per_second", ""}};
    CHECK_FALSE(load_text(kMinimal, empty_override).aws.requests_per_second.has_value());
    CommandLine ceiling;
    ceiling.overrides = {{"aws.requests_per_second", "20"}};
    CHECK(load_text(kMinimal, ceiling).aws.requests_per_second == 20.0);
    // The printed default reads back as the default.
    const std::string printed = describe_settings(load_text(kMinimal));
    CHECK(printed.find("\nrequests_per_second =\n") != std::string::npos);
}

// --- --check-config output -------------------------------------------------------------------

TEST_CASE("describe_settings lists every key and reads back to the same settings") {
    CommandLine command_line;
    command_line.overrides = {{"sync.scan", "a"},
                              {"sync.scan", "b"},
                              {"sync.interval", "1h30m"},
                              {"aws.request_timeout", "1500ms"},
                              {"aws.requests_per_second", "0.5"},
                              {"aws.endpoint", "http://127.0.0.1:4566"},
                              {"database.statement_timeout", "150s"},
                              {"sync.max_pages", "50"},
                              {"inspector.region", "eu-west-1"},
                              {"inspector.account", "123456789012"},
                              {"inspector.code_snippets", "false"}};
    const Settings settings = load_text(kMinimal, command_line);
    const std::string text = describe_settings(settings);
    CHECK(text ==
          "[aws]\n"
          "region = us-east-1\n"
          "profile =\n"
          "endpoint = http://127.0.0.1:4566\n"
          "connect_timeout = 10s\n"
          "request_timeout = 1s500ms\n"
          "max_attempts = 5\n"
          "requests_per_second = 0.5\n"
          "\n"
          "[database]\n"
          "url = postgresql:///codeguru\n"
          "schema = codeguru\n"
          "statement_timeout = 2m30s\n"
          "\n"
          "[sync]\n"
          "scan = a\n"
          "scan = b\n"
          "scan_prefix =\n"
          "status = All\n"
          "page_size = 1000\n"
          "interval = 1h30m\n"
          "concurrency = 2\n"
          "lease = 2m\n"
          "max_pages = 50\n"
          "\n"
          "[inspector]\n"
          "region = eu-west-1\n"
          "endpoint =\n"
          "finding_type = CODE_VULNERABILITY\n"
          "account = 123456789012\n"
          "status = All\n"
          "page_size = 100\n"
          "overlap = 15m\n"
          "full_sweep = 1d\n"
          "code_snippets = false\n"
          "\n"
          "[retention]\n"
          "runs = 90d\n"
          "\n"
          "[log]\n"
          "level = info\n"
          "format = text\n"
          "\n"
          "[metrics]\n"
          "listen =\n");
    CHECK(describe_settings(load_text(text)) == text);
    // Every section of the keys is printed as a section.
    for (const ConfigKey& key : kConfigKeys) {
        const std::string section(key.name.substr(0, key.name.find('.')));
        CHECK(text.find("[" + section + "]\n") != std::string::npos);
    }
    for (const ConfigKey& key : kConfigKeys) {
        const std::string name(key.name.substr(key.name.find('.') + 1));
        CHECK(text.find("\n" + name + " =") != std::string::npos);
    }
}

TEST_CASE("describe_settings masks the database password") {
    CommandLine command_line;
    command_line.overrides = {{"database.url", "postgresql://sync:hunter2@db:5432/codeguru"}};
    const std::string text = describe_settings(load_text(kMinimal, command_line));
    CHECK(text.find("hunter2") == std::string::npos);
    CHECK(text.find("url = postgresql://sync:***@db:5432/codeguru\n") != std::string::npos);
}

TEST_CASE("mask_database_url hides passwords in URIs and in key=value conninfo") {
    struct Case {
        const char* url;
        const char* masked;
    };
    const Case cases[] = {
        {"postgresql://user:secret@host/db", "postgresql://user:***@host/db"},
        {"postgres://user:secret@host", "postgres://user:***@host"},
        {"postgresql://user@host/db", "postgresql://user@host/db"},
        {"postgresql:///codeguru", "postgresql:///codeguru"},
        {"postgresql://u:p@ss@h1:5432,h2/db", "postgresql://u:***@h1:5432,h2/db"},
        {"postgresql://u:%40x@host/db?sslmode=require&password=other&application_name=a",
         "postgresql://u:***@host/db?sslmode=require&password=***&application_name=a"},
        {"postgresql://host/db?password=secret", "postgresql://host/db?password=***"},
        {"host=db password=secret user=me", "host=db password=*** user=me"},
        {"password='se cret' host=db", "password=*** host=db"},
        {"host=db password = 'it\\'s secret' dbname=x", "host=db password = *** dbname=x"},
        {"  password=secret", "  password=***"},
        {"dbname=postgresql://u:secret@h/db user=u", "dbname=postgresql://u:***@h/db user=u"},
        {"dbname=codeguru", "dbname=codeguru"},
        {"passwordx=keep password_file=keep", "passwordx=keep password_file=keep"},
        {"", ""},
    };
    for (const Case& c : cases) {
        CAPTURE(c.url);
        CHECK(mask_database_url(c.url) == c.masked);
    }
}

// --- the command line --------------------------------------------------------------------

TEST_CASE("no arguments give the default config path and no modes") {
    const CommandLine command_line = parse_args({});
    CHECK(command_line.config_path == "/etc/codeguru-syncd/codeguru-syncd.conf");
    CHECK_FALSE(command_line.config_path_given);
    CHECK_FALSE(command_line.once);
    CHECK_FALSE(command_line.migrate);
    CHECK_FALSE(command_line.check_config);
    CHECK_FALSE(command_line.check);
    CHECK(command_line.reset_scan.empty());
    CHECK_FALSE(command_line.show_help);
    CHECK_FALSE(command_line.show_version);
    CHECK(command_line.scans.empty());
    CHECK(command_line.log_level.empty());
    CHECK(command_line.overrides.empty());
}

TEST_CASE("flags and their values are parsed in both --flag value and --flag=value forms") {
    const CommandLine command_line =
        parse_args({"--config", "/tmp/x.conf", "--once", "--scan", "a", "--scan=b",
                    "--log-level=debug", "--version", "-h"});
    CHECK(command_line.config_path == "/tmp/x.conf");
    CHECK(command_line.config_path_given);
    CHECK(command_line.once);
    CHECK(command_line.scans == std::vector<std::string>{"a", "b"});
    CHECK(command_line.log_level == "debug");
    CHECK(command_line.show_version);
    CHECK(command_line.show_help);
    CHECK(parse_args({"--migrate"}).migrate);
    CHECK(parse_args({"--check-config", "--config=/c"}).check_config);
    CHECK(parse_args({"--help"}).show_help);
}

TEST_CASE("the --check flag is a mode of its own, not a prefix of --check-config") {
    const CommandLine check = parse_args({"--check", "--config=/c"});
    CHECK(check.check);
    CHECK_FALSE(check.check_config);
    const CommandLine check_config = parse_args({"--check-config"});
    CHECK(check_config.check_config);
    CHECK_FALSE(check_config.check);
}

TEST_CASE("the --reset-scan flag takes the scan's name in both forms") {
    CHECK(parse_args({"--reset-scan", "payments-api"}).reset_scan == "payments-api");
    CHECK(parse_args({"--reset-scan=data$nightly"}).reset_scan == "data$nightly");
    CHECK(parse_args({"--reset-scan=a", "--scan=b"}).scans == std::vector<std::string>{"b"});
}

TEST_CASE("config keys on the command line are kept as overrides in order") {
    const CommandLine command_line =
        parse_args({"--aws.region=eu-north-1", "--sync.scan", "one", "--database.url",
                    "host=x password=y", "--sync.scan=two", "--aws.profile="});
    using Pair = std::pair<std::string, std::string>;
    CHECK(command_line.overrides == std::vector<Pair>{{"aws.region", "eu-north-1"},
                                                      {"sync.scan", "one"},
                                                      {"database.url", "host=x password=y"},
                                                      {"sync.scan", "two"},
                                                      {"aws.profile", ""}});
}

TEST_CASE("every config key is accepted on the command line") {
    for (const ConfigKey& key : kConfigKeys) {
        const std::string flag = "--" + std::string(key.name) + "=v";
        CAPTURE(flag);
        const CommandLine command_line = parse_args({flag.c_str()});
        REQUIRE(command_line.overrides.size() == 1);
        CHECK(command_line.overrides.front().first == key.name);
    }
}

TEST_CASE("bad command-line usage is a one-line UsageError naming the argument") {
    struct Case {
        std::vector<const char*> args;
        const char* message_part;
    };
    const std::vector<Case> cases = {
        {{"--aws.regoin=x"}, "unknown configuration key aws.regoin"},
        {{"--x.y", "1"}, "x.y"},
        {{"--frobnicate"}, "unknown option --frobnicate"},
        {{"--onc"}, "--onc"},
        {{"--aws.region"}, "aws.region"},
        {{"--config"}, "config"},
        {{"--config="}, "--config"},
        {{"--scan"}, "scan"},
        {{"extra"}, "extra"},
        {{"--once", "--", "more"}, "more"},
        {{"--once=yes"}, "once"},
        {{"--aws.region", "--once"}, "missing value for --aws.region"},
        {{"--scan", "--once"}, "missing value for --scan"},
        {{"--aws.region=a", "--aws.region=b"}, "--aws.region given more than once"},
        {{"--log-level=info", "--log-level=debug"}, "--log-level"},
        {{"--config=a", "--config=b"}, "--config"},
        {{"--once", "--migrate"}, "cannot be combined"},
        {{"--check-config", "--once"}, "cannot be combined"},
        {{"--check", "--once"}, "cannot be combined"},
        {{"--check", "--check-config"}, "cannot be combined"},
        {{"--migrate", "--check"}, "cannot be combined"},
        {{"--report", "--check"}, "cannot be combined"},
        {{"--reset-scan=a", "--once"}, "cannot be combined"},
        {{"--reset-scan=a", "--check"}, "cannot be combined"},
        {{"--reset-scan=a", "--migrate"}, "cannot be combined"},
        {{"--report", "--reset-scan", "a"}, "cannot be combined"},
        {{"--reset-scan=a", "--reset-scan=b"}, "--reset-scan given more than once"},
        {{"--reset-scan"}, "reset-scan"},
        {{"--reset-scan="}, "--reset-scan needs a scan name"},
        {{"--reset-scan", "--once"}, "missing value for --reset-scan"},
        {{"--check=yes"}, "check"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.args);
        const std::string what = usage_error_from(c.args).what();
        CAPTURE(what);
        CHECK(what.find(c.message_part) != std::string::npos);
        CHECK(one_line(what));
    }
}

TEST_CASE("the help text names every flag and every config key") {
    const std::string text = usage_text();
    for (const char* flag :
         {"--config FILE", "--once", "--migrate", "--check-config", "--check ", "--reset-scan NAME",
          "--scan NAME", "--log-level LEVEL", "--version", "--help"}) {
        CAPTURE(flag);
        CHECK(text.find(flag) != std::string::npos);
    }
    CHECK(text.starts_with(
        "Usage: codeguru-syncd [--config FILE] [--once] [--migrate] [--check-config] [--check]\n"
        "                      [--reset-scan NAME]\n"
        "                      [--report [--format table|csv|json|html] [--output FILE]\n"
        "                                [--source SOURCE]... [--project NAME]...]\n"));
    CHECK(text.find("Every configuration key can also be given on the command line as\n"
                    "--section.key=value") != std::string::npos);
    for (const ConfigKey& key : kConfigKeys) {
        CAPTURE(key.name);
        CHECK(text.find("--" + std::string(key.name) + "=") != std::string::npos);
    }
}
