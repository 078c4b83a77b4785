#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace codeguru::test {

// An independent reading of SPEC §10.1 (Inspector wire findings and code snippets) and §10.4
// (the tables that hold them), written from the SPEC alone: it calls nothing of the daemon
// (only the CodeGuru reference's text and timestamp rules, reference_mapper.hpp), so a test
// that compares the daemon's tables with it does not check the daemon against itself. It
// covers well-typed wire data; anything else is refused with std::invalid_argument naming
// the member.
//
// Rows are normalized for comparison: a row is column → value (NULL as nullopt), text as
// stored, integers in decimal, doubles as "%.17g", timestamps as integer epoch microseconds,
// jsonb as the canonical dump of the parsed JSON. A table is its rows by primary key
// ("ARN", "ARN#ORDINAL", "ARN#TAG", "ARN#LINE").
//
// Left out: inspector_finding_versions (the history depends on which passes saw what) and
// the columns that hold the sync's own time (first_seen_at, last_changed_at), which tests
// check against their pinned clock instead.
using InspectorRow = std::map<std::string, std::optional<std::string>>;
using InspectorTable = std::map<std::string, InspectorRow>;
using InspectorTables = std::map<std::string, InspectorTable>;

// What a schema should hold after syncing.
struct InspectorExpectation {
    // The stored version of every finding (distinct findingArns), as the API sent it.
    std::vector<nlohmann::json> findings;
    // BatchGetCodeSnippet's codeSnippetResults entry of each finding whose snippet should be
    // stored, by ARN; only CODE_VULNERABILITY findings' are used. A finding without one has no
    // code lines and no suggested fixes.
    std::map<std::string, nlohmann::json> snippets;
    // The findings expected missing, with their missing_since; every other one has NULL.
    std::map<std::string, std::int64_t> missing_since_us;
    // The version time of a finding with neither updatedAt nor lastObservedAt; nullopt
    // refuses such a finding.
    std::optional<std::int64_t> sync_time_us;
};

// SPEC §10.3: the version time of a wire finding in epoch microseconds: updatedAt, else
// lastObservedAt, else `sync_time_us` (refused when nullopt).
std::int64_t reference_version_us(const nlohmann::json& finding,
                                  std::optional<std::int64_t> sync_time_us = std::nullopt);

// Every table of SPEC §10.4 but the versions (each present, maybe empty) as `expected` says.
InspectorTables inspector_reference_tables(const InspectorExpectation& expected);

// The same tables as `schema` holds them, read over a connection of its own.
InspectorTables stored_inspector_tables(const std::string& conninfo, const std::string& schema);

// Only the rows of the findings in `arns`.
InspectorTables restricted_to(const InspectorTables& tables, const std::set<std::string>& arns);

// Empty when equal. Otherwise the first difference, naming table, row key and column ("table
// T row K column C: expected X, stored Y", or a row only one side has), then up to
// `max_lines` - 1 more, then per differing table both row counts.
std::string difference(const InspectorTables& expected, const InspectorTables& stored,
                       std::size_t max_lines = 8);

}  // namespace codeguru::test
