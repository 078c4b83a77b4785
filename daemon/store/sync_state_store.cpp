#include "store/sync_state_store.hpp"
#include "codeguru/timestamp.hpp"

#include <spdlog/spdlog.h>

#include "store/sql_support.hpp"
#include "store/store_error.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::store {
namespace {

// Two int4 keys: hashtext(schema), hashtext(scan). Session-level, unlike the migration lock.
constexpr char kTryLockSql[] = "SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))";
constexpr char kUnlockSql[] = "SELECT pg_advisory_unlock(hashtext($1), hashtext($2))";

constexpr char kLockCheckpointSql[] =
    "SELECT status_filter FROM {schema}.sync_checkpoints WHERE scan_name = $1 FOR UPDATE";
// The caller holds the scan lock, so a run of this scan still 'running' has no live process.
constexpr char kInterruptDeadRunsSql[] =
    "UPDATE {schema}.sync_runs SET outcome = 'interrupted', finished_at = $2::timestamptz,"
    " error = $3 WHERE scan_name = $1 AND outcome = 'running' RETURNING run_id";
constexpr char kDeadRunError[] = "the daemon stopped before the run finished";
constexpr char kInsertRunSql[] =
    "INSERT INTO {schema}.sync_runs (scan_name, started_at, outcome)"
    " VALUES ($1, $2::timestamptz, 'running') RETURNING run_id";
// $5: reset the pass (new status filter).
constexpr char kUpsertCheckpointSql[] =
    "INSERT INTO {schema}.sync_checkpoints AS c (scan_name, status_filter, run_id, "
    "last_started_at) VALUES ($1, $2, $3, $4::timestamptz)"
    " ON CONFLICT (scan_name) DO UPDATE SET status_filter = EXCLUDED.status_filter,"
    " run_id = EXCLUDED.run_id, last_started_at = EXCLUDED.last_started_at,"
    " next_token = CASE WHEN $5::boolean THEN NULL ELSE c.next_token END,"
    " pages_done = CASE WHEN $5::boolean THEN 0 ELSE c.pages_done END"
    " RETURNING next_token, pages_done";
constexpr char kClearSeenSql[] = "DELETE FROM {schema}.sync_pass_seen WHERE scan_name = $1";
constexpr char kRestartPassSql[] =
    "UPDATE {schema}.sync_checkpoints SET next_token = NULL, pages_done = 0"
    " WHERE scan_name = $1 AND run_id = $2";
constexpr char kFinishRunSql[] =
    "UPDATE {schema}.sync_runs SET finished_at = $2::timestamptz, outcome = $3, error = $4"
    " WHERE run_id = $1";
constexpr char kRecordErrorSql[] =
    "UPDATE {schema}.sync_checkpoints SET last_error = $3 WHERE scan_name = $1 AND run_id = $2";
// Times as integer microseconds: exact, and independent of the session's TimeZone/DateStyle.
constexpr char kLoadCheckpointSql[] =
    "SELECT scan_name, status_filter, next_token, pages_done, run_id,"
    " (extract(epoch FROM last_started_at) * 1000000)::bigint,"
    " (extract(epoch FROM last_completed_at) * 1000000)::bigint, last_error"
    " FROM {schema}.sync_checkpoints WHERE scan_name = $1";

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

SyncStateStore::SyncStateStore(pqxx::connection& connection, std::string schema)
    : connection_(connection),
      schema_(std::move(schema)),
      quoted_schema_(connection_.quote_name(schema_)) {}

bool SyncStateStore::try_lock_scan(const std::string& scan) {
    pqxx::nontransaction tx(connection_, "codeguru_lock_scan");
    return tx.exec_params1(kTryLockSql, schema_, scan)[0].as<bool>();
}

void SyncStateStore::unlock_scan(const std::string& scan) {
    pqxx::nontransaction tx(connection_, "codeguru_unlock_scan");
    if (!tx.exec_params1(kUnlockSql, schema_, scan)[0].as<bool>()) {
        spdlog::warn("scan {}: unlock requested but this connection did not hold its lock", scan);
    }
}

RunStart SyncStateStore::begin_run(const std::string& scan, const std::string& status_filter,
                                   Timestamp now) {
    const std::string at = format_timestamp(now);
    pqxx::work tx(connection_, "codeguru_begin_run");
    const pqxx::result stored =
        tx.exec_params(with_schema(kLockCheckpointSql, quoted_schema_), scan);
    for (const auto& dead : tx.exec_params(with_schema(kInterruptDeadRunsSql, quoted_schema_), scan,
                                           at, kDeadRunError)) {
        spdlog::warn(
            "scan {}: run {} was still running when its daemon stopped; marked it "
            "interrupted",
            scan, dead[0].as<std::int64_t>());
    }
    const auto run_id =
        tx.exec_params1(with_schema(kInsertRunSql, quoted_schema_), scan, at)[0].as<std::int64_t>();
    const bool filter_changed = !stored.empty() && stored[0][0].as<std::string>() != status_filter;
    if (filter_changed) {
        spdlog::info("scan {}: status filter changed from {} to {}; the pass starts over", scan,
                     stored[0][0].as<std::string>(), status_filter);
    }
    if (stored.empty() || filter_changed) {
        tx.exec_params0(with_schema(kClearSeenSql, quoted_schema_), scan);
    }
    const pqxx::row checkpoint = tx.exec_params1(with_schema(kUpsertCheckpointSql, quoted_schema_),
                                                 scan, status_filter, run_id, at, filter_changed);
    tx.commit();

    RunStart start{run_id, optional_text(checkpoint[0]), checkpoint[1].as<std::int64_t>(), false};
    start.resumed = start.resume_token.has_value();
    return start;
}

void SyncStateStore::restart_pass(const std::string& scan, std::int64_t run_id) {
    pqxx::work tx(connection_, "codeguru_restart_pass");
    if (tx.exec_params0(with_schema(kRestartPassSql, quoted_schema_), scan, run_id)
            .affected_rows() == 0) {
        throw StoreError("scan " + scan + ": run " + std::to_string(run_id) +
                         " does not own the checkpoint");
    }
    tx.exec_params0(with_schema(kClearSeenSql, quoted_schema_), scan);
    tx.commit();
}

void SyncStateStore::finish_run(std::int64_t run_id, const std::string& scan, Outcome outcome,
                                const std::string& error, Timestamp now) {
    std::optional<std::string> stored_error;
    if (outcome != Outcome::kSucceeded) {
        stored_error = error;
        sanitize_text(*stored_error);
    }
    pqxx::work tx(connection_, "codeguru_finish_run");
    tx.exec_params0(with_schema(kFinishRunSql, quoted_schema_), run_id, format_timestamp(now),
                    outcome_name(outcome), nullable(stored_error));
    tx.exec_params0(with_schema(kRecordErrorSql, quoted_schema_), scan, run_id,
                    nullable(stored_error));
    tx.commit();
}

std::optional<Checkpoint> SyncStateStore::load_checkpoint(const std::string& scan) {
    pqxx::nontransaction tx(connection_, "codeguru_load_checkpoint");
    const pqxx::result rows = tx.exec_params(with_schema(kLoadCheckpointSql, quoted_schema_), scan);
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
    return checkpoint;
}

}  // namespace codeguru::store
