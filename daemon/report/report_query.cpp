#include "report/report_query.hpp"

#include <nlohmann/json.hpp>

#include "store/sql_support.hpp"

namespace codeguru::report {
namespace {

// $1: a jsonb array of scan names, or NULL for every scan the database knows.
// Times as integer microseconds: exact, and independent of the session's TimeZone.
constexpr char kReportSql[] =
    "WITH chosen AS ("
    "  SELECT scan_name FROM {schema}.findings WHERE $1::jsonb IS NULL"
    "  UNION SELECT scan_name FROM {schema}.sync_runs WHERE $1::jsonb IS NULL"
    "  UNION SELECT value FROM jsonb_array_elements_text($1::jsonb)),"
    " open AS ("
    "  SELECT scan_name,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 1) AS critical,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 2) AS high,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 3) AS medium,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 4) AS low,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 5) AS info,"
    "         sum(open_findings) AS total"
    "  FROM {schema}.open_findings_by_severity GROUP BY scan_name)"
    " SELECT c.scan_name, coalesce(o.critical, 0), coalesce(o.high, 0), coalesce(o.medium, 0),"
    "        coalesce(o.low, 0), coalesce(o.info, 0), coalesce(o.total, 0),"
    "        (SELECT count(*) FROM {schema}.finding_close_times AS t"
    "         WHERE t.scan_name = c.scan_name AND t.closed_at > now() - interval '30 days'),"
    "        (extract(epoch FROM h.last_success_at) * 1000000)::bigint, h.last_success_age_s"
    " FROM chosen AS c"
    " LEFT JOIN open AS o USING (scan_name)"
    " LEFT JOIN {schema}.sync_health AS h USING (scan_name)"
    " ORDER BY c.scan_name COLLATE \"C\"";
constexpr char kNowSql[] = "SELECT (extract(epoch FROM now()) * 1000000)::bigint";

Timestamp from_microseconds(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

}  // namespace

Report load_report(pqxx::connection_base& connection, const std::string& schema,
                   const std::vector<std::string>& scans, std::chrono::seconds sync_interval) {
    std::optional<std::string> wanted;
    if (!scans.empty()) wanted = nlohmann::json(scans).dump();

    pqxx::read_transaction tx(connection, "codeguru_report");
    Report report;
    report.sync_interval = sync_interval;
    report.generated_at = from_microseconds(tx.exec1(kNowSql)[0].as<std::int64_t>());
    const pqxx::result rows = tx.exec_params(
        store::with_schema(kReportSql, connection.quote_name(schema)), store::nullable(wanted));
    for (const auto& row : rows) {
        ScanSummary scan;
        scan.scan_name = row[0].as<std::string>();
        for (std::size_t i = 0; i < kSeverities.size(); ++i) {
            scan.open_by_severity[i] = row[static_cast<int>(i) + 1].as<std::int64_t>();
        }
        scan.open_total = row[6].as<std::int64_t>();
        scan.closed_last_30_days = row[7].as<std::int64_t>();
        if (const auto at = store::optional_int(row[8])) {
            scan.last_success_at = from_microseconds(*at);
            scan.last_success_age = std::chrono::seconds(row[9].as<std::int64_t>());
        }
        scan.status = sync_status(scan.last_success_at, scan.last_success_age, sync_interval);
        report.scans.push_back(std::move(scan));
    }
    tx.commit();
    return report;
}

}  // namespace codeguru::report
