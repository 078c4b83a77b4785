#include "sources/inspector/page_writer.hpp"

#include <charconv>
#include <string_view>

#include "sources/inspector/page_columns.hpp"
#include "store/pg_array_literal.hpp"
#include "store/sql_support.hpp"
#include "store/store_error.hpp"

namespace codeguru::inspector {
namespace {

// Raised by apply_inspector_page() when the checkpoint is not where the page expects it.
constexpr char kStalePageSqlstate[] = "CG001";

// apply_inspector_page()'s parameters (schema/006_inspector.sql): the scalars and the scope,
// then the ARNs and updated_at values bound as arrays, then every other array as its text
// literal, which the function parses only when the page changed something.
// clang-format off
constexpr const char* kLeadingTypes[] = {
    "text", "bigint", "text", "text", "timestamptz", "integer", "integer",  // p_stream..p_duplicates
    "text[]", "text[]", "text", "boolean",  // p_scope_types..p_snippets
    "text[]", "timestamptz[]"};  // p_finding_arn, p_updated_at
// clang-format on
constexpr int kTrailingLiterals = 33 + 47;  // p_aws_account_id..p_open_port_end, then children

std::string apply_page_sql(const std::string& quoted_schema) {
    // The positions as "1 3 4": a text column reads without pqxx's array parser.
    std::string sql =
        "SELECT inserted, updated, unchanged, array_to_string(snippet_positions, ' ') FROM " +
        quoted_schema + ".apply_inspector_page(";
    int number = 0;
    const auto add = [&](const char* type) {
        if (number > 0) sql += ", ";
        sql += "$" + std::to_string(++number) + "::" + type;
    };
    for (const char* type : kLeadingTypes) add(type);
    for (int i = 0; i < kTrailingLiterals; ++i) add("text");
    return sql + ")";
}

std::string text_array(const std::vector<std::string>& values) {
    store::PgArrayLiteral array;
    for (const auto& value : values) array.add_text(value);
    return array.take();
}

// The kept findings at the 1-based positions listed in `positions` ("1 3 4").
std::vector<SnippetRequest> requests_at(std::string_view positions, const InspectorPageColumns& c) {
    std::vector<SnippetRequest> requests;
    const char* at = positions.data();
    const char* const end = at + positions.size();
    while (at < end) {
        std::size_t position = 0;
        const auto result = std::from_chars(at, end, position);
        if (result.ec != std::errc() || position < 1 || position > c.arns.size()) {
            throw store::StoreError(
                "apply_inspector_page() returned an unexpected position list: " +
                std::string(positions));
        }
        requests.push_back({c.arns[position - 1], c.versions[position - 1]});
        at = result.ptr;
        if (at < end && *at == ' ') ++at;
    }
    return requests;
}

}  // namespace

InspectorPageWriter::InspectorPageWriter(pqxx::connection_base& connection, std::string schema)
    : connection_(connection),
      schema_(std::move(schema)),
      sql_(apply_page_sql(connection_.quote_name(schema_))) {}

InspectorPageResult InspectorPageWriter::apply(const std::string& stream, std::int64_t run_id,
                                               const std::optional<std::string>& expected_token,
                                               const std::vector<Finding>& page,
                                               const std::optional<std::string>& next_token,
                                               Timestamp sync_time, const InspectorScope& scope,
                                               bool snippets) {
    InspectorPageColumns c = page_to_columns(stream, page, sync_time);
    // Autocommit: the function call is the whole transaction, so the page costs one round
    // trip. An unnamed statement, not a prepared one: nothing outlives the transaction, as
    // transaction-mode poolers require. The literals are moved into the call, not copied.
    pqxx::nontransaction tx(connection_, "codeguru_apply_inspector_page");
    try {
        const pqxx::row result = tx.exec_params1(
            sql_, stream, run_id, store::nullable(expected_token), store::nullable(next_token),
            format_timestamp(sync_time), c.rejected, c.duplicates, text_array(scope.types),
            text_array(scope.accounts), scope.status, snippets, c.finding_arn.take(),
            c.updated_at.take(), c.aws_account_id.take(), c.region.take(), c.type.take(),
            c.title.take(), c.description.take(), c.severity.take(), c.status.take(),
            c.inspector_score.take(), c.epss_score.take(), c.fix_available.take(),
            c.exploit_available.take(), c.last_known_exploit_at.take(), c.first_observed_at.take(),
            c.last_observed_at.take(), c.recommendation_text.take(), c.recommendation_url.take(),
            c.detector_id.take(), c.detector_name.take(), c.rule_id.take(), c.file_name.take(),
            c.file_path.take(), c.start_line.take(), c.end_line.take(),
            c.source_lambda_layer_arn.take(), c.vulnerability_id.take(),
            c.vulnerability_source.take(), c.vendor_severity.take(), c.source_url.take(),
            c.vendor_created_at.take(), c.vendor_updated_at.take(), c.network_protocol.take(),
            c.open_port_begin.take(), c.open_port_end.take(),
            // children
            c.resource_finding.take(), c.resource_ordinal.take(), c.resource_type.take(),
            c.resource_id.take(), c.resource_partition.take(), c.resource_region.take(),
            c.resource_project_name.take(), c.resource_provider_type.take(),
            c.resource_integration_arn.take(), c.resource_details.take(), c.resource_tags.take(),
            c.cwe_finding.take(), c.cwe_ordinal.take(), c.cwe.take(), c.tag_finding.take(),
            c.tag.take(), c.tag_ordinal.take(), c.url_finding.take(), c.url_ordinal.take(),
            c.url.take(), c.related_finding.take(), c.related_ordinal.take(), c.related_id.take(),
            c.package_finding.take(), c.package_ordinal.take(), c.package_name.take(),
            c.package_version.take(), c.package_epoch.take(), c.package_release.take(),
            c.package_arch.take(), c.package_manager.take(), c.package_file_path.take(),
            c.package_fixed_in_version.take(), c.package_remediation.take(),
            c.package_source_layer_hash.take(), c.package_source_lambda_layer_arn.take(),
            c.cvss_finding.take(), c.cvss_ordinal.take(), c.cvss_base_score.take(),
            c.cvss_scoring_vector.take(), c.cvss_version.take(), c.cvss_source.take(),
            c.step_finding.take(), c.step_ordinal.take(), c.step_component_id.take(),
            c.step_component_type.take(), c.step_component_arn.take());
        InspectorPageResult page_result;
        page_result.counts.inserted = result[0].as<int>();
        page_result.counts.updated = result[1].as<int>();
        page_result.counts.unchanged = result[2].as<int>();
        page_result.counts.rejected = c.rejected;
        page_result.counts.seen = static_cast<int>(page.size());
        page_result.snippets_wanted = requests_at(result[3].c_str(), c);
        return page_result;
    } catch (const pqxx::sql_error& error) {
        if (error.sqlstate() == kStalePageSqlstate) {
            throw store::StalePageError(
                "stale page for inspector stream " + stream + " in run " + std::to_string(run_id) +
                ": the checkpoint is not at the page's token (the page was applied already or "
                "another run owns the pass)");
        }
        throw;
    }
}

}  // namespace codeguru::inspector
