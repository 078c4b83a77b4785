#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/http_transport.hpp"
#include "aws/service_client.hpp"
#include "store/findings_page_writer.hpp"
#include "sync/scheduler.hpp"
#include "util/clock.hpp"

namespace codeguru::service {

// What /healthz answers.
struct Health {
    bool ok = true;
    std::string detail;  // one line
};

// The daemon's counters and gauges since it started, fed by the transport, the sync
// observer and the service loop, and rendered in the Prometheus text exposition format
// (version 0.0.4). Every member function is thread-safe.
class Metrics {
  public:
    explicit Metrics(const Clock& clock);

    void record_response(long http_status);
    void record_transport_error(aws::TransportError::Kind kind);
    void record_page(const std::string& scan, const store::PageCounts& counts);
    void record_run(const sync::ScanResult& result);
    void record_cycle(const sync::CycleSummary& summary);

    // Counts the retries and throttles of `stats` from now on, keeping what the previous
    // client counted. REQUIRES: the previous stats are still alive. nullptr detaches.
    void watch_client(const aws::ServiceClientStats* stats);

    // The cycle interval, which /healthz measures staleness in.
    void set_interval(std::chrono::seconds interval);

    // Unhealthy when the last cycle in which no scan failed or was interrupted ended more
    // than 3 intervals ago (counted from the start until the first such cycle).
    Health health() const;

    std::string render() const;

  private:
    struct ScanTotals {
        long pages = 0, inserted = 0, updated = 0, unchanged = 0, rejected = 0;
    };

    const Clock& clock_;
    const std::chrono::system_clock::time_point started_;
    mutable std::mutex mutex_;
    std::chrono::seconds interval_{std::chrono::minutes(15)};
    std::map<std::pair<std::string, std::string>, long> runs_;  // (scan, outcome)
    std::map<std::string, ScanTotals> scans_;
    std::map<std::string, std::chrono::system_clock::time_point> scan_success_;
    std::map<long, long> responses_;
    std::map<std::string, long> transport_errors_;
    const aws::ServiceClientStats* client_ = nullptr;
    long retries_base_ = 0, throttles_base_ = 0;
    std::map<std::string, long> cycles_;  // by result
    std::vector<long> cycle_buckets_;     // cumulative counts per kCycleBuckets bound
    double cycle_seconds_sum_ = 0;
    long cycle_count_ = 0;
    std::optional<std::chrono::system_clock::time_point> cycle_success_;
};

// `value` escaped for a Prometheus label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace codeguru::service
