#include "config/settings_loader.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>

#include "aws/credentials/credentials.hpp"
#include "aws/profile_region.hpp"
#include "aws/shared_config_files.hpp"
#include "config/config_error.hpp"
#include "config/config_keys.hpp"
#include "config/duration.hpp"

namespace codeguru {
namespace {

namespace po = boost::program_options;

// Raw text values per key, before validation; repeatable keys may hold several.
using RawValues = std::map<std::string, std::vector<std::string>, std::less<>>;

constexpr std::size_t kMaxScanNameLength = 140;
constexpr std::chrono::hours kDay{24};

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

// A value as the operator typed it, quoted and escaped so that the message stays one line.
std::string quote(std::string_view value) {
    std::string out = "\"";
    for (const char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[(static_cast<unsigned char>(c) >> 4) & 0xf];
            out += kHex[static_cast<unsigned char>(c) & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

[[noreturn]] void invalid(std::string_view key, std::string_view value, std::string_view expected) {
    throw ConfigError(std::string(key), "invalid value for " + std::string(key) + ": " +
                                            quote(value) + " (expected " + std::string(expected) +
                                            ")");
}

// The file's text, or nothing when the default path does not exist.
std::optional<std::string> read_config_file(const CommandLine& command_line) {
    const std::string& path = command_line.config_path;
    const auto fail = [&path](int error) -> ConfigError {
        return ConfigError("config", "cannot read config file " + path + ": " +
                                         std::generic_category().message(error));
    };
    errno = 0;
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                               &std::fclose);
    if (!file) {
        const int error = errno;
        if (error == ENOENT && !command_line.config_path_given) return std::nullopt;
        throw fail(error);
    }
    std::string text;
    char buffer[8192];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) text.append(buffer, n);
    if (std::ferror(file.get())) throw fail(errno != 0 ? errno : EIO);
    return text;
}

// Boost's INI parser strips '#' comments but not ';' ones, and rejects a line that is only
// a ';' comment: cut both here, along with surrounding spaces.
std::string strip_comments(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
        line = line.substr(0, line.find_first_of(";#"));
        out += trim(line);
        out += '\n';
    }
    return out;
}

void parse_file(const std::string& text, const std::string& path, RawValues& values) {
    po::options_description description;
    for (const ConfigKey& key : kConfigKeys) {
        description.add_options()(std::string(key.name).c_str(), po::value<std::string>());
    }
    std::istringstream in(strip_comments(text));
    po::parsed_options parsed(&description);
    try {
        parsed = po::parse_config_file(in, description, false);
    } catch (const po::unknown_option& e) {
        // A line like " = value" reaches Boost as an option with no name.
        if (e.get_option_name().empty()) {
            throw ConfigError("config", "invalid line with no key in " + path +
                                            " (expected [section] or key = value)");
        }
        throw ConfigError(e.get_option_name(),
                          "unknown key " + e.get_option_name() + " in " + path);
    } catch (const po::invalid_config_file_syntax& e) {
        throw ConfigError("config", "invalid line " + quote(e.tokens()) + " in " + path +
                                        " (expected [section] or key = value)");
    } catch (const po::error& e) {
        throw ConfigError("config", std::string(e.what()) + " in " + path);
    }
    for (const po::option& option : parsed.options) {
        const std::string& name = option.string_key;
        const ConfigKey* key = find_config_key(name);
        auto& slot = values[name];
        if (!slot.empty() && !key->repeatable) {
            throw ConfigError(name, name + " is given more than once in " + path);
        }
        slot.push_back(option.value.empty() ? std::string() : option.value.front());
    }
}

void apply_command_line(const CommandLine& command_line, RawValues& values) {
    std::set<std::string, std::less<>> replaced;  // repeatable keys the command line has reset
    for (const auto& [name, value] : command_line.overrides) {
        const ConfigKey* key = find_config_key(name);
        if (key == nullptr) throw ConfigError(name, "unknown key " + name + " on the command line");
        auto& slot = values[name];
        if (!key->repeatable) {
            slot = {value};
        } else {
            if (replaced.insert(name).second) slot.clear();
            slot.push_back(value);
        }
    }
    if (!command_line.scans.empty()) values["sync.scan"] = command_line.scans;
    if (!command_line.log_level.empty()) values["log.level"] = {command_line.log_level};
}

// The single value of `key`, trimmed, if it was given.
std::optional<std::string> single(const RawValues& values, std::string_view key) {
    const auto it = values.find(key);
    if (it == values.end() || it->second.empty()) return std::nullopt;
    return std::string(trim(it->second.back()));
}

int to_int(std::string_view key, const std::string& value, int min, int max) {
    const std::string expected =
        "an integer from " + std::to_string(min) + " to " + std::to_string(max);
    long long number = 0;
    const char* end = value.data() + value.size();
    const auto [ptr, ec] = std::from_chars(value.data(), end, number);
    if (value.empty() || ec != std::errc() || ptr != end || number < min || number > max) {
        invalid(key, value, expected);
    }
    return static_cast<int>(number);
}

// A duration of at least `min` and, when given, at most `max`.
std::chrono::milliseconds to_duration(std::string_view key, const std::string& value,
                                      std::chrono::milliseconds min,
                                      std::optional<std::chrono::milliseconds> max = {}) {
    constexpr std::string_view kExpected = "a duration like 900, 900s, 15m, 1h";
    std::chrono::milliseconds duration{};
    try {
        duration = parse_duration(value);
    } catch (const std::invalid_argument&) {
        invalid(key, value, kExpected);
    }
    if (duration < min || (max && duration > *max)) {
        invalid(key, value,
                std::string(kExpected) +
                    (max ? ", from " + format_duration(min) + " to " + format_duration(*max)
                         : ", at least " + format_duration(min)));
    }
    return duration;
}

// A duration from `min` to `max` in whole seconds.
std::chrono::seconds to_seconds(std::string_view key, const std::string& value,
                                std::chrono::seconds min, std::chrono::seconds max) {
    const auto duration = to_duration(key, value, min, max);
    if (duration % std::chrono::seconds(1) != std::chrono::milliseconds::zero()) {
        invalid(key, value, "a whole number of seconds, like 900, 15m, 1h");
    }
    return std::chrono::duration_cast<std::chrono::seconds>(duration);
}

// Empty, or http(s)://host[:port].
std::string to_endpoint(std::string_view key, const std::string& endpoint) {
    static const std::regex kEndpoint(
        R"(https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:([0-9]{1,5}))?/?)");
    constexpr std::string_view kExpected = "empty or http(s)://host[:port]";
    std::smatch match;
    if (!endpoint.empty()) {
        if (!std::regex_match(endpoint, match, kEndpoint)) invalid(key, endpoint, kExpected);
        if (match[4].matched) {
            const int port = std::stoi(match[4].str());
            if (port < 1 || port > 65535) invalid(key, endpoint, kExpected);
        }
    }
    return endpoint;
}

bool to_bool(std::string_view key, const std::string& value) {
    if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
    if (value == "false" || value == "no" || value == "off" || value == "0") return false;
    invalid(key, value, "true or false");
}

bool is_region(const std::string& text) {
    static const std::regex kRegion("[a-z0-9-]+");
    return std::regex_match(text, kRegion);
}

// Every value of a repeatable key, trimmed, without repeats, each checked by `valid`.
template <class Valid>
std::vector<std::string> distinct_values(const RawValues& values, std::string_view key,
                                         std::string_view expected, Valid valid) {
    std::vector<std::string> out;
    const auto it = values.find(key);
    if (it == values.end()) return out;
    for (const std::string& raw : it->second) {
        std::string value(trim(raw));
        if (!valid(value)) invalid(key, value, expected);
        if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(std::move(value));
    }
    return out;
}

bool is_scan_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '$' || c == ':' || c == '.';
}

bool is_scan_name_text(std::string_view text) {
    return text.size() <= kMaxScanNameLength &&
           std::all_of(text.begin(), text.end(), is_scan_name_char);
}

// Where the region came from, for messages about a bad one.
struct RegionSource {
    std::string region;
    std::string origin;  // empty for aws.region itself, else e.g. "AWS_REGION"
};

// The region of the AWS profile (shared config file).
std::optional<std::string> profile_region_of(const std::string& profile,
                                             const aws::EnvLookup& env) {
    try {
        return aws::profile_region(profile, env);
    } catch (const aws::CredentialsError& e) {
        throw ConfigError("aws.region", std::string("aws.region is not set and the AWS profile's "
                                                    "region cannot be read: ") +
                                            e.what());
    }
}

// The region as the AWS SDKs find it: aws.region, else AWS_REGION, else AWS_DEFAULT_REGION,
// else the profile's `region`. Empty values count as unset.
std::optional<RegionSource> find_region(const RawValues& values, const aws::EnvLookup& env) {
    if (auto region = single(values, "aws.region"); region && !region->empty()) {
        return RegionSource{std::move(*region), ""};
    }
    for (const char* variable : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
        if (auto region = env(variable); region && !region->empty()) {
            return RegionSource{std::move(*region), variable};
        }
    }
    const std::string profile = single(values, "aws.profile").value_or("");
    if (auto region = profile_region_of(profile, env)) {
        return RegionSource{std::move(*region),
                            "the region of AWS profile " + aws::select_profile(profile, env).name};
    }
    return std::nullopt;
}

void load_aws(const RawValues& values, const CommandLine& command_line, bool file_read,
              const aws::EnvLookup& env, const InspectorSettings& inspector, AwsSettings& aws) {
    auto region = find_region(values, env);
    // Only Inspector configured: its first region serves STS and the credential chain.
    if (!region && !inspector.regions.empty()) {
        region = RegionSource{inspector.regions.front(), "inspector.region"};
    }
    if (!region) {
        const std::string& path = command_line.config_path;
        throw ConfigError("aws.region",
                          (file_read ? "missing required key aws.region: set region in [aws] of " +
                                           path + ", pass --aws.region=REGION"
                                     : "missing required key aws.region: no config file at " +
                                           path + "; pass --config FILE, --aws.region=REGION") +
                              " or set AWS_REGION (neither AWS_REGION nor AWS_DEFAULT_REGION is "
                              "set, and the AWS profile has no region either)");
    }
    if (!is_region(region->region)) {
        const std::string key =
            region->origin.empty() ? "aws.region" : "aws.region from " + region->origin;
        throw ConfigError("aws.region", "invalid value for " + key + ": " + quote(region->region) +
                                            " (expected a region like us-east-1)");
    }
    aws.region = region->region;

    if (const auto profile = single(values, "aws.profile")) aws.profile = *profile;

    if (const auto endpoint = single(values, "aws.endpoint")) {
        aws.endpoint = to_endpoint("aws.endpoint", *endpoint);
    }

    constexpr std::chrono::milliseconds kPositive{1};
    if (const auto v = single(values, "aws.connect_timeout")) {
        aws.connect_timeout = to_duration("aws.connect_timeout", *v, kPositive);
    }
    if (const auto v = single(values, "aws.request_timeout")) {
        aws.request_timeout = to_duration("aws.request_timeout", *v, kPositive);
    }
    if (const auto v = single(values, "aws.max_attempts")) {
        aws.max_attempts = to_int("aws.max_attempts", *v, 1, 20);
    }
    // Empty (the default): no ceiling, the adaptive rate alone.
    if (const auto v = single(values, "aws.requests_per_second"); v && !v->empty()) {
        // At least one request every 1000 s: slower rates make no sense for a sync daemon
        // and would overflow the limiter's wait arithmetic.
        constexpr std::string_view kExpected = "a number from 0.001 to 10000, like 5 or 0.5";
        static const std::regex kDecimal(R"([0-9]+(\.[0-9]*)?|\.[0-9]+)");
        double rate = 0;
        if (!std::regex_match(*v, kDecimal)) invalid("aws.requests_per_second", *v, kExpected);
        std::from_chars(v->data(), v->data() + v->size(), rate);
        if (!(rate >= 0.001 && rate <= 10000)) invalid("aws.requests_per_second", *v, kExpected);
        aws.requests_per_second = rate;
    }
}

void load_database(const RawValues& values, DatabaseSettings& database) {
    if (const auto url = single(values, "database.url")) {
        if (url->empty()) invalid("database.url", *url, "a libpq URI or key=value conninfo");
        database.url = *url;
    }
    if (const auto schema = single(values, "database.schema")) {
        static const std::regex kIdentifier("[a-z_][a-z0-9_]{0,62}");
        if (!std::regex_match(*schema, kIdentifier)) {
            invalid("database.schema", *schema,
                    "a lowercase identifier: a-z, 0-9, _, not starting with a digit, "
                    "at most 63 characters");
        }
        database.schema = *schema;
    }
    if (const auto v = single(values, "database.statement_timeout")) {
        database.statement_timeout = to_duration("database.statement_timeout", *v,
                                                 std::chrono::seconds(1), std::chrono::hours(24));
    }
}

void load_sync(const RawValues& values, SyncSettings& sync) {
    if (const auto it = values.find("sync.scan"); it != values.end()) {
        sync.scans.clear();
        for (const std::string& raw : it->second) {
            const std::string name(trim(raw));
            if (name.empty() || !is_scan_name_text(name)) {
                invalid("sync.scan", name,
                        "a scan name of 1 to 140 characters from a-z A-Z 0-9 - _ $ : .");
            }
            // The same scan twice would only contend with itself for its lock.
            if (std::find(sync.scans.begin(), sync.scans.end(), name) == sync.scans.end()) {
                sync.scans.push_back(name);
            }
        }
    }
    if (const auto prefix = single(values, "sync.scan_prefix")) {
        if (!is_scan_name_text(*prefix)) {
            invalid("sync.scan_prefix", *prefix,
                    "empty or up to 140 characters from a-z A-Z 0-9 - _ $ : .");
        }
        sync.scan_prefix = *prefix;
    }
    if (const auto status = single(values, "sync.status")) {
        if (*status != "Open" && *status != "Closed" && *status != "All") {
            invalid("sync.status", *status, "Open, Closed or All");
        }
        sync.status = *status;
    }
    if (const auto v = single(values, "sync.page_size")) {
        sync.page_size = to_int("sync.page_size", *v, 1, 1000);
    }
    if (const auto v = single(values, "sync.interval")) {
        // Bounded so that interval arithmetic (started + interval, 3 × interval) cannot
        // overflow, and a week is already longer than any sync schedule needs.
        sync.interval = to_seconds("sync.interval", *v, std::chrono::seconds(1), kDay * 7);
    }
    if (const auto v = single(values, "sync.concurrency")) {
        sync.concurrency = to_int("sync.concurrency", *v, 1, 64);
    }
    if (const auto v = single(values, "sync.lease")) {
        sync.lease = to_seconds("sync.lease", *v, std::chrono::seconds(10), std::chrono::hours(1));
    }
    if (const auto v = single(values, "sync.max_pages")) {
        sync.max_pages = to_int("sync.max_pages", *v, 1, 100'000'000);
    }
}

void load_inspector(const RawValues& values, InspectorSettings& inspector) {
    inspector.regions = distinct_values(values, "inspector.region", "a region like us-east-1",
                                        [](const std::string& v) { return is_region(v); });
    if (const auto endpoint = single(values, "inspector.endpoint")) {
        inspector.endpoint = to_endpoint("inspector.endpoint", *endpoint);
    }
    if (values.contains("inspector.finding_type")) {
        inspector.finding_types =
            distinct_values(values, "inspector.finding_type",
                            "CODE_VULNERABILITY, PACKAGE_VULNERABILITY or NETWORK_REACHABILITY",
                            [](const std::string& v) {
                                return v == "CODE_VULNERABILITY" || v == "PACKAGE_VULNERABILITY" ||
                                       v == "NETWORK_REACHABILITY";
                            });
    }
    inspector.accounts = distinct_values(
        values, "inspector.account", "a 12-digit AWS account id", [](const std::string& v) {
            return v.size() == 12 &&
                   std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        });
    if (inspector.accounts.size() > 10) {
        throw ConfigError(
            "inspector.account",
            "too many values for inspector.account: " + std::to_string(inspector.accounts.size()) +
                " (ListFindings takes at most 10 account filters)");
    }
    if (const auto status = single(values, "inspector.status")) {
        if (*status != "ACTIVE" && *status != "SUPPRESSED" && *status != "CLOSED" &&
            *status != "All") {
            invalid("inspector.status", *status, "ACTIVE, SUPPRESSED, CLOSED or All");
        }
        inspector.status = *status;
    }
    if (const auto v = single(values, "inspector.page_size")) {
        inspector.page_size = to_int("inspector.page_size", *v, 1, 100);
    }
    if (const auto v = single(values, "inspector.overlap")) {
        inspector.overlap =
            to_seconds("inspector.overlap", *v, std::chrono::seconds(0), std::chrono::hours(24));
    }
    if (const auto v = single(values, "inspector.full_sweep")) {
        inspector.full_sweep =
            to_seconds("inspector.full_sweep", *v, std::chrono::minutes(1), kDay * 365);
    }
    if (const auto v = single(values, "inspector.code_snippets")) {
        inspector.code_snippets = to_bool("inspector.code_snippets", *v);
    }
}

void load_retention(const RawValues& values, RetentionSettings& retention) {
    if (const auto v = single(values, "retention.runs")) {
        retention.runs = to_seconds("retention.runs", *v, std::chrono::hours(1), kDay * 3650);
    }
}

void load_log(const RawValues& values, LogSettings& log) {
    if (const auto level = single(values, "log.level")) {
        constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                "error", "critical", "off"};
        if (std::find(std::begin(kLevels), std::end(kLevels), *level) == std::end(kLevels)) {
            invalid("log.level", *level, "trace, debug, info, warn, error, critical or off");
        }
        log.level = *level;
    }
    if (const auto format = single(values, "log.format")) {
        if (*format == "text") {
            log.format = LogFormat::kText;
        } else if (*format == "json") {
            log.format = LogFormat::kJson;
        } else {
            invalid("log.format", *format, "text or json");
        }
    }
}

void load_metrics(const RawValues& values, MetricsSettings& metrics) {
    const auto listen = single(values, "metrics.listen");
    if (!listen || listen->empty()) return;
    static const std::regex kListen(
        R"((\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)):([0-9]{1,5}))");
    constexpr std::string_view kExpected =
        "empty or HOST:PORT, like 127.0.0.1:9464, [::1]:9464 or localhost:9464, port 1-65535";
    std::smatch match;
    if (!std::regex_match(*listen, match, kListen)) invalid("metrics.listen", *listen, kExpected);
    const int port = std::stoi(match[5].str());
    if (port < 1 || port > 65535) invalid("metrics.listen", *listen, kExpected);
    metrics.host = match[2].matched ? match[2].str() : match[3].str();
    metrics.port = port;
}

}  // namespace

Settings load_settings(const CommandLine& command_line, const aws::EnvLookup& env) {
    RawValues values;
    const std::optional<std::string> text = read_config_file(command_line);
    if (text) parse_file(*text, command_line.config_path, values);
    apply_command_line(command_line, values);

    Settings settings;
    load_inspector(values, settings.inspector);
    load_aws(values, command_line, text.has_value(), env, settings.inspector, settings.aws);
    load_database(values, settings.database);
    load_sync(values, settings.sync);
    load_retention(values, settings.retention);
    load_log(values, settings.log);
    load_metrics(values, settings.metrics);
    return settings;
}

void require_scans(const Settings& settings) {
    if (settings.sync.scans.empty() && settings.sync.scan_prefix.empty() &&
        !settings.inspector.enabled()) {
        throw ConfigError("sync.scan",
                          "nothing to sync: set sync.scan (repeatable) or sync.scan_prefix, "
                          "or pass --scan NAME, for CodeGuru Security; or inspector.region "
                          "(repeatable) for Amazon Inspector");
    }
}

}  // namespace codeguru
