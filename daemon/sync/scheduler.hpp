#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "sync/scan_sync.hpp"

namespace codeguru::sync {

// What one cycle over every scan did.
struct CycleSummary {
    std::vector<ScanResult> results;  // in the order of the scan list
    int succeeded = 0, failed = 0, interrupted = 0, skipped = 0;
    long findings_changed = 0;  // inserted + updated
    std::chrono::milliseconds duration{0};

    bool all_succeeded() const { return failed == 0 && interrupted == 0; }
    std::string describe() const;  // one line for logs and systemd STATUS=
};

// The scans a cycle syncs: the configured list, then every scan ListScans returns
// that starts with scan_prefix (when set), without repeats. Throws ApiError when
// ListScans fails.
std::vector<std::string> resolve_scans(CodeGuruClient& client, const SyncSettings& settings);

// Runs cycles: first the database housekeeping (runs whose daemon lost its lease are
// closed, old runs pruned), then every scan of the cycle through ScanSync, up to
// `concurrency` at once, each on its own database connection. One scan's failure never
// stops the others.
class Scheduler {
  public:
    // `owner_id` names this daemon instance in leases and runs (make_owner_id()).
    // `observer` (optional) hears of every page and scan run; it must outlive the Scheduler.
    Scheduler(CodeGuruClient& client, store::Database& database, const Clock& clock, StopFlag& stop,
              std::string owner_id, SyncObserver* observer = nullptr);

    CycleSummary run_cycle(const Settings& settings);

  private:
    void housekeeping(const Settings& settings);

    CodeGuruClient& client_;
    store::Database& database_;
    std::string owner_id_;
    const Clock& clock_;
    StopFlag& stop_;
    SyncObserver* observer_;
};

}  // namespace codeguru::sync
