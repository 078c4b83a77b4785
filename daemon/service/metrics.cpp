#include "service/metrics.hpp"

#include <algorithm>
#include <numeric>

#include "version.hpp"

namespace codeguru::service {
namespace {

using SystemTime = std::chrono::system_clock::time_point;

// Upper bounds (seconds) of the histograms' buckets, +Inf aside.
const std::vector<double> kCycleBuckets = {0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600};
// A page is one transaction of up to 1000 findings; a statement_timeout ends it at worst.
const std::vector<double> kPageApplyBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                               0.5,   1,    2.5,   5,    10,  30};
// One HTTP exchange; request_timeout (60 s by default) ends the slowest.
const std::vector<double> kRequestBuckets = {0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

std::string seconds_since_epoch(SystemTime at) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    return prometheus_number(static_cast<double>(ms) / 1000.0);
}

const char* transport_error_kind(aws::TransportError::Kind kind) {
    using Kind = aws::TransportError::Kind;
    switch (kind) {
        case Kind::kTimeout:
            return "timeout";
        case Kind::kConnect:
            return "connect";
        case Kind::kTls:
            return "tls";
        case Kind::kProtocol:
            return "protocol";
        case Kind::kResponseTooLarge:
            return "response_too_large";
        case Kind::kAborted:
            return "aborted";
        case Kind::kOther:
            break;
    }
    return "other";
}

}  // namespace

Metrics::Metrics(const Clock& clock)
    : clock_(clock),
      started_(clock.now()),
      page_apply_seconds_(kPageApplyBuckets),
      request_seconds_(kRequestBuckets),
      cycle_seconds_(kCycleBuckets) {}

void Metrics::record_response(long http_status) {
    std::lock_guard lock(mutex_);
    ++responses_[http_status];
}

void Metrics::record_transport_error(aws::TransportError::Kind kind) {
    std::lock_guard lock(mutex_);
    ++transport_errors_[transport_error_kind(kind)];
}

void Metrics::record_request_duration(double seconds) {
    std::lock_guard lock(mutex_);
    request_seconds_.observe(seconds);
}

void Metrics::record_run_started(const std::string& scan) {
    std::lock_guard lock(mutex_);
    ++runs_in_progress_[scan];
}

void Metrics::record_page(const std::string& scan, const store::PageCounts& counts,
                          double apply_seconds) {
    std::lock_guard lock(mutex_);
    ScanTotals& totals = scans_[scan];
    ++totals.pages;
    totals.inserted += counts.inserted;
    totals.updated += counts.updated;
    totals.unchanged += counts.unchanged;
    totals.rejected += counts.rejected;
    page_apply_seconds_.observe(apply_seconds);
}

void Metrics::record_database_reconnect(const std::string& scan) {
    std::lock_guard lock(mutex_);
    ++database_reconnects_[scan];
}

void Metrics::record_database_error(const std::string& sqlstate) {
    std::lock_guard lock(mutex_);
    ++database_errors_[sqlstate.empty() ? "none" : sqlstate];
}

void Metrics::record_run(const sync::ScanResult& result) {
    const SystemTime now = clock_.now();
    std::lock_guard lock(mutex_);
    ++runs_[{result.scan, sync::to_string(result.outcome)}];
    if (result.outcome == sync::ScanResult::Outcome::kSucceeded) scan_success_[result.scan] = now;
    // A run that never started (skipped, or failed before it could) was never in progress.
    if (const auto running = runs_in_progress_.find(result.scan);
        running != runs_in_progress_.end() && --running->second <= 0) {
        runs_in_progress_.erase(running);
    }
}

void Metrics::record_cycle(const sync::CycleSummary& summary) {
    const SystemTime now = clock_.now();
    const double seconds = static_cast<double>(summary.duration.count()) / 1000.0;
    // The worst outcome names the cycle: a skipped scan is no success either.
    const char* result = summary.failed > 0        ? "failed"
                         : summary.interrupted > 0 ? "interrupted"
                         : summary.skipped > 0     ? "skipped"
                                                   : "succeeded";
    std::lock_guard lock(mutex_);
    ++cycles_[result];
    cycle_seconds_.observe(seconds);
    if (std::string_view(result) == "succeeded") cycle_success_ = now;
}

Metrics::ClientTotals Metrics::client_totals() const {
    ClientTotals totals = client_base_;
    if (client_.stats != nullptr) {
        totals.retries += client_.stats->retries.load();
        totals.throttles += client_.stats->throttles.load();
    }
    if (client_.credentials != nullptr) {
        totals.credential_refresh_failures += client_.credentials->refresh_failures();
    }
    if (client_.rate_limiter != nullptr) {
        totals.rate_limit_wait_seconds += client_.rate_limiter->waited_seconds();
    }
    return totals;
}

void Metrics::watch_client(const ClientParts& parts) {
    std::lock_guard lock(mutex_);
    client_base_ = client_totals();
    client_ = parts;
}

void Metrics::set_health_scope(std::vector<std::string> scans, std::chrono::seconds interval,
                               std::string schema, sync::ConnectionFactory connect) {
    const SystemTime now = clock_.now();
    std::lock_guard lock(mutex_);
    HealthScope scope;
    for (const auto& scan : scans) {
        const auto known = health_scope_.configured_since.find(scan);
        scope.configured_since[scan] =
            known != health_scope_.configured_since.end() ? known->second : now;
    }
    scope.scans = std::move(scans);
    scope.interval = interval;
    scope.schema = std::move(schema);
    scope.connect = std::move(connect);
    health_scope_ = std::move(scope);
}

HealthScope Metrics::health_scope() const {
    std::lock_guard lock(mutex_);
    return health_scope_;
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    PrometheusText out;

    out.family("codeguru_syncd_build_info", "gauge", "The daemon's version.");
    out.sample("codeguru_syncd_build_info", {{"version", kVersion}}, "1");
    out.family("codeguru_syncd_start_time_seconds", "gauge",
               "When the daemon started, in seconds since the epoch.");
    out.sample("codeguru_syncd_start_time_seconds", seconds_since_epoch(started_));

    out.family("codeguru_syncd_scan_runs_total", "counter",
               "Scan runs ended, by outcome: succeeded, failed, interrupted, skipped (another "
               "daemon held the scan).");
    for (const auto& [key, count] : runs_) {
        out.sample("codeguru_syncd_scan_runs_total", {{"scan", key.first}, {"outcome", key.second}},
                   std::to_string(count));
    }
    out.family("codeguru_syncd_scan_runs_in_progress", "gauge", "Scan runs going on now.");
    out.sample("codeguru_syncd_scan_runs_in_progress",
               std::to_string(std::accumulate(
                   runs_in_progress_.begin(), runs_in_progress_.end(), 0L,
                   [](long sum, const auto& entry) { return sum + entry.second; })));
    out.family("codeguru_syncd_pages_total", "counter", "Pages of findings committed.");
    for (const auto& [scan, totals] : scans_) {
        out.sample("codeguru_syncd_pages_total", {{"scan", scan}}, std::to_string(totals.pages));
    }
    out.family("codeguru_syncd_findings_total", "counter",
               "Findings received, by what the upsert did with them.");
    for (const auto& [scan, totals] : scans_) {
        const std::pair<const char*, long> results[] = {{"inserted", totals.inserted},
                                                        {"updated", totals.updated},
                                                        {"unchanged", totals.unchanged},
                                                        {"rejected", totals.rejected}};
        for (const auto& [result, count] : results) {
            out.sample("codeguru_syncd_findings_total", {{"scan", scan}, {"result", result}},
                       std::to_string(count));
        }
    }
    out.family("codeguru_syncd_scan_last_success_timestamp_seconds", "gauge",
               "When the scan's last successful run ended, in seconds since the epoch.");
    for (const auto& [scan, at] : scan_success_) {
        out.sample("codeguru_syncd_scan_last_success_timestamp_seconds", {{"scan", scan}},
                   seconds_since_epoch(at));
    }
    page_apply_seconds_.write(out, "codeguru_syncd_page_apply_duration_seconds",
                              "Time to commit a page of findings with its checkpoint.");

    out.family("codeguru_syncd_database_reconnects_total", "counter",
               "Lost database connections re-established, by scan.");
    for (const auto& [scan, count] : database_reconnects_) {
        out.sample("codeguru_syncd_database_reconnects_total", {{"scan", scan}},
                   std::to_string(count));
    }
    out.family("codeguru_syncd_database_errors_total", "counter",
               "Database calls that failed, by SQLSTATE (\"none\": no SQLSTATE, such as a "
               "lost connection).");
    for (const auto& [sqlstate, count] : database_errors_) {
        out.sample("codeguru_syncd_database_errors_total", {{"sqlstate", sqlstate}},
                   std::to_string(count));
    }

    out.family("codeguru_syncd_api_requests_total", "counter",
               "CodeGuru Security API responses, by HTTP status code.");
    for (const auto& [status, count] : responses_) {
        out.sample("codeguru_syncd_api_requests_total", {{"code", std::to_string(status)}},
                   std::to_string(count));
    }
    out.family("codeguru_syncd_api_transport_errors_total", "counter",
               "CodeGuru Security API requests that got no HTTP response, by cause.");
    for (const auto& [kind, count] : transport_errors_) {
        out.sample("codeguru_syncd_api_transport_errors_total", {{"kind", kind}},
                   std::to_string(count));
    }
    request_seconds_.write(out, "codeguru_syncd_api_request_duration_seconds",
                           "Time of each HTTP exchange with the API, response or not.");
    const ClientTotals totals = client_totals();
    out.family("codeguru_syncd_api_retries_total", "counter",
               "API requests retried after a retryable error.");
    out.sample("codeguru_syncd_api_retries_total", std::to_string(totals.retries));
    out.family("codeguru_syncd_api_throttles_total", "counter",
               "API requests refused with ThrottlingException (HTTP 429).");
    out.sample("codeguru_syncd_api_throttles_total", std::to_string(totals.throttles));
    if (client_.retry_quota != nullptr) {
        out.family("codeguru_syncd_api_retry_quota_tokens", "gauge",
                   "Tokens left in the retry quota (a retry takes 5, after a timeout 10).");
        out.sample("codeguru_syncd_api_retry_quota_tokens",
                   std::to_string(client_.retry_quota->available()));
    }
    out.family("codeguru_syncd_api_rate_limit_wait_seconds_total", "counter",
               "Time requests spent waiting for the client-side rate limit.");
    out.sample("codeguru_syncd_api_rate_limit_wait_seconds_total",
               prometheus_number(totals.rate_limit_wait_seconds));
    if (client_.rate_limiter != nullptr) {
        // 0 while unlimited: the adaptive rate only exists from the first throttle on.
        out.family("codeguru_syncd_api_adaptive_rate", "gauge",
                   "Requests/s the adaptive client-side rate allows; 0 while unlimited.");
        out.sample("codeguru_syncd_api_adaptive_rate",
                   prometheus_number(client_.rate_limiter->adaptive_rate().value_or(0.0)));
    }
    out.family("codeguru_syncd_credential_refresh_failures_total", "counter",
               "Attempts to resolve AWS credentials that failed.");
    out.sample("codeguru_syncd_credential_refresh_failures_total",
               std::to_string(totals.credential_refresh_failures));
    if (client_.credentials != nullptr) {
        if (const auto expiration = client_.credentials->expiration()) {
            out.family("codeguru_syncd_credentials_expiry_timestamp_seconds", "gauge",
                       "When the AWS credentials in use expire, in seconds since the epoch.");
            out.sample("codeguru_syncd_credentials_expiry_timestamp_seconds",
                       seconds_since_epoch(*expiration));
        }
    }

    out.family("codeguru_syncd_cycles_total", "counter",
               "Cycles ended, by result: the worst of their scans' outcomes (failed, "
               "interrupted, skipped), else succeeded.");
    for (const auto& [result, count] : cycles_) {
        out.sample("codeguru_syncd_cycles_total", {{"result", result}}, std::to_string(count));
    }
    cycle_seconds_.write(out, "codeguru_syncd_cycle_duration_seconds", "Duration of cycles.");
    if (cycle_success_) {
        out.family("codeguru_syncd_last_cycle_success_timestamp_seconds", "gauge",
                   "When the last cycle in which every scan succeeded ended, in seconds since "
                   "the epoch.");
        out.sample("codeguru_syncd_last_cycle_success_timestamp_seconds",
                   seconds_since_epoch(*cycle_success_));
    }
    return out.take();
}

}  // namespace codeguru::service
