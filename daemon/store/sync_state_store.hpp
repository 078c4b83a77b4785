#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "codeguru/finding.hpp"

namespace codeguru::store {

// A scan's row in sync_checkpoints: where its current pass stands.
struct Checkpoint {
    std::string scan_name;
    std::string status_filter;
    std::optional<std::string> next_token;  // nullopt: the next page is a pass's first
    std::int64_t pages_done = 0;            // pages of the current pass applied
    std::optional<std::int64_t> run_id;
    std::optional<Timestamp> last_started_at;
    std::optional<Timestamp> last_completed_at;
    std::optional<std::string> last_error;
};

// Where a new run starts: resumed is true when resume_token continues an earlier pass.
struct RunStart {
    std::int64_t run_id;
    std::optional<std::string> resume_token;
    std::int64_t pages_done;
    bool resumed;
};

enum class Outcome { kSucceeded, kFailed, kInterrupted };

// Per-scan coordination in one schema: the scan lock, runs and checkpoints.
// Not thread-safe: one store per connection at a time. Database failures throw pqxx errors.
class SyncStateStore {
  public:
    SyncStateStore(pqxx::connection& connection, std::string schema);

    // A session-level advisory lock on (schema, scan): true when this connection got it.
    // Held until unlock_scan() or the connection ends; other processes skip the scan meanwhile.
    bool try_lock_scan(const std::string& scan);
    void unlock_scan(const std::string& scan);

    // REQUIRES the scan lock. In one transaction: marks runs of the scan still 'running'
    // (their process died) interrupted, starts a new 'running' run that owns the checkpoint,
    // and resets the pass when status_filter differs from the stored one.
    RunStart begin_run(const std::string& scan, const std::string& status_filter, Timestamp now);

    // Restarts the pass from the first page (the API rejected the stored token).
    // Throws StoreError when run_id no longer owns the scan's checkpoint.
    void restart_pass(const std::string& scan, std::int64_t run_id);

    // Ends the run: finished_at, outcome and error (NULL on success), and the checkpoint's
    // last_error when the run still owns it.
    void finish_run(std::int64_t run_id, const std::string& scan, Outcome outcome,
                    const std::string& error, Timestamp now);

    std::optional<Checkpoint> load_checkpoint(const std::string& scan);

  private:
    pqxx::connection& connection_;
    std::string schema_;
    std::string quoted_schema_;
};

}  // namespace codeguru::store
