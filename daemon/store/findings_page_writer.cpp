#include "codeguru/timestamp.hpp"
#include "store/findings_page_writer.hpp"

#include "store/finding_rows.hpp"
#include "store/sql_support.hpp"
#include "store/store_error.hpp"

namespace codeguru::store {
namespace {

// Raised by apply_findings_page() when the checkpoint is not where the page expects it.
constexpr char kStalePageSqlstate[] = "CG001";

constexpr char kApplyPageSql[] =
    "SELECT inserted, updated, unchanged FROM {schema}.apply_findings_page("
    "$1::text, $2::bigint, $3::text, $4::jsonb, $5::text, $6::timestamptz, $7::integer)";

}  // namespace

FindingsPageWriter::FindingsPageWriter(pqxx::connection& connection, std::string schema)
    : connection_(connection),
      schema_(std::move(schema)),
      statement_("codeguru_apply_findings_page " + schema_) {
    connection_.prepare(statement_, with_schema(kApplyPageSql, connection_.quote_name(schema_)));
}

PageCounts FindingsPageWriter::apply(const std::string& scan, std::int64_t run_id,
                                     const std::optional<std::string>& expected_token,
                                     const std::vector<Finding>& page,
                                     const std::optional<std::string>& next_token,
                                     Timestamp sync_time) {
    RowStats stats;
    const std::string rows = page_to_rows(scan, page, sync_time, stats).dump();
    // Autocommit: the function call is the whole transaction, so the page costs one round trip.
    pqxx::nontransaction tx(connection_, "codeguru_apply_page");
    try {
        const pqxx::row result =
            tx.exec_prepared1(statement_, scan, run_id, nullable(expected_token), rows,
                              nullable(next_token), format_timestamp(sync_time), stats.rejected);
        PageCounts counts;
        counts.inserted = result[0].as<int>();
        counts.updated = result[1].as<int>();
        counts.unchanged = result[2].as<int>();
        counts.rejected = stats.rejected;
        counts.seen = static_cast<int>(page.size());
        return counts;
    } catch (const pqxx::sql_error& error) {
        if (error.sqlstate() == kStalePageSqlstate) {
            throw StalePageError("stale page for scan " + scan + " in run " +
                                 std::to_string(run_id) +
                                 ": the checkpoint is not at the page's token (the page was "
                                 "applied already or another run owns the pass)");
        }
        throw;
    }
}

}  // namespace codeguru::store
