#include "sources/inspector/snippet_writer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>
#include <string_view>

#include "store/pg_array_literal.hpp"
#include "store/sql_support.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::inspector {
namespace {

using store::PgArrayLiteral;

// apply_inspector_snippets()'s parameters (schema/006_inspector.sql), all arrays.
constexpr char kApplySql[] =
    "SELECT {schema}.apply_inspector_snippets($1::text[], $2::timestamptz[], $3::text[],"
    " $4::text[], $5::integer[], $6::bigint[], $7::text[], $8::integer[], $9::bigint[],"
    " $10::text[], $11::text[])";

// Never tried first: a finding whose snippet keeps failing does not starve new ones.
constexpr char kPendingSql[] =
    "SELECT finding_arn, (extract(epoch FROM updated_at) * 1000000)::bigint"
    " FROM {schema}.inspector_findings"
    " WHERE region = $1 AND snippet_status = 'pending'"
    " ORDER BY snippet_error IS NOT NULL, updated_at, finding_arn LIMIT $2";

const char* outcome_name(SnippetOutcome::Kind kind) {
    switch (kind) {
        case SnippetOutcome::kStored:
            return "stored";
        case SnippetOutcome::kNotFound:
            return "not_found";
        case SnippetOutcome::kRefused:
            return "refused";
        case SnippetOutcome::kPending:
            break;
    }
    return "pending";
}

// Adds text to a text[] literal, with NUL and invalid UTF-8 replaced by U+FFFD; counts
// the replacements.
class CleanText {
  public:
    void add(PgArrayLiteral& array, std::string_view text) {
        if (is_clean_text(text)) return array.add_text(text);
        scratch_.assign(text);
        replaced_ += sanitize_text(scratch_);
        array.add_text(scratch_);
    }
    void add_optional(PgArrayLiteral& array, const std::optional<std::string>& text) {
        text ? add(array, *text) : array.add_null();
    }
    std::size_t replaced() const { return replaced_; }

  private:
    std::string scratch_;
    std::size_t replaced_ = 0;
};

struct SnippetColumns {
    PgArrayLiteral arn, version, outcome, error;
    PgArrayLiteral line_finding, line_number, line_content;
    PgArrayLiteral fix_finding, fix_ordinal, fix_description, fix_code;
};

SnippetColumns to_columns(const std::vector<SnippetOutcome>& outcomes) {
    SnippetColumns c;
    CleanText text;
    std::int64_t position = 0;
    for (const auto& outcome : outcomes) {
        ++position;
        text.add(c.arn, outcome.finding_arn);
        c.version.add_text(format_timestamp(outcome.version));
        c.outcome.add_text(outcome_name(outcome.outcome));
        outcome.error.empty() ? c.error.add_null() : text.add(c.error, outcome.error);
        if (outcome.outcome != SnippetOutcome::kStored) continue;
        std::set<std::int64_t> numbers;
        for (const auto& line : outcome.lines) {
            if (!line.line_number || !numbers.insert(*line.line_number).second) continue;
            c.line_finding.add_integer(position);
            c.line_number.add_integer(*line.line_number);
            text.add_optional(c.line_content, line.content);
        }
        std::int64_t ordinal = 0;
        for (const auto& fix : outcome.fixes) {
            c.fix_finding.add_integer(position);
            c.fix_ordinal.add_integer(++ordinal);
            text.add_optional(c.fix_description, fix.description);
            text.add_optional(c.fix_code, fix.code);
        }
    }
    if (text.replaced() > 0) {
        spdlog::warn(
            "inspector code snippets: replaced {} NUL or invalid UTF-8 sequence(s) with "
            "U+FFFD",
            text.replaced());
    }
    return c;
}

}  // namespace

InspectorSnippetWriter::InspectorSnippetWriter(pqxx::connection_base& connection,
                                               std::string schema)
    : connection_(connection), schema_(std::move(schema)) {
    const std::string quoted = connection_.quote_name(schema_);
    apply_sql_ = store::with_schema(kApplySql, quoted);
    pending_sql_ = store::with_schema(kPendingSql, quoted);
}

int InspectorSnippetWriter::apply_snippets(const std::vector<SnippetOutcome>& outcomes) {
    if (outcomes.empty()) return 0;
    SnippetColumns c = to_columns(outcomes);
    pqxx::nontransaction tx(connection_, "codeguru_apply_inspector_snippets");
    return tx
        .exec_params1(apply_sql_, c.arn.take(), c.version.take(), c.outcome.take(), c.error.take(),
                      c.line_finding.take(), c.line_number.take(), c.line_content.take(),
                      c.fix_finding.take(), c.fix_ordinal.take(), c.fix_description.take(),
                      c.fix_code.take())[0]
        .as<int>();
}

std::vector<SnippetRequest> InspectorSnippetWriter::pending_snippets(const std::string& region,
                                                                     std::size_t limit) {
    pqxx::nontransaction tx(connection_, "codeguru_pending_snippets");
    const pqxx::result rows = tx.exec_params(
        pending_sql_, region, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    std::vector<SnippetRequest> requests;
    requests.reserve(rows.size());
    for (const auto& row : rows) {
        requests.push_back({row[0].as<std::string>(),
                            Timestamp{std::chrono::microseconds{row[1].as<std::int64_t>()}}});
    }
    return requests;
}

}  // namespace codeguru::inspector
