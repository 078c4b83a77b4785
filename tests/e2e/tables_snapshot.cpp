#include "tables_snapshot.hpp"

#include <algorithm>
#include <iterator>
#include <pqxx/pqxx>

namespace codeguru::test {
namespace {

// Columns whose value is the time of the sync that wrote them, not the finding's content.
const std::set<std::string> kVolatileColumns = {"first_seen_at", "last_changed_at", "missing_since",
                                                "observed_at"};

constexpr char kTablesSql[] =
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1"
    " AND table_type = 'BASE TABLE' AND (table_name = 'findings' OR table_name LIKE 'finding\\_%')"
    " ORDER BY table_name";
constexpr char kColumnsSql[] =
    "SELECT column_name FROM information_schema.columns WHERE table_schema = $1"
    " AND table_name = $2 ORDER BY ordinal_position";

std::vector<SnapshotRow> read_table(pqxx::work& tx, const std::string& schema,
                                    const std::string& table) {
    std::vector<std::string> columns;
    for (const auto& row : tx.exec_params(kColumnsSql, schema, table)) {
        const auto name = row[0].as<std::string>();
        if (kVolatileColumns.count(name) == 0) columns.push_back(name);
    }
    std::string select;
    for (const auto& column : columns) {
        select += select.empty() ? "" : ", ";
        select += tx.quote_name(column) + "::text";
    }
    const pqxx::result result =
        tx.exec("SELECT " + select + " FROM " + tx.quote_name(schema) + "." + tx.quote_name(table));

    const auto scan_column = std::find(columns.begin(), columns.end(), "scan_name");
    const auto id_column = std::find(columns.begin(), columns.end(), "finding_id");
    std::vector<SnapshotRow> rows;
    rows.reserve(result.size());
    for (const auto& row : result) {
        SnapshotRow out;
        for (std::size_t i = 0; i < columns.size(); ++i) {
            const pqxx::field field = row[static_cast<int>(i)];
            const std::string value = field.is_null() ? "\\N" : field.as<std::string>();
            out.text += (i == 0 ? "" : "\t") + columns[i] + "=" + value;
        }
        if (scan_column != columns.end()) {
            out.scan_name = row[static_cast<int>(scan_column - columns.begin())].as<std::string>();
        }
        if (id_column != columns.end()) {
            out.finding_id = row[static_cast<int>(id_column - columns.begin())].as<std::string>();
        }
        rows.push_back(std::move(out));
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

}  // namespace

std::size_t TablesSnapshot::rows(const std::string& table) const {
    const auto it = tables.find(table);
    return it == tables.end() ? 0 : it->second.size();
}

std::set<FindingKey> TablesSnapshot::finding_keys() const {
    std::set<FindingKey> keys;
    if (const auto it = tables.find("findings"); it != tables.end()) {
        for (const auto& row : it->second) keys.emplace(row.scan_name, row.finding_id);
    }
    return keys;
}

TablesSnapshot TablesSnapshot::restricted_to(const std::set<FindingKey>& keys) const {
    TablesSnapshot out;
    for (const auto& [table, rows] : tables) {
        auto& kept = out.tables[table];
        std::copy_if(rows.begin(), rows.end(), std::back_inserter(kept), [&](const SnapshotRow& r) {
            return keys.count(FindingKey(r.scan_name, r.finding_id)) > 0;
        });
    }
    return out;
}

TablesSnapshot snapshot_tables(const std::string& conninfo, const std::string& schema) {
    pqxx::connection connection(conninfo);
    pqxx::work tx(connection);
    // Timestamps as text depend on the session's zone and style: fix both.
    tx.exec0("SET LOCAL TimeZone TO 'UTC'");
    tx.exec0("SET LOCAL DateStyle TO 'ISO, YMD'");
    tx.exec0("SET LOCAL extra_float_digits TO 3");
    TablesSnapshot snapshot;
    for (const auto& row : tx.exec_params(kTablesSql, schema)) {
        const auto table = row[0].as<std::string>();
        snapshot.tables[table] = read_table(tx, schema, table);
    }
    tx.commit();
    return snapshot;
}

std::string describe_difference(const TablesSnapshot& expected, const TablesSnapshot& actual,
                                std::size_t max_rows) {
    std::set<std::string> names;
    for (const auto& [table, rows] : expected.tables) names.insert(table);
    for (const auto& [table, rows] : actual.tables) names.insert(table);

    std::string report;
    static const std::vector<SnapshotRow> kNone;
    for (const auto& table : names) {
        const auto e = expected.tables.find(table);
        const auto a = actual.tables.find(table);
        const auto& want = e == expected.tables.end() ? kNone : e->second;
        const auto& got = a == actual.tables.end() ? kNone : a->second;
        if (want == got) continue;
        report += table + ": expected " + std::to_string(want.size()) + " row(s), got " +
                  std::to_string(got.size()) + "\n";
        std::vector<SnapshotRow> only_expected;
        std::vector<SnapshotRow> only_actual;
        std::set_difference(want.begin(), want.end(), got.begin(), got.end(),
                            std::back_inserter(only_expected));
        std::set_difference(got.begin(), got.end(), want.begin(), want.end(),
                            std::back_inserter(only_actual));
        for (std::size_t i = 0; i < std::min(max_rows, only_expected.size()); ++i) {
            report += "  missing:    " + only_expected[i].text.substr(0, 300) + "\n";
        }
        for (std::size_t i = 0; i < std::min(max_rows, only_actual.size()); ++i) {
            report += "  unexpected: " + only_actual[i].text.substr(0, 300) + "\n";
        }
    }
    return report;
}

}  // namespace codeguru::test
