#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "store/page_counts.hpp"

namespace codeguru::sync {

// How one scan's or stream's run ended, with what it did.
struct ScanResult {
    enum class Outcome { kSucceeded, kFailed, kInterrupted, kSkipped };

    std::string source = "codeguru";  // "codeguru" | "inspector"
    // The scan name for CodeGuru, "inspector:REGION" for an Inspector stream (logs, metrics).
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

// Progress reports from syncing threads, for liveness and metrics; `scan` is the run's
// label (ScanResult::scan). Implementations must be thread-safe and quick: they run on the
// syncing threads, between pages.
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
    // A run ended, however it ended (also when it never started: kSkipped, or kFailed
    // before a run row could be written).
    virtual void scan_finished(const ScanResult& result) = 0;
};

}  // namespace codeguru::sync
