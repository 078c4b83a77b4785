#include "sources/codeguru/findings_page_writer.hpp"
#include "util/timestamp.hpp"

#include "sources/codeguru/copy_rows.hpp"
#include "sources/codeguru/page_columns.hpp"
#include "sources/codeguru/page_rows.hpp"
#include "store/sql_support.hpp"
#include "store/store_error.hpp"

namespace codeguru::store {
namespace {

// Raised by apply_findings_page() when the checkpoint is not where the page expects it.
constexpr char kStalePageSqlstate[] = "CG001";

// apply_findings_page()'s parameters (schema/003_page_arrays.sql): the scalars, then the
// finding ids and updated_at values bound as arrays, then every other array as its text
// literal, which the function parses only when the page changed something.
// clang-format off
constexpr const char* kLeadingTypes[] = {
    "text", "bigint", "text", "text", "timestamptz", "integer", "integer",  // p_scan..p_duplicates
    "text[]", "text", "timestamptz[]"};  // p_finding_id, p_created_at, p_updated_at
// upsert_findings_page()'s (schema/009_import.sql), an import's: the same without the tokens.
constexpr const char* kImportLeadingTypes[] = {
    "text", "bigint", "timestamptz", "integer", "integer",  // p_scan..p_duplicates
    "text[]", "text", "timestamptz[]"};  // p_finding_id, p_created_at, p_updated_at
// clang-format on
constexpr int kTrailingLiterals = 19 + 16;  // p_title..p_recommendation_url, then children

template <std::size_t N>
std::string page_call_sql(const std::string& quoted_schema, const char* function,
                          const char* const (&leading)[N]) {
    std::string sql =
        "SELECT inserted, updated, unchanged FROM " + quoted_schema + "." + function + "(";
    int number = 0;
    const auto add = [&](const char* type) {
        if (number > 0) sql += ", ";
        sql += "$" + std::to_string(++number) + "::" + type;
    };
    for (const char* type : leading) add(type);
    for (int i = 0; i < kTrailingLiterals; ++i) add("text");
    return sql + ")";
}

// Runs a page function's `sql` in `tx` with `leading` scalars first, then the page's columns
// (moved into the call, not copied); its counts.
template <class... Leading>
PageCounts call_page_function(pqxx::transaction_base& tx, const std::string& sql, PageColumns& c,
                              std::size_t seen, const Leading&... leading) {
    const pqxx::row result = tx.exec_params1(
        sql, leading..., c.rejected, c.duplicates, c.finding_id.take(), c.created_at.take(),
        c.updated_at.take(), c.title.take(), c.description.take(), c.type.take(), c.status.take(),
        c.severity.take(), c.generator_id.take(), c.detector_id.take(), c.detector_name.take(),
        c.rule_id.take(), c.resource_id.take(), c.sub_resource_id.take(), c.vulnerability_id.take(),
        c.item_count.take(), c.file_name.take(), c.file_path.take(), c.start_line.take(),
        c.end_line.take(), c.recommendation_text.take(), c.recommendation_url.take(),
        c.tag_finding.take(), c.tag.take(), c.tag_ordinal.take(), c.line_finding.take(),
        c.line_number.take(), c.line_content.take(), c.fix_finding.take(), c.fix_ordinal.take(),
        c.fix_description.take(), c.fix_code.take(), c.url_finding.take(), c.url_ordinal.take(),
        c.url.take(), c.related_finding.take(), c.related_ordinal.take(), c.related_id.take());
    PageCounts counts;
    counts.inserted = result[0].as<int>();
    counts.updated = result[1].as<int>();
    counts.unchanged = result[2].as<int>();
    counts.rejected = c.rejected;
    counts.seen = static_cast<int>(seen);
    return counts;
}

}  // namespace

FindingsPageWriter::FindingsPageWriter(pqxx::connection_base& connection, std::string schema)
    : connection_(connection),
      schema_(std::move(schema)),
      sql_(page_call_sql(connection_.quote_name(schema_), "apply_findings_page", kLeadingTypes)),
      import_sql_(page_call_sql(connection_.quote_name(schema_), "upsert_findings_page",
                                kImportLeadingTypes)),
      claim_sql_("SELECT " + connection_.quote_name(schema_) +
                 ".claim_new_findings_page($1::text, $2::bigint, $3::text, $4::text, "
                 "$5::timestamptz, $6::integer, $7::integer, $8::text[])"),
      import_seen_sql_("SELECT " + connection_.quote_name(schema_) +
                       ".import_page_seen($1::text, $2::text[])") {}

PageCounts FindingsPageWriter::apply(const std::string& scan, std::int64_t run_id,
                                     const std::optional<std::string>& expected_token,
                                     const std::vector<Finding>& page,
                                     const std::optional<std::string>& next_token,
                                     Timestamp sync_time, bool expect_new) {
    const PageSelection selection = select_page(scan, page, sync_time);
    const auto apply_by_function = [&](pqxx::transaction_base& tx) {
        PageColumns c = page_to_columns(scan, page, selection, sync_time);
        return call_page_function(tx, sql_, c, page.size(), scan, run_id, nullable(expected_token),
                                  nullable(next_token), format_timestamp(sync_time));
    };
    try {
        if (!expect_new || selection.kept.empty()) {
            // Autocommit: the function call is the whole transaction, so the page costs one
            // round trip. An unnamed statement, not a prepared one: nothing outlives the
            // transaction, as transaction-mode poolers require. The literals are moved into
            // the call, not copied.
            pqxx::nontransaction tx(connection_, "codeguru_apply_page");
            return apply_by_function(tx);
        }
        pqxx::work tx(connection_, "codeguru_copy_page");
        PgArrayLiteral ids;
        for (const std::size_t position : selection.kept) ids.add_text(selection.ids[position]);
        const bool claimed =
            tx.exec_params1(claim_sql_, scan, run_id, nullable(expected_token),
                            nullable(next_token), format_timestamp(sync_time), selection.rejected,
                            selection.duplicates, ids.take())[0]
                .as<bool>();
        PageCounts counts;
        if (claimed) {
            // Kept by the thread between pages, as the page parsers' buffers are: a fresh one
            // would map and fault in a few MiB for every page.
            thread_local CopyRows rows(scan, sync_time);
            rows.reset(scan, sync_time);
            map_page(scan, page, selection, sync_time, rows);
            rows.copy_into(tx, connection_.quote_name(schema_));
            counts.seen = static_cast<int>(page.size());
            counts.inserted = static_cast<int>(selection.kept.size());
            counts.unchanged = selection.duplicates;
            counts.rejected = selection.rejected;
        } else {
            counts = apply_by_function(tx);
        }
        tx.commit();
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

PageCounts FindingsPageWriter::apply_imported(pqxx::transaction_base& tx, const std::string& scan,
                                              std::int64_t run_id, const std::vector<Finding>& page,
                                              Timestamp sync_time, bool keep_seen) {
    PageColumns c = page_to_columns(scan, page, sync_time);
    if (keep_seen) tx.exec_params(import_seen_sql_, scan, c.finding_id.literal());
    return call_page_function(tx, import_sql_, c, page.size(), scan, run_id,
                              format_timestamp(sync_time));
}

}  // namespace codeguru::store
