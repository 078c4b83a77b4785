#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace codeguru::test {

// One row of a finding table, as canonical text ("col=value" joined by tabs, NULL as \N),
// with the finding it belongs to.
struct SnapshotRow {
    std::string scan_name;
    std::string finding_id;
    std::string text;

    auto operator<=>(const SnapshotRow&) const = default;
};

using FindingKey = std::pair<std::string, std::string>;  // (scan_name, finding_id)

// The content of every finding table of a schema (`findings` and each `finding_*` table),
// without the columns that depend on when a sync ran (first_seen_at, last_changed_at,
// missing_since, observed_at), rows sorted: two schemas that hold the same findings give
// equal snapshots whatever passes, crashes and resumes produced them.
struct TablesSnapshot {
    std::map<std::string, std::vector<SnapshotRow>> tables;  // by table name

    bool operator==(const TablesSnapshot&) const = default;

    std::size_t rows(const std::string& table) const;
    std::set<FindingKey> finding_keys() const;  // the rows of `findings`
    // The same snapshot holding only the rows of these findings.
    TablesSnapshot restricted_to(const std::set<FindingKey>& keys) const;
};

// Reads the snapshot of `schema` over a connection of its own. Throws pqxx errors.
TablesSnapshot snapshot_tables(const std::string& conninfo, const std::string& schema);

// Empty when equal; otherwise a short report: row counts per table and the first few
// rows that only one side has.
std::string describe_difference(const TablesSnapshot& expected, const TablesSnapshot& actual,
                                std::size_t max_rows = 5);

}  // namespace codeguru::test
