#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/sync_observer.hpp"
#include "util/clock.hpp"

namespace codeguru::service {

using TimePoint = std::chrono::system_clock::time_point;

// What /healthz judges: the configured scans, the cycle interval, and the database that
// holds their checkpoints. Follows a reload.
struct HealthScope {
    std::vector<std::string> scans;  // CodeGuru scan names and "inspector:REGION" streams
    std::chrono::seconds interval{std::chrono::minutes(15)};
    std::string schema = "codeguru";
    sync::ConnectionFactory connect;  // the daemon's database
    // When each scan entered the configuration (the start, or the reload that added it): a
    // scan that never completed a pass is stale 3 intervals after that.
    std::map<std::string, TimePoint> configured_since;
};

// Lets a HealthCheck give up on a probe that is late: the probe registers how to end
// itself soon (e.g. shut its socket down). Thread-safe.
class ProbeCancel {
  public:
    // From now until clear(), abandon() runs `cancel`; runs it at once if already abandoned.
    void on_abandon(std::function<void()> cancel);
    // No cancel action from now on; when it returns, none is running.
    void clear();
    void abandon();
    bool abandoned() const;

  private:
    mutable std::mutex mutex_;
    bool abandoned_ = false;
    std::function<void()> cancel_;
};

// The database side of /healthz, behind an interface so that tests can fake it.
class HealthSource {
  public:
    virtual ~HealthSource() = default;
    // The end of the last complete pass of each of scope.scans that has one (any daemon's).
    // Throws std::exception with a one-line message when the database does not answer.
    virtual std::map<std::string, TimePoint> last_complete_passes(const HealthScope& scope,
                                                                  ProbeCancel& cancel) = 0;
};

// Reads <schema>.sync_checkpoints through a connection of its own from scope.connect,
// one transaction with a statement_timeout of `statement_timeout`. The connection's
// socket is shut down when the probe is abandoned.
class DatabaseHealthSource final : public HealthSource {
  public:
    explicit DatabaseHealthSource(
        std::chrono::milliseconds statement_timeout = std::chrono::seconds(5))
        : statement_timeout_(statement_timeout) {}

    std::map<std::string, TimePoint> last_complete_passes(const HealthScope& scope,
                                                          ProbeCancel& cancel) override;

  private:
    const std::chrono::milliseconds statement_timeout_;
};

struct ScanHealth {
    std::string scan;
    std::optional<TimePoint> last_complete_pass;
    std::optional<long long> age_seconds;  // with last_complete_pass; never negative
    bool stale = false;
};

// /healthz's answer: unhealthy when the database did not answer or any scan is stale.
struct HealthReport {
    std::optional<std::string> database_error;  // one line, secrets masked
    std::vector<ScanHealth> scans;              // in configuration order; empty on an error
    std::chrono::seconds stale_after{0};        // 3 intervals

    bool ok() const;
};

// Judges `passes` (from HealthSource) at `now`: a scan is stale when its last complete
// pass ended more than 3 intervals ago or, never completed, it was configured more than 3
// intervals ago. Pure.
HealthReport assess_health(const HealthScope& scope, const std::map<std::string, TimePoint>& passes,
                           TimePoint now);

// The report as /healthz's JSON body (times in UTC, RFC 3339 to the second):
// {"status":"ok"|"unhealthy","database":{"ok":true}|{"ok":false,"error":"..."},
//  "stale_after_seconds":N,"scans":[{"scan":"a","last_complete_pass":"...Z"|null,
//  "age_seconds":N|null,"stale":false},...]}
std::string health_json(const HealthReport& report);

// `text` with what looks like a secret masked: the value of password=..., and the user
// info of a URI (scheme://user:pass@host becomes scheme://***@host).
std::string redact_secrets(std::string_view text);

struct HealthCheckOptions {
    std::chrono::milliseconds deadline{5000};   // a probe later than this: 503
    std::chrono::milliseconds cache_for{1000};  // a report is reused this long (clock time)
};

// Answers /healthz: probes `source` on a thread of its own, at most one probe at a time,
// and waits for it up to the deadline ("database did not answer within N s" after that,
// and the probe is abandoned). Reports are cached, so scrapes cannot hammer the database.
// Thread-safe. A late probe may outlive the HealthCheck (it holds what it uses).
class HealthCheck {
  public:
    HealthCheck(std::shared_ptr<HealthSource> source, const Clock& clock,
                std::function<HealthScope()> scope, HealthCheckOptions options = {});
    ~HealthCheck();
    HealthCheck(const HealthCheck&) = delete;
    HealthCheck& operator=(const HealthCheck&) = delete;

    HealthReport check();

  private:
    struct Probe;
    // The probe in flight, or a new one started on `scope` when none is. Throws
    // std::system_error when no thread can be started.
    std::shared_ptr<Probe> current_probe(const HealthScope& scope);

    const std::shared_ptr<HealthSource> source_;
    const Clock& clock_;
    const std::function<HealthScope()> scope_;
    const HealthCheckOptions options_;
    std::mutex mutex_;
    std::shared_ptr<Probe> in_flight_;
    std::optional<HealthReport> cached_;
    HealthScope cached_scope_;
    TimePoint cached_at_;
};

}  // namespace codeguru::service
