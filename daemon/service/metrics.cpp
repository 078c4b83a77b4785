#include "service/metrics.hpp"

#include <array>
#include <charconv>

#include "version.hpp"

namespace codeguru::service {
namespace {

using SystemTime = std::chrono::system_clock::time_point;

// Upper bounds (seconds) of the cycle duration histogram's buckets, +Inf aside.
constexpr std::array<double, 9> kCycleBuckets = {0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600};

std::string number(double value) {
    char buffer[64];
    // Shortest round-trip digits, never an exponent: 1800000000.5, 0.1, 3600.
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    return std::string(buffer, end);
}

std::string seconds_since_epoch(SystemTime at) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
    return number(static_cast<double>(ms) / 1000.0);
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

// Writes metric families: HELP and TYPE once per family, then its samples.
class Exposition {
  public:
    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }

    void sample(std::string_view name,
                std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
                const std::string& value) {
        out_ += name;
        if (labels.size() > 0) {
            out_ += '{';
            bool first = true;
            for (const auto& [label, label_value] : labels) {
                if (!first) out_ += ',';
                first = false;
                out_ += label;
                out_ += "=\"";
                out_ += escape_label_value(label_value);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        out_ += value;
        out_ += '\n';
    }

    void sample(std::string_view name, const std::string& value) { sample(name, {}, value); }

    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

}  // namespace

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += c;
        }
    }
    return out;
}

Metrics::Metrics(const Clock& clock)
    : clock_(clock), started_(clock.now()), cycle_buckets_(kCycleBuckets.size(), 0) {}

void Metrics::record_response(long http_status) {
    std::lock_guard lock(mutex_);
    ++responses_[http_status];
}

void Metrics::record_transport_error(aws::TransportError::Kind kind) {
    std::lock_guard lock(mutex_);
    ++transport_errors_[transport_error_kind(kind)];
}

void Metrics::record_page(const std::string& scan, const store::PageCounts& counts) {
    std::lock_guard lock(mutex_);
    ScanTotals& totals = scans_[scan];
    ++totals.pages;
    totals.inserted += counts.inserted;
    totals.updated += counts.updated;
    totals.unchanged += counts.unchanged;
    totals.rejected += counts.rejected;
}

void Metrics::record_run(const sync::ScanResult& result) {
    const SystemTime now = clock_.now();
    std::lock_guard lock(mutex_);
    ++runs_[{result.scan, sync::to_string(result.outcome)}];
    if (result.outcome == sync::ScanResult::Outcome::kSucceeded) scan_success_[result.scan] = now;
}

void Metrics::record_cycle(const sync::CycleSummary& summary) {
    const SystemTime now = clock_.now();
    const double seconds = static_cast<double>(summary.duration.count()) / 1000.0;
    const char* result = summary.all_succeeded() ? "succeeded"
                         : summary.failed > 0    ? "failed"
                                                 : "interrupted";
    std::lock_guard lock(mutex_);
    ++cycles_[result];
    for (std::size_t i = 0; i < kCycleBuckets.size(); ++i) {
        if (seconds <= kCycleBuckets[i]) ++cycle_buckets_[i];
    }
    cycle_seconds_sum_ += seconds;
    ++cycle_count_;
    if (summary.all_succeeded()) cycle_success_ = now;
}

void Metrics::watch_client(const aws::ServiceClientStats* stats) {
    std::lock_guard lock(mutex_);
    if (client_ != nullptr) {
        retries_base_ += client_->retries.load();
        throttles_base_ += client_->throttles.load();
    }
    client_ = stats;
}

void Metrics::set_interval(std::chrono::seconds interval) {
    std::lock_guard lock(mutex_);
    interval_ = interval;
}

Health Metrics::health() const {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    const SystemTime now = clock_.now();
    std::lock_guard lock(mutex_);
    const auto limit = 3 * interval_;
    const SystemTime since = cycle_success_.value_or(started_);
    const long long age_s = duration_cast<seconds>(now - since).count();
    const std::string limit_text = std::to_string(limit.count()) + " s (3 intervals)";
    if (now - since > limit) {
        return {false, cycle_success_
                           ? "unhealthy: the last successful cycle ended " + std::to_string(age_s) +
                                 " s ago, more than " + limit_text
                           : "unhealthy: no successful cycle in the " + std::to_string(age_s) +
                                 " s since the start, more "
                                 "than " +
                                 limit_text};
    }
    return {true, cycle_success_
                      ? "ok: the last successful cycle ended " + std::to_string(age_s) + " s ago"
                      : "ok: starting, no cycle has succeeded yet"};
}

std::string Metrics::render() const {
    std::lock_guard lock(mutex_);
    Exposition out;

    out.family("codeguru_syncd_build_info", "gauge", "The daemon's version.");
    out.sample("codeguru_syncd_build_info", {{"version", kVersion}}, "1");
    out.family("codeguru_syncd_start_time_seconds", "gauge",
               "When the daemon started, in seconds since the epoch.");
    out.sample("codeguru_syncd_start_time_seconds", seconds_since_epoch(started_));

    out.family("codeguru_syncd_scan_runs_total", "counter", "Scan runs ended, by outcome.");
    for (const auto& [key, count] : runs_) {
        out.sample("codeguru_syncd_scan_runs_total", {{"scan", key.first}, {"outcome", key.second}},
                   std::to_string(count));
    }
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
    const long retries = retries_base_ + (client_ != nullptr ? client_->retries.load() : 0);
    const long throttles = throttles_base_ + (client_ != nullptr ? client_->throttles.load() : 0);
    out.family("codeguru_syncd_api_retries_total", "counter",
               "API requests retried after a retryable error.");
    out.sample("codeguru_syncd_api_retries_total", std::to_string(retries));
    out.family("codeguru_syncd_api_throttles_total", "counter",
               "API requests refused with ThrottlingException (HTTP 429).");
    out.sample("codeguru_syncd_api_throttles_total", std::to_string(throttles));

    out.family("codeguru_syncd_cycles_total", "counter",
               "Cycles ended, by result: succeeded (no scan failed or was interrupted), "
               "failed, interrupted.");
    for (const auto& [result, count] : cycles_) {
        out.sample("codeguru_syncd_cycles_total", {{"result", result}}, std::to_string(count));
    }
    out.family("codeguru_syncd_cycle_duration_seconds", "histogram", "Duration of cycles.");
    for (std::size_t i = 0; i < kCycleBuckets.size(); ++i) {
        out.sample("codeguru_syncd_cycle_duration_seconds_bucket",
                   {{"le", number(kCycleBuckets[i])}}, std::to_string(cycle_buckets_[i]));
    }
    out.sample("codeguru_syncd_cycle_duration_seconds_bucket", {{"le", "+Inf"}},
               std::to_string(cycle_count_));
    out.sample("codeguru_syncd_cycle_duration_seconds_sum", number(cycle_seconds_sum_));
    out.sample("codeguru_syncd_cycle_duration_seconds_count", std::to_string(cycle_count_));
    if (cycle_success_) {
        out.family("codeguru_syncd_last_cycle_success_timestamp_seconds", "gauge",
                   "When the last successful cycle ended, in seconds since the epoch.");
        out.sample("codeguru_syncd_last_cycle_success_timestamp_seconds",
                   seconds_since_epoch(*cycle_success_));
    }
    return out.take();
}

}  // namespace codeguru::service
