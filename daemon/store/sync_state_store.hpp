#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

#include "util/timestamp.hpp"

namespace codeguru::store {

// A scan's row in sync_checkpoints: where its current pass stands and who owns it.
struct Checkpoint {
    std::string scan_name;
    std::string status_filter;
    std::optional<std::string> next_token;  // nullopt: the next page is a pass's first
    std::int64_t pages_done = 0;            // pages of the current pass applied
    std::optional<std::int64_t> run_id;
    std::optional<Timestamp> last_started_at;
    std::optional<Timestamp> last_completed_at;
    std::optional<std::string> last_error;
    std::optional<std::string> owner;      // the daemon instance holding the lease
    std::optional<Timestamp> lease_until;  // server time
    // Inspector streams (SPEC §10.3): the pass in progress (kind "full" | "incremental", the
    // exact filterCriteria JSON its first page was sent with, its start), and the starts of
    // the last completed pass (watermark) and of the last completed full pass.
    std::optional<std::string> pass_kind;
    std::optional<std::string> pass_filter;
    std::optional<Timestamp> pass_started_at;
    std::optional<Timestamp> watermark;
    std::optional<Timestamp> last_full_at;
};

// Where a new run starts: resumed is true when resume_token continues an earlier pass.
struct RunStart {
    std::int64_t run_id;
    std::optional<std::string> resume_token;
    std::int64_t pages_done;
    bool resumed;
};

// The daemon instance that takes scans, and for how long a lease lasts without a page.
struct Owner {
    std::string id;  // unique per process: host, pid and a random part
    std::chrono::seconds lease{120};
    // Optional: whether a lease holder is known to be dead (a crashed daemon of this machine),
    // so that its lease is taken at once instead of after it expires.
    std::function<bool(std::string_view holder)> defunct;
};

// A run closed by someone other than its own daemon.
struct AbandonedRun {
    std::int64_t run_id;
    std::string scan_name;
    std::string source;
};

enum class Outcome { kSucceeded, kFailed, kInterrupted };

// Per-scan coordination in one schema: leases, runs and checkpoints of one source
// ("codeguru" scans, "inspector" streams named by region): a scan is (source, name).
// Every method is one transaction and keeps no session state, so it works through
// transaction-mode poolers. Not thread-safe: one store per connection at a time.
// Database failures throw pqxx errors.
class SyncStateStore {
  public:
    SyncStateStore(pqxx::connection_base& connection, std::string schema,
                   std::string source = "codeguru");

    // In one transaction: takes the scan's lease for `owner` (free, expired, already owner's,
    // or held by an owner.defunct one), marks the scan's runs still 'running' interrupted (their
    // daemon lost the lease), starts a new 'running' run that owns the checkpoint, and resets the
    // pass when status_filter differs from the stored one. nullopt, changing nothing, while another
    // owner's lease is live.
    std::optional<RunStart> begin_run(const std::string& scan, const std::string& status_filter,
                                      const Owner& owner, Timestamp now);
    // The same, with the run's start read from `now` once the lease is held: then it is
    // never earlier than the end of the run that released the lease before.
    std::optional<RunStart> begin_run(const std::string& scan, const std::string& status_filter,
                                      const Owner& owner, const std::function<Timestamp()>& now);

    // Extends the lease (pages do so by themselves). False when run_id of owner no longer
    // holds it (another daemon took the scan over).
    bool renew_lease(const std::string& scan, std::int64_t run_id, const Owner& owner);

    // Restarts the pass from the first page (the API rejected the stored token).
    // Throws StoreError when run_id no longer owns the scan's checkpoint.
    void restart_pass(const std::string& scan, std::int64_t run_id);

    // Records a new pass before its first page: its kind, the filter its pages are sent
    // with, and its start (the watermark it sets when it completes). Throws StoreError
    // when run_id does not own the checkpoint or a pass is under way (a next_token).
    void start_pass(const std::string& scan, std::int64_t run_id, const std::string& kind,
                    const std::string& filter, Timestamp started_at);

    // Ends a run that is still 'running' and owner's: finished_at, outcome and error (NULL on
    // success); records the error on the checkpoint and releases the lease when the run still
    // holds them. False when the run was no longer running or owned (someone closed it).
    bool finish_run(std::int64_t run_id, const std::string& scan, const Owner& owner,
                    Outcome outcome, const std::string& error, Timestamp now);

    // Marks 'interrupted' every running run, of any scan and source, whose scan lease is held by
    // another run or expired more than one lease duration ago: their daemons died or lost their
    // scans. Returns them.
    std::vector<AbandonedRun> interrupt_abandoned_runs(Timestamp now);

    // Deletes finished runs that started more than `age` ago, except each scan's checkpoint
    // run. Returns how many.
    long prune_runs(std::chrono::seconds age);

    // Clears the scan's pass (token, pages, seen-set; for a stream also its watermark, so the
    // next pass is full) so that its next run starts a new one.
    // False when the scan has no checkpoint. Throws StoreError while a live lease holds it.
    bool reset_scan(const std::string& scan);

    std::optional<Checkpoint> load_checkpoint(const std::string& scan);

  private:
    // "scan NAME" for CodeGuru, "inspector stream REGION": for messages.
    std::string described(const std::string& scan) const;

    pqxx::connection_base& connection_;
    std::string schema_;
    std::string source_;
    std::string quoted_schema_;
};

}  // namespace codeguru::store
