#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "codeguru/codeguru_client.hpp"
#include "store/database.hpp"
#include "store/findings_page_writer.hpp"
#include "store/sync_state_store.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::sync {

// How one scan's run ended, with what it did.
struct ScanResult {
    enum class Outcome { kSucceeded, kFailed, kInterrupted, kSkipped };

    std::string scan;
    Outcome outcome = Outcome::kSkipped;
    std::string error;  // for kFailed, kInterrupted and kSkipped: why
    std::int64_t run_id = 0;
    int pages = 0;
    store::PageCounts counts;  // summed over the run's pages
};

const char* to_string(ScanResult::Outcome outcome);

// Opens a plain database connection (health checks). Throws pqxx errors.
using ConnectionFactory = std::function<std::unique_ptr<pqxx::connection>()>;

// Progress reports from syncing threads, for liveness and metrics. Implementations must
// be thread-safe and quick: they run on the syncing threads, between pages.
class SyncObserver {
  public:
    virtual ~SyncObserver() = default;
    // A run took ownership of its scan and began (runs in progress: +1 until scan_finished).
    virtual void scan_started(const std::string& /*scan*/) {}
    // A page (and its checkpoint) committed; `apply_seconds` is the database call's time.
    virtual void page_applied(const std::string& scan, const store::PageCounts& counts,
                              double apply_seconds) = 0;
    // A lost database connection was re-established.
    virtual void database_reconnected(const std::string& /*scan*/) {}
    // A database call failed (lost connection, timeout, cancel or SQL error); `sqlstate` is
    // the server's SQLSTATE, or "" when the failure had none (e.g. a broken connection).
    virtual void database_error(const std::string& /*scan*/, const std::string& /*sqlstate*/) {}
    // A scan's run ended, however it ended (also when it never started: kSkipped, or
    // kFailed before a run row could be written).
    virtual void scan_finished(const ScanResult& result) = 0;
};

struct ScanSyncOptions {
    std::string schema = "codeguru";
    std::string status = "All";
    int page_size = 1000;
    long max_pages = 100000;  // a pass with more pages fails
    store::Owner owner;       // this daemon instance and its lease duration
    // Backoff between attempts to re-establish a lost database connection.
    std::chrono::milliseconds reconnect_initial{200};
    std::chrono::milliseconds reconnect_max{10000};
    int reconnect_attempts = 8;
    SyncObserver* observer = nullptr;  // optional; must outlive the ScanSync
};

// Syncs one scan: takes the scan's lease (skipping the scan while another daemon holds it),
// resumes the pass from its checkpoint, fetches and applies one page at a time (each page a
// single transaction with its checkpoint, which renews the lease), and records the run.
// A lost database connection is re-established with backoff and the pass continues from the
// committed checkpoint. Never throws: every failure becomes the result. Thread-safe: each
// run() uses its own connection.
class ScanSync {
  public:
    ScanSync(CodeGuruClient& client, store::Database& database, const Clock& clock, StopFlag& stop,
             ScanSyncOptions options);

    ScanResult run(const std::string& scan);

  private:
    class Session;
    ScanResult run_pass(const std::string& scan);
    // Closes the run's row with its outcome and releases the lease.
    void finish(Session& session, const std::string& scan, std::int64_t run_id,
                const ScanResult& result);

    CodeGuruClient& client_;
    store::Database& database_;
    const Clock& clock_;
    StopFlag& stop_;
    ScanSyncOptions options_;
};

}  // namespace codeguru::sync
