#pragma once

#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "codeguru/codeguru_client.hpp"
#include "store/findings_page_writer.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::sync {

// How one scan's run ended, with what it did.
struct ScanResult {
    enum class Outcome { kSucceeded, kFailed, kInterrupted, kSkipped };

    std::string scan;
    Outcome outcome = Outcome::kSkipped;
    std::string error;  // for kFailed (and kSkipped: why)
    std::int64_t run_id = 0;
    int pages = 0;
    store::PageCounts counts;  // summed over the run's pages
};

const char* to_string(ScanResult::Outcome outcome);

// Opens a new database connection (the daemon's conninfo). Throws pqxx errors.
using ConnectionFactory = std::function<std::unique_ptr<pqxx::connection>()>;

// Progress reports from syncing threads, for liveness and metrics. Implementations must
// be thread-safe and quick: they run on the syncing threads, between pages.
class SyncObserver {
public:
    virtual ~SyncObserver() = default;
    // A page (and its checkpoint) committed.
    virtual void page_applied(const std::string& scan, const store::PageCounts& counts) = 0;
    // A scan's run ended, however it ended.
    virtual void scan_finished(const ScanResult& result) = 0;
};

struct ScanSyncOptions {
    std::string schema = "codeguru";
    std::string status = "All";
    int page_size = 1000;
    // Backoff between attempts to re-establish a lost database connection.
    std::chrono::milliseconds reconnect_initial{200};
    std::chrono::milliseconds reconnect_max{10000};
    int reconnect_attempts = 8;
    SyncObserver* observer = nullptr;  // optional; must outlive the ScanSync
};

// Syncs one scan: takes the scan's lock (skipping the scan when another process
// holds it), resumes the pass from its checkpoint, fetches and applies one page at a
// time (each page a single transaction with its checkpoint), and records the run.
// A lost database connection is re-established with backoff and the pass continues
// from the committed checkpoint. Never throws: every failure becomes the result.
class ScanSync {
public:
    ScanSync(CodeGuruClient& client, ConnectionFactory connect, const Clock& clock,
             StopFlag& stop, ScanSyncOptions options);

    ScanResult run(const std::string& scan);

private:
    class Session;
    ScanResult run_pass(const std::string& scan);

    CodeGuruClient& client_;
    ConnectionFactory connect_;
    const Clock& clock_;
    StopFlag& stop_;
    ScanSyncOptions options_;
};

}  // namespace codeguru::sync
