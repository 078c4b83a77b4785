#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "sources/codeguru/codeguru_client.hpp"
#include "sources/inspector/inspector_client.hpp"
#include "store/database.hpp"
#include "sync/sync_observer.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::sync {

// The Inspector client of each configured region (inspector.region), not owned.
using InspectorClients = std::map<std::string, inspector::InspectorClient*>;

// What one cycle over every scan and stream did.
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
// closed, old runs pruned), then every Inspector stream (one per region) and every CodeGuru
// scan of the cycle through a PassRunner, up to `concurrency` at once, each on its own
// database connection. One failure never stops the others.
class Scheduler {
  public:
    // `owner_id` names this daemon instance in leases and runs (make_owner_id()).
    // `observer` (optional) hears of every page and scan run; it must outlive the Scheduler.
    // `inspector` holds a client for each region of settings.inspector.regions.
    Scheduler(CodeGuruClient& client, store::Database& database, const Clock& clock, StopFlag& stop,
              std::string owner_id, SyncObserver* observer = nullptr,
              InspectorClients inspector = {});

    CycleSummary run_cycle(const Settings& settings);

  private:
    void housekeeping(const Settings& settings);

    CodeGuruClient& client_;
    store::Database& database_;
    std::string owner_id_;
    const Clock& clock_;
    StopFlag& stop_;
    SyncObserver* observer_;
    InspectorClients inspector_;
};

}  // namespace codeguru::sync
