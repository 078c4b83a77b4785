#include "contract_rows.hpp"

#include <algorithm>
#include <iterator>
#include <pqxx/pqxx>
#include <set>
#include <utility>

namespace codeguru::test {
namespace {

enum class Kind { kText, kInteger, kTimestamp };

struct ContractTable {
    const char* name;
    std::vector<std::pair<const char*, Kind>> columns;
};

// SPEC §5's tables and columns, less those holding the sync's own time (first_seen_at,
// observed_at); every table is keyed by (scan_name, finding_id, ...).
const std::vector<ContractTable>& contract_tables() {
    static const std::vector<ContractTable> kTables = {
        {"findings",
         {{"scan_name", Kind::kText},
          {"finding_id", Kind::kText},
          {"created_at", Kind::kTimestamp},
          {"updated_at", Kind::kTimestamp},
          {"title", Kind::kText},
          {"description", Kind::kText},
          {"type", Kind::kText},
          {"status", Kind::kText},
          {"severity", Kind::kText},
          {"generator_id", Kind::kText},
          {"detector_id", Kind::kText},
          {"detector_name", Kind::kText},
          {"rule_id", Kind::kText},
          {"resource_id", Kind::kText},
          {"sub_resource_id", Kind::kText},
          {"vulnerability_id", Kind::kText},
          {"item_count", Kind::kInteger},
          {"file_name", Kind::kText},
          {"file_path", Kind::kText},
          {"start_line", Kind::kInteger},
          {"end_line", Kind::kInteger},
          {"recommendation_text", Kind::kText},
          {"recommendation_url", Kind::kText},
          {"missing_since", Kind::kTimestamp}}},
        {"finding_versions",
         {{"scan_name", Kind::kText},
          {"finding_id", Kind::kText},
          {"updated_at", Kind::kTimestamp},
          {"status", Kind::kText},
          {"severity", Kind::kText},
          {"title", Kind::kText}}},
        {"finding_detector_tags",
         {{"scan_name", Kind::kText}, {"finding_id", Kind::kText}, {"tag", Kind::kText}}},
        {"finding_code_lines",
         {{"scan_name", Kind::kText},
          {"finding_id", Kind::kText},
          {"line_number", Kind::kInteger},
          {"content", Kind::kText}}},
        {"finding_suggested_fixes",
         {{"scan_name", Kind::kText},
          {"finding_id", Kind::kText},
          {"ordinal", Kind::kInteger},
          {"description", Kind::kText},
          {"code", Kind::kText}}},
        {"finding_reference_urls",
         {{"scan_name", Kind::kText},
          {"finding_id", Kind::kText},
          {"ordinal", Kind::kInteger},
          {"url", Kind::kText}}},
        {"finding_related_vulnerabilities",
         {{"scan_name", Kind::kText},
          {"finding_id", Kind::kText},
          {"ordinal", Kind::kInteger},
          {"related_id", Kind::kText}}},
    };
    return kTables;
}

std::string as_text(pqxx::work& tx, const char* column, Kind kind) {
    const std::string name = tx.quote_name(column);
    switch (kind) {
        case Kind::kText:
            return name;
        case Kind::kInteger:
            return name + "::text";
        case Kind::kTimestamp:
            // extract() gives an exact numeric for timestamptz (PostgreSQL 14 and later).
            return "(extract(epoch FROM " + name + ") * 1000000)::bigint::text";
    }
    return name;
}

std::string render(const ContractRow& row) {
    std::string text;
    for (const auto& [column, value] : row) {
        text += (text.empty() ? "" : "  ") + column + "=" + (value ? *value : "NULL");
    }
    return text.substr(0, 400);
}

}  // namespace

ContractRows stored_contract_rows(const std::string& conninfo, const std::string& schema) {
    pqxx::connection connection(conninfo);
    pqxx::work tx(connection);
    ContractRows rows;
    for (const ContractTable& table : contract_tables()) {
        std::string select;
        for (const auto& [column, kind] : table.columns) {
            select += (select.empty() ? "" : ", ") + as_text(tx, column, kind);
        }
        auto& out = rows[table.name];
        for (const auto& result : tx.exec("SELECT " + select + " FROM " + tx.quote_name(schema) +
                                          "." + tx.quote_name(table.name))) {
            ContractRow row;
            for (std::size_t i = 0; i < table.columns.size(); ++i) {
                const pqxx::field field = result[static_cast<int>(i)];
                row[table.columns[i].first] =
                    field.is_null() ? std::nullopt : std::optional(field.as<std::string>());
            }
            out.push_back(std::move(row));
        }
        std::sort(out.begin(), out.end());
    }
    tx.commit();
    return rows;
}

std::string describe_difference(const ContractRows& expected, const ContractRows& actual,
                                std::size_t max_rows) {
    static const std::vector<ContractRow> kNone;
    std::set<std::string> tables;
    for (const auto& [table, rows] : expected) tables.insert(table);
    for (const auto& [table, rows] : actual) tables.insert(table);
    std::string report;
    for (const auto& table : tables) {
        const auto e = expected.find(table);
        const auto a = actual.find(table);
        const auto& want = e == expected.end() ? kNone : e->second;
        const auto& got = a == actual.end() ? kNone : a->second;
        if (want == got) continue;
        report += table + ": expected " + std::to_string(want.size()) + " row(s), got " +
                  std::to_string(got.size()) + "\n";
        std::vector<ContractRow> missing;
        std::vector<ContractRow> unexpected;
        std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                            std::back_inserter(missing));
        std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                            std::back_inserter(unexpected));
        for (std::size_t i = 0; i < std::min(max_rows, missing.size()); ++i) {
            report += "  missing:    " + render(missing[i]) + "\n";
        }
        for (std::size_t i = 0; i < std::min(max_rows, unexpected.size()); ++i) {
            report += "  unexpected: " + render(unexpected[i]) + "\n";
        }
    }
    return report;
}

std::string difference_from_reference(const FakeCodeGuruApi& api,
                                      const std::vector<std::string>& scans,
                                      const std::string& conninfo, const std::string& schema) {
    ContractRows expected;
    for (const auto& scan : scans) merge_rows(expected, reference_rows(scan, api.findings(scan)));
    return describe_difference(expected, stored_contract_rows(conninfo, schema));
}

}  // namespace codeguru::test
