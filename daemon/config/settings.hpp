#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace codeguru {

// The effective configuration (file, then command-line overrides), validated.
// Defaults are the documented ones.
struct AwsSettings {
    // aws.region, else AWS_REGION, AWS_DEFAULT_REGION, the profile's, else the first
    // inspector.region
    std::string region;
    std::string profile;   // empty: AWS_PROFILE or "default"
    std::string endpoint;  // empty: AWS_ENDPOINT_URL(_CODEGURU_SECURITY), else the regional one
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    int max_attempts = 5;
    // A hard ceiling on the request rate of the whole process; none: adaptive only (the rate
    // follows what the service accepts, rate_limiter.hpp).
    std::optional<double> requests_per_second;
};

struct DatabaseSettings {
    std::string url = "postgresql:///codeguru";  // libpq URI or key=value conninfo
    std::string schema = "codeguru";
    // Server-side limit per statement, also enforced by the client (cancel, then abandon).
    std::chrono::milliseconds statement_timeout{std::chrono::minutes(5)};
};

struct SyncSettings {
    std::vector<std::string> scans;
    std::string scan_prefix;
    std::string status = "All";  // Open | Closed | All
    int page_size = 1000;
    std::chrono::seconds interval{std::chrono::minutes(15)};
    int concurrency = 2;
    // How long a scan stays owned by a daemon without a page (renewed with every page).
    std::chrono::seconds lease{std::chrono::minutes(2)};
    long max_pages = 100000;  // a pass longer than this fails (a broken API)
};

// Amazon Inspector findings (SPEC §10.2): one stream per region; no region, no source.
struct InspectorSettings {
    std::vector<std::string> regions;
    std::string endpoint;  // empty: AWS_ENDPOINT_URL_INSPECTOR2, else the regional one
    std::vector<std::string> finding_types{"CODE_VULNERABILITY"};
    std::vector<std::string> accounts;  // empty: every account the caller sees
    std::string status = "All";         // ACTIVE | SUPPRESSED | CLOSED | All
    int page_size = 100;
    std::chrono::seconds overlap{std::chrono::minutes(15)};
    std::chrono::seconds full_sweep{std::chrono::hours(24)};
    bool code_snippets = true;

    bool enabled() const { return !regions.empty(); }
};

struct RetentionSettings {
    std::chrono::seconds runs{std::chrono::hours(24 * 90)};  // sync_runs rows older are pruned
};

enum class LogFormat { kText, kJson };

struct LogSettings {
    std::string level = "info";  // trace | debug | info | warn | error | critical | off
    LogFormat format = LogFormat::kText;
};

// Where /metrics and /healthz are served; port 0: not served.
struct MetricsSettings {
    std::string host;  // IPv4 address, host name or IPv6 address (without brackets)
    int port = 0;

    bool enabled() const { return port != 0; }
};

struct Settings {
    AwsSettings aws;
    DatabaseSettings database;
    SyncSettings sync;
    InspectorSettings inspector;
    RetentionSettings retention;
    LogSettings log;
    MetricsSettings metrics;
};

}  // namespace codeguru
