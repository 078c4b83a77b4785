#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials/cached_provider.hpp"
#include "aws/http_transport.hpp"
#include "aws/rate_limiter.hpp"
#include "aws/retry_strategy.hpp"
#include "aws/service_client.hpp"
#include "service/health_check.hpp"
#include "service/prometheus_text.hpp"
#include "sources/codeguru/findings_page_writer.hpp"
#include "sync/scheduler.hpp"
#include "util/clock.hpp"

namespace codeguru::service {

// The parts of the API client stack that keep counts of their own. A reload rebuilds them.
struct ClientParts {
    const aws::ServiceClientStats* stats = nullptr;
    const aws::CachedProvider* credentials = nullptr;
    const aws::RetryQuota* retry_quota = nullptr;
    const aws::RateLimiter* rate_limiter = nullptr;
};

// The daemon's counters and gauges since it started, fed by the transport, the sync
// observer and the service loop, and rendered in the Prometheus text exposition format
// (version 0.0.4). It also holds what /healthz judges (the health scope), which the
// service sets at start and at every reload. Every member function is thread-safe.
class Metrics {
  public:
    explicit Metrics(const Clock& clock);

    // One HTTP exchange with the API ended: its status (or why there was none) and its time.
    void record_response(long http_status);
    void record_transport_error(aws::TransportError::Kind kind);
    void record_request_duration(double seconds);

    // The sync observer's reports (see sync::SyncObserver).
    void record_run_started(const std::string& scan);
    void record_page(const std::string& scan, const store::PageCounts& counts,
                     double apply_seconds);
    void record_database_reconnect(const std::string& scan);
    void record_database_error(const std::string& sqlstate);  // "" counts as "none"
    void record_run(const sync::ScanResult& result);
    void record_cycle(const sync::CycleSummary& summary);

    // Reads the counters and gauges of `parts` from now on, keeping what the previous parts
    // counted. REQUIRES: the previous parts are still alive. ClientParts{} detaches.
    void watch_client(const ClientParts& parts);

    // What /healthz judges from now on (see HealthScope). A scan keeps the time it was
    // first configured for as long as it stays configured.
    void set_health_scope(std::vector<std::string> scans, std::chrono::seconds interval,
                          std::string schema, sync::ConnectionFactory connect);
    HealthScope health_scope() const;
    std::chrono::system_clock::time_point started() const { return started_; }

    std::string render() const;

  private:
    struct ScanTotals {
        long pages = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
    };
    // Counters of the watched parts, summed over the parts that a reload replaced.
    struct ClientTotals {
        long retries = 0, throttles = 0, credential_refresh_failures = 0;
        double rate_limit_wait_seconds = 0;
    };
    ClientTotals client_totals() const;  // REQUIRES: mutex_ held

    const Clock& clock_;
    const std::chrono::system_clock::time_point started_;
    mutable std::mutex mutex_;
    HealthScope health_scope_;
    std::map<std::pair<std::string, std::string>, long> runs_;  // (scan, outcome)
    std::map<std::string, long> runs_in_progress_;              // by scan
    std::map<std::string, ScanTotals> scans_;
    std::map<std::string, std::chrono::system_clock::time_point> scan_success_;
    Histogram page_apply_seconds_;
    std::map<std::string, long> database_reconnects_;  // by scan
    std::map<std::string, long> database_errors_;      // by SQLSTATE
    std::map<long, long> responses_;
    std::map<std::string, long> transport_errors_;
    Histogram request_seconds_;
    ClientParts client_;
    ClientTotals client_base_;
    std::map<std::string, long> cycles_;  // by result
    Histogram cycle_seconds_;
    std::optional<std::chrono::system_clock::time_point> cycle_success_;
};

}  // namespace codeguru::service
