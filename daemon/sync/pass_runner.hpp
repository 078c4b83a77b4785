#pragma once

#include <chrono>
#include <string>

#include "store/database.hpp"
#include "store/sync_state_store.hpp"
#include "sync/pass_source.hpp"
#include "sync/sync_observer.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::sync {

struct PassRunnerOptions {
    std::string schema = "codeguru";
    long max_pages = 100000;  // a pass with more pages fails
    store::Owner owner;       // this daemon instance and its lease duration
    // Backoff between attempts to re-establish a lost database connection.
    std::chrono::milliseconds reconnect_initial{200};
    std::chrono::milliseconds reconnect_max{10000};
    int reconnect_attempts = 8;
    SyncObserver* observer = nullptr;  // optional; must outlive the runner
};

// Runs one source's pass (a CodeGuru scan, an Inspector stream): takes its lease (skipping
// it while another daemon holds it), resumes the pass from its checkpoint, fetches the next
// page while applying the current one (each page a single transaction with its checkpoint,
// which renews the lease), and records the run. A lost database connection is
// re-established with backoff and the pass continues from the committed checkpoint; a
// stored token the API rejects restarts the pass once; a repeated nextToken or a pass past
// max_pages fails it. Never throws: every failure becomes the result. Thread-safe: each
// run() uses its own connection.
class PassRunner {
  public:
    PassRunner(store::Database& database, const Clock& clock, StopFlag& stop,
               PassRunnerOptions options);

    ScanResult run(PassSource& source);

  private:
    class Session;
    ScanResult run_pass(PassSource& source);
    // Closes the run's row with its outcome and releases the lease.
    void finish(Session& session, PassSource& source, std::int64_t run_id,
                const ScanResult& result);

    store::Database& database_;
    const Clock& clock_;
    StopFlag& stop_;
    PassRunnerOptions options_;
};

}  // namespace codeguru::sync
