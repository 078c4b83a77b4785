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

// Runs cycles: every scan of the cycle through ScanSync, up to `concurrency` at once,
// each on its own database connection. One scan's failure never stops the others.
class Scheduler {
public:
    // `observer` (optional) hears of every page and scan run; it must outlive the Scheduler.
    Scheduler(CodeGuruClient& client, ConnectionFactory connect, const Clock& clock,
              StopFlag& stop, SyncObserver* observer = nullptr);

    CycleSummary run_cycle(const Settings& settings);

private:
    CodeGuruClient& client_;
    ConnectionFactory connect_;
    const Clock& clock_;
    StopFlag& stop_;
    SyncObserver* observer_;
};

}  // namespace codeguru::sync
