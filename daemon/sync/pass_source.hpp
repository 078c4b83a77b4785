#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "store/page_counts.hpp"
#include "store/sync_state_store.hpp"
#include "util/stop_flag.hpp"
#include "util/timestamp.hpp"

namespace codeguru::sync {

// One fetched page of any source: the runner needs only its token; the source keeps the
// findings in its own subclass.
class SourcePage {
  public:
    virtual ~SourcePage() = default;
    std::optional<std::string> next_token;  // none: the last page of the pass
};

// Database steps a source runs outside its pages' transactions (pass set-up, snippets),
// under the runner's deadlines and reconnects. A step must be safe to repeat after a
// reconnect.
class PassDatabase {
  public:
    virtual ~PassDatabase() = default;
    virtual void run(const std::function<void(pqxx::connection_base&)>& step) = 0;
};

// What the pass runner syncs: one CodeGuru scan or one Inspector stream (a region). The
// runner owns leases, runs, checkpoints, reconnects, prefetch and stops; the source knows its
// API and its tables. fetch() runs on a prefetch thread while apply() runs on the runner's:
// the two must not share unsynchronized state.
class PassSource {
  public:
    virtual ~PassSource() = default;

    virtual const std::string& source() const = 0;  // "codeguru" | "inspector"
    virtual const std::string& name() const = 0;    // the checkpoint's scan_name
    // For logs and metrics: the scan name for CodeGuru, "inspector:REGION" for Inspector.
    virtual const std::string& label() const = 0;
    // The settings that bound what a pass returns (CodeGuru: the status filter). Stored with
    // the checkpoint; a change restarts the pass.
    virtual const std::string& scope() const = 0;
    virtual const char* list_operation() const = 0;  // "GetFindings", for messages

    // Before the run's first fetch, once the lease is held: a source may record a new pass
    // (SyncStateStore::start_pass) or finish work an earlier run left. False: the stored pass
    // cannot be resumed, and the runner restarts it (then calls restart()).
    virtual bool prepare(PassDatabase& /*database*/, const store::RunStart& /*start*/,
                         StopFlag& /*stop*/) {
        return true;
    }
    // The pass restarted from its first page (the API rejected the stored token, or
    // prepare() refused it); its checkpoint holds no token now.
    virtual void restart(PassDatabase& /*database*/, std::int64_t /*run_id*/) {}

    // One page. Throws aws::ApiError (code "Aborted" after a stop).
    virtual std::unique_ptr<SourcePage> fetch(const std::optional<std::string>& token,
                                              StopFlag& stop) = 0;
    // Applies `page` with the checkpoint in one transaction (SPEC §7): the checkpoint must be at
    // `expected_token` for `run_id`, else store::StalePageError and nothing changes.
    virtual store::PageCounts apply(pqxx::connection_base& connection, std::int64_t run_id,
                                    const std::optional<std::string>& expected_token,
                                    SourcePage& page, Timestamp sync_time) = 0;
    // After the page committed: work that belongs to it but not to its transaction
    // (Inspector: code snippets of the findings it wrote). Never fails the pass.
    virtual void after_apply(PassDatabase& /*database*/, SourcePage& /*page*/, StopFlag& /*stop*/) {
    }
};

}  // namespace codeguru::sync
