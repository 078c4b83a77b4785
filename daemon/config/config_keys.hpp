#pragma once

#include <array>
#include <string_view>

namespace codeguru {

// One key of the configuration file, named "section.key" as in `[section] key = value`
// and on the command line as `--section.key=value`.
struct ConfigKey {
    std::string_view name;        // "sync.interval"
    std::string_view value_name;  // placeholder for --help, e.g. "DURATION"
    std::string_view help;        // one line for --help
    bool repeatable = false;      // may be given more than once (values accumulate)
};

// Every configuration key, in the order documentation and --check-config list them.
inline constexpr auto kConfigKeys = std::to_array<ConfigKey>({
    {"aws.region", "REGION",
     "AWS region, e.g. us-east-1 (default: AWS_REGION, AWS_DEFAULT_REGION, profile's)"},
    {"aws.profile", "NAME", "shared-config profile (default: AWS_PROFILE or \"default\")"},
    {"aws.endpoint", "URL", "endpoint override, http(s)://host[:port]"},
    {"aws.connect_timeout", "DURATION", "connection timeout (default 10s)"},
    {"aws.request_timeout", "DURATION", "whole-request timeout (default 60s)"},
    {"aws.max_attempts", "N", "attempts per request for retryable errors, 1-20 (default 5)"},
    {"aws.requests_per_second", "RATE",
     "hard ceiling on requests/s, all scans and streams (default: none, adaptive)"},
    {"database.url", "CONNINFO", "libpq URI or key=value conninfo"},
    {"database.schema", "NAME", "PostgreSQL schema (default codeguru)"},
    {"database.statement_timeout", "DURATION", "limit per database statement, 1s-24h (default 5m)"},
    {"sync.scan", "NAME", "scan to sync (repeatable)", true},
    {"sync.scan_prefix", "PREFIX", "also sync every listed scan with this name prefix"},
    {"sync.status", "STATUS", "Open | Closed | All (default All)"},
    {"sync.page_size", "N", "findings per page, 1-1000 (default 1000)"},
    {"sync.interval", "DURATION", "time between cycle starts, 1s-7d, e.g. 900, 15m (default 15m)"},
    {"sync.concurrency", "N", "scans synced in parallel, 1-64 (default 2)"},
    {"sync.lease", "DURATION", "a scan stays owned this long without a page, 10s-1h (default 2m)"},
    {"sync.max_pages", "N", "pages a pass may take before it fails, 1-100000000 (default 100000)"},
    {"inspector.region", "REGION",
     "sync Amazon Inspector findings of this region, one stream each (repeatable)", true},
    {"inspector.endpoint", "URL",
     "Inspector endpoint override for every region, http(s)://host[:port]"},
    {"inspector.finding_type", "TYPE",
     "CODE_VULNERABILITY | PACKAGE_VULNERABILITY | NETWORK_REACHABILITY (repeatable; "
     "default CODE_VULNERABILITY)",
     true},
    {"inspector.account", "ID", "only findings of this AWS account, up to 10 (repeatable)", true},
    {"inspector.status", "STATUS", "ACTIVE | SUPPRESSED | CLOSED | All (default All)"},
    {"inspector.page_size", "N", "findings per ListFindings page, 1-100 (default 100)"},
    {"inspector.overlap", "DURATION",
     "an incremental pass re-reads this much before the watermark, 0s-24h (default 15m)"},
    {"inspector.full_sweep", "DURATION", "a full pass at least this often, 1m-365d (default 24h)"},
    {"inspector.code_snippets", "BOOL",
     "fetch code lines and suggested fixes of code findings, true | false (default true)"},
    {"retention.runs", "DURATION",
     "sync_runs rows older than this are pruned, 1h-3650d (default 90d)"},
    {"log.level", "LEVEL", "trace | debug | info | warn | error | critical | off"},
    {"log.format", "FORMAT", "text | json (default text)"},
    {"metrics.listen", "HOST:PORT",
     "serve Prometheus /metrics and /healthz, e.g. 127.0.0.1:9464 (default: off)"},
});

// The key named `name`, or nullptr if there is none.
constexpr const ConfigKey* find_config_key(std::string_view name) {
    for (const ConfigKey& key : kConfigKeys) {
        if (key.name == name) return &key;
    }
    return nullptr;
}

}  // namespace codeguru
