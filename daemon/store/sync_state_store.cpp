#include "store/sync_state_store.hpp"

#include <spdlog/spdlog.h>

#include "store/sql_support.hpp"
#include "store/store_error.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::store {
namespace {

// Makes sure the scan has a checkpoint row to hold its lease (a new scan's pass is empty).
constexpr char kEnsureCheckpointSql[] =
    "INSERT INTO {schema}.sync_checkpoints (source, scan_name, status_filter)"
    " VALUES ($3, $1, $2) ON CONFLICT (source, scan_name) DO NOTHING";
constexpr char kLeaseHolderOfSql[] =
    "SELECT owner FROM {schema}.sync_checkpoints"
    " WHERE source = $2 AND scan_name = $1 AND owner IS NOT NULL";
// The lease, taken with one conditional UPDATE: free, expired, this owner's already, or held
// by $4, a holder known to be dead. A concurrent taker waits on the row lock and then finds
// the lease live.
constexpr char kTakeLeaseSql[] =
    "UPDATE {schema}.sync_checkpoints SET owner = $2,"
    " lease_duration = $3::float8 * interval '1 second',"
    " lease_until = now() + $3::float8 * interval '1 second'"
    " WHERE source = $5 AND scan_name = $1 AND (owner IS NULL OR owner = $2 OR lease_until IS NULL"
    "   OR lease_until < now() OR owner = $4)"
    " RETURNING status_filter";
// The caller holds the lease, so a run of this scan still 'running' has lost it.
constexpr char kInterruptDeadRunsSql[] =
    "UPDATE {schema}.sync_runs SET outcome = 'interrupted', finished_at = $2::timestamptz,"
    " error = $3 WHERE source = $4 AND scan_name = $1 AND outcome = 'running' RETURNING run_id";
constexpr char kDeadRunError[] = "its daemon stopped or lost the lease before the run finished";
constexpr char kInsertRunSql[] =
    "INSERT INTO {schema}.sync_runs (source, scan_name, started_at, outcome, owner)"
    " VALUES ($4, $1, $2::timestamptz, 'running', $3) RETURNING run_id";
// $4: reset the pass (new status filter or stream scope): what a pass under the old filter
// found says nothing about the new one, so an Inspector stream starts over with a full pass.
constexpr char kStartCheckpointSql[] =
    "UPDATE {schema}.sync_checkpoints SET status_filter = $2, run_id = $3,"
    " last_started_at = $5::timestamptz,"
    " next_token = CASE WHEN $4::boolean THEN NULL ELSE next_token END,"
    " pages_done = CASE WHEN $4::boolean THEN 0 ELSE pages_done END,"
    " pass_kind = CASE WHEN $4::boolean THEN NULL ELSE pass_kind END,"
    " pass_filter = CASE WHEN $4::boolean THEN NULL ELSE pass_filter END,"
    " pass_started_at = CASE WHEN $4::boolean THEN NULL ELSE pass_started_at END,"
    " watermark = CASE WHEN $4::boolean THEN NULL ELSE watermark END,"
    " last_full_at = CASE WHEN $4::boolean THEN NULL ELSE last_full_at END"
    " WHERE source = $6 AND scan_name = $1 RETURNING next_token, pages_done";
constexpr char kRenewLeaseSql[] =
    "UPDATE {schema}.sync_checkpoints SET lease_until = now() + lease_duration"
    " WHERE source = $4 AND scan_name = $1 AND run_id = $2 AND owner = $3";
constexpr char kClearSeenSql[] =
    "DELETE FROM {schema}.sync_pass_seen WHERE source = $2 AND scan_name = $1";
constexpr char kRestartPassSql[] =
    "UPDATE {schema}.sync_checkpoints SET next_token = NULL, pages_done = 0"
    " WHERE source = $3 AND scan_name = $1 AND run_id = $2";
// A new pass of an Inspector stream: its kind and filter, before its first page.
constexpr char kStartPassSql[] =
    "UPDATE {schema}.sync_checkpoints SET pass_kind = $3, pass_filter = $4,"
    " pass_started_at = $5::timestamptz"
    " WHERE source = $6 AND scan_name = $1 AND run_id = $2 AND next_token IS NULL";
constexpr char kFinishRunSql[] =
    "UPDATE {schema}.sync_runs SET finished_at = $2::timestamptz, outcome = $3, error = $4"
    " WHERE run_id = $1 AND outcome = 'running' AND owner = $5";
constexpr char kReleaseSql[] =
    "UPDATE {schema}.sync_checkpoints SET last_error = $3, owner = NULL, lease_until = NULL"
    " WHERE source = $5 AND scan_name = $1 AND run_id = $2 AND owner = $4";
// Any scan, configured or not: a running run is abandoned unless its scan's lease is held
// for it and expired less than one lease duration ago. The grace covers a page still being
// written past the lease (its renewal is not committed yet); a scan another daemon takes over
// has its old run closed by that daemon's begin_run anyway. Runs of version-3 daemons (no
// lease at all) are closed the same way.
constexpr char kInterruptAbandonedSql[] =
    "UPDATE {schema}.sync_runs AS r SET outcome = 'interrupted', finished_at = $1::timestamptz,"
    " error = $2 WHERE r.outcome = 'running' AND NOT EXISTS ("
    "   SELECT FROM {schema}.sync_checkpoints AS c"
    "   WHERE c.source = r.source AND c.scan_name = r.scan_name"
    "   AND c.run_id = r.run_id AND c.owner IS NOT NULL"
    "   AND c.lease_until >= now() - c.lease_duration)"
    " RETURNING r.run_id, r.scan_name, r.source";
constexpr char kAbandonedRunError[] = "its daemon stopped renewing the scan's lease";
// In batches, so that a large backlog never holds one long transaction.
constexpr long kPruneBatch = 10000;
constexpr char kPruneRunsSql[] =
    "DELETE FROM {schema}.sync_runs WHERE run_id IN ("
    " SELECT r.run_id FROM {schema}.sync_runs AS r"
    " WHERE r.started_at < now() - $1::float8 * interval '1 second' AND r.outcome <> 'running'"
    " AND NOT EXISTS (SELECT FROM {schema}.sync_checkpoints AS c WHERE c.run_id = r.run_id)"
    " LIMIT $2)";
constexpr char kLeaseHolderSql[] =
    "SELECT owner, lease_until::text FROM {schema}.sync_checkpoints"
    " WHERE source = $2 AND scan_name = $1 AND owner IS NOT NULL AND lease_until >= now()"
    " FOR UPDATE";
constexpr char kResetScanSql[] =
    "UPDATE {schema}.sync_checkpoints SET next_token = NULL, pages_done = 0, owner = NULL,"
    " lease_until = NULL, pass_kind = NULL, pass_filter = NULL, pass_started_at = NULL,"
    " watermark = NULL, last_full_at = NULL"
    " WHERE source = $2 AND scan_name = $1";
// Times as integer microseconds: exact, and independent of the session's TimeZone/DateStyle.
constexpr char kLoadCheckpointSql[] =
    "SELECT scan_name, status_filter, next_token, pages_done, run_id,"
    " (extract(epoch FROM last_started_at) * 1000000)::bigint,"
    " (extract(epoch FROM last_completed_at) * 1000000)::bigint, last_error, owner,"
    " (extract(epoch FROM lease_until) * 1000000)::bigint, pass_kind, pass_filter,"
    " (extract(epoch FROM pass_started_at) * 1000000)::bigint,"
    " (extract(epoch FROM watermark) * 1000000)::bigint,"
    " (extract(epoch FROM last_full_at) * 1000000)::bigint"
    " FROM {schema}.sync_checkpoints WHERE source = $2 AND scan_name = $1";

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::kSucceeded:
            return "succeeded";
        case Outcome::kFailed:
            return "failed";
        case Outcome::kInterrupted:
            return "interrupted";
    }
    return "failed";
}

std::optional<Timestamp> timestamp_field(const pqxx::field& field) {
    const auto microseconds = optional_int(field);
    if (!microseconds) return std::nullopt;
    return Timestamp{std::chrono::microseconds{*microseconds}};
}

}  // namespace

std::string SyncStateStore::described(const std::string& scan) const {
    return source_ == "codeguru" ? "scan " + scan : source_ + " stream " + scan;
}

SyncStateStore::SyncStateStore(pqxx::connection_base& connection, std::string schema,
                               std::string source)
    : connection_(connection),
      schema_(std::move(schema)),
      source_(std::move(source)),
      quoted_schema_(connection_.quote_name(schema_)) {}

std::optional<RunStart> SyncStateStore::begin_run(const std::string& scan,
                                                  const std::string& status_filter,
                                                  const Owner& owner, Timestamp now) {
    return begin_run(scan, status_filter, owner, [now] { return now; });
}

std::optional<RunStart> SyncStateStore::begin_run(const std::string& scan,
                                                  const std::string& status_filter,
                                                  const Owner& owner,
                                                  const std::function<Timestamp()>& now) {
    pqxx::work tx(connection_, "codeguru_begin_run");
    const bool created = tx.exec_params0(with_schema(kEnsureCheckpointSql, quoted_schema_), scan,
                                         status_filter, source_)
                             .affected_rows() > 0;
    std::optional<std::string> defunct_holder;
    if (owner.defunct) {
        const pqxx::result holder =
            tx.exec_params(with_schema(kLeaseHolderOfSql, quoted_schema_), scan, source_);
        if (!holder.empty() && owner.defunct(holder[0][0].as<std::string>())) {
            defunct_holder = holder[0][0].as<std::string>();
            spdlog::info("scan {}: its lease holder {} no longer runs; taking the scan over", scan,
                         *defunct_holder);
        }
    }
    const pqxx::result taken =
        tx.exec_params(with_schema(kTakeLeaseSql, quoted_schema_), scan, owner.id,
                       owner.lease.count(), nullable(defunct_holder), source_);
    if (taken.empty()) return std::nullopt;  // the rollback undoes nothing: the row existed
    const std::string at = format_timestamp(now());

    for (const auto& dead : tx.exec_params(with_schema(kInterruptDeadRunsSql, quoted_schema_), scan,
                                           at, kDeadRunError, source_)) {
        spdlog::warn(
            "scan {}: run {} was still running when its daemon lost the scan; marked it "
            "interrupted",
            scan, dead[0].as<std::int64_t>());
    }
    const auto run_id =
        tx.exec_params1(with_schema(kInsertRunSql, quoted_schema_), scan, at, owner.id, source_)[0]
            .as<std::int64_t>();
    const std::string stored_filter = taken[0][0].as<std::string>();
    const bool filter_changed = stored_filter != status_filter;
    if (filter_changed) {
        spdlog::info("scan {}: status filter changed from {} to {}; the pass starts over", scan,
                     stored_filter, status_filter);
    }
    if (created || filter_changed) {
        tx.exec_params0(with_schema(kClearSeenSql, quoted_schema_), scan, source_);
    }
    const pqxx::row checkpoint =
        tx.exec_params1(with_schema(kStartCheckpointSql, quoted_schema_), scan, status_filter,
                        run_id, filter_changed, at, source_);
    tx.commit();

    RunStart start{run_id, optional_text(checkpoint[0]), checkpoint[1].as<std::int64_t>(), false};
    start.resumed = start.resume_token.has_value();
    return start;
}

bool SyncStateStore::renew_lease(const std::string& scan, std::int64_t run_id, const Owner& owner) {
    pqxx::nontransaction tx(connection_, "codeguru_renew_lease");
    return tx.exec_params0(with_schema(kRenewLeaseSql, quoted_schema_), scan, run_id, owner.id,
                           source_)
               .affected_rows() > 0;
}

void SyncStateStore::restart_pass(const std::string& scan, std::int64_t run_id) {
    pqxx::work tx(connection_, "codeguru_restart_pass");
    if (tx.exec_params0(with_schema(kRestartPassSql, quoted_schema_), scan, run_id, source_)
            .affected_rows() == 0) {
        throw StoreError(described(scan) + ": run " + std::to_string(run_id) +
                         " does not own the checkpoint");
    }
    tx.exec_params0(with_schema(kClearSeenSql, quoted_schema_), scan, source_);
    tx.commit();
}

void SyncStateStore::start_pass(const std::string& scan, std::int64_t run_id,
                                const std::string& kind, const std::string& filter,
                                Timestamp started_at) {
    pqxx::nontransaction tx(connection_, "codeguru_start_pass");
    if (tx.exec_params0(with_schema(kStartPassSql, quoted_schema_), scan, run_id, kind, filter,
                        format_timestamp(started_at), source_)
            .affected_rows() == 0) {
        throw StoreError(described(scan) + ": run " + std::to_string(run_id) +
                         " does not own the checkpoint, or its pass is under way");
    }
}

bool SyncStateStore::finish_run(std::int64_t run_id, const std::string& scan, const Owner& owner,
                                Outcome outcome, const std::string& error, Timestamp now) {
    std::optional<std::string> stored_error;
    if (outcome != Outcome::kSucceeded) {
        stored_error = error;
        sanitize_text(*stored_error);
    }
    pqxx::work tx(connection_, "codeguru_finish_run");
    const bool closed =
        tx.exec_params0(with_schema(kFinishRunSql, quoted_schema_), run_id, format_timestamp(now),
                        outcome_name(outcome), nullable(stored_error), owner.id)
            .affected_rows() > 0;
    tx.exec_params0(with_schema(kReleaseSql, quoted_schema_), scan, run_id, nullable(stored_error),
                    owner.id, source_);
    tx.commit();
    return closed;
}

std::vector<AbandonedRun> SyncStateStore::interrupt_abandoned_runs(Timestamp now) {
    pqxx::nontransaction tx(connection_, "codeguru_interrupt_abandoned");
    std::vector<AbandonedRun> runs;
    for (const auto& row : tx.exec_params(with_schema(kInterruptAbandonedSql, quoted_schema_),
                                          format_timestamp(now), kAbandonedRunError)) {
        runs.push_back(
            {row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<std::string>()});
    }
    return runs;
}

long SyncStateStore::prune_runs(std::chrono::seconds age) {
    long total = 0;
    for (int batch = 0; batch < 100; ++batch) {
        pqxx::nontransaction tx(connection_, "codeguru_prune_runs");
        const long deleted =
            static_cast<long>(tx.exec_params0(with_schema(kPruneRunsSql, quoted_schema_),
                                              static_cast<std::int64_t>(age.count()), kPruneBatch)
                                  .affected_rows());
        total += deleted;
        if (deleted < kPruneBatch) break;
    }
    return total;
}

bool SyncStateStore::reset_scan(const std::string& scan) {
    pqxx::work tx(connection_, "codeguru_reset_scan");
    const pqxx::result holder =
        tx.exec_params(with_schema(kLeaseHolderSql, quoted_schema_), scan, source_);
    if (!holder.empty()) {
        throw StoreError(described(scan) + " is being synced by " + holder[0][0].as<std::string>() +
                         " (lease until " + holder[0][1].as<std::string>() +
                         "); stop that daemon or wait for its run to end");
    }
    const bool found =
        tx.exec_params0(with_schema(kResetScanSql, quoted_schema_), scan, source_).affected_rows() >
        0;
    tx.exec_params0(with_schema(kClearSeenSql, quoted_schema_), scan, source_);
    tx.commit();
    return found;
}

std::optional<Checkpoint> SyncStateStore::load_checkpoint(const std::string& scan) {
    pqxx::nontransaction tx(connection_, "codeguru_load_checkpoint");
    const pqxx::result rows =
        tx.exec_params(with_schema(kLoadCheckpointSql, quoted_schema_), scan, source_);
    if (rows.empty()) return std::nullopt;
    const pqxx::row row = rows[0];
    Checkpoint checkpoint;
    checkpoint.scan_name = row[0].as<std::string>();
    checkpoint.status_filter = row[1].as<std::string>();
    checkpoint.next_token = optional_text(row[2]);
    checkpoint.pages_done = row[3].as<std::int64_t>();
    checkpoint.run_id = optional_int(row[4]);
    checkpoint.last_started_at = timestamp_field(row[5]);
    checkpoint.last_completed_at = timestamp_field(row[6]);
    checkpoint.last_error = optional_text(row[7]);
    checkpoint.owner = optional_text(row[8]);
    checkpoint.lease_until = timestamp_field(row[9]);
    checkpoint.pass_kind = optional_text(row[10]);
    checkpoint.pass_filter = optional_text(row[11]);
    checkpoint.pass_started_at = timestamp_field(row[12]);
    checkpoint.watermark = timestamp_field(row[13]);
    checkpoint.last_full_at = timestamp_field(row[14]);
    return checkpoint;
}

}  // namespace codeguru::store
