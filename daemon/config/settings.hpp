#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace codeguru {

// The effective configuration (file, then command-line overrides), validated.
// Defaults are the documented ones.
struct AwsSettings {
    std::string region;    // required
    std::string profile;   // empty: AWS_PROFILE or "default"
    std::string endpoint;  // empty: https://codeguru-security.{region}.amazonaws.com
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    int max_attempts = 5;
    double requests_per_second = 5.0;
};

struct DatabaseSettings {
    std::string url = "postgresql:///codeguru";  // libpq URI or key=value conninfo
    std::string schema = "codeguru";
};

struct SyncSettings {
    std::vector<std::string> scans;
    std::string scan_prefix;
    std::string status = "All";  // Open | Closed | All
    int page_size = 1000;
    std::chrono::seconds interval{std::chrono::minutes(15)};
    int concurrency = 2;
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
    LogSettings log;
    MetricsSettings metrics;
};

}  // namespace codeguru
