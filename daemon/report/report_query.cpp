#include "report/report_query.hpp"

#include <nlohmann/json.hpp>

#include "store/sql_support.hpp"

namespace codeguru::report {
namespace {

// $1: a jsonb array of names, or NULL for every scan and project the database knows; $2:
// a jsonb array of sources, or NULL for both.
// Lines are CodeGuru scans (with findings or sync runs) and Inspector projects (with code
// findings); a chosen name that is neither gets a CodeGuru line of zeros. An Inspector
// project has no runs of its own: its findings come from the streams (regions) they are
// in, and it is as fresh as the stalest of them (never, if one never succeeded). A project
// of NULL (findings without resources) is the name ''. Times as integer microseconds:
// exact, and independent of the session's TimeZone.
constexpr char kReportSql[] =
    "WITH named AS ("
    "  SELECT value AS scan_name FROM jsonb_array_elements_text($1::jsonb)),"
    " known AS ("
    "  SELECT DISTINCT source, coalesce(project, '') AS scan_name FROM {schema}.code_findings"
    "  UNION SELECT 'codeguru', scan_name FROM {schema}.sync_runs WHERE source = 'codeguru'),"
    " chosen AS ("
    "  SELECT k.source, k.scan_name FROM known AS k"
    "  WHERE $1::jsonb IS NULL OR k.scan_name IN (SELECT scan_name FROM named)"
    "  UNION SELECT 'codeguru', n.scan_name FROM named AS n"
    "  WHERE NOT EXISTS (SELECT FROM known AS k WHERE k.scan_name = n.scan_name)),"
    " open AS ("
    "  SELECT source, coalesce(scan_name, '') AS scan_name,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 1) AS critical,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 2) AS high,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 3) AS medium,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 4) AS low,"
    "         sum(open_findings) FILTER (WHERE severity_rank = 5) AS info,"
    "         sum(open_findings) AS total"
    "  FROM {schema}.open_findings_by_severity GROUP BY 1, 2),"
    " closed AS ("
    "  SELECT source, coalesce(scan_name, '') AS scan_name, count(*) AS closed"
    "  FROM {schema}.finding_close_times WHERE closed_at > now() - interval '30 days'"
    "  GROUP BY 1, 2),"
    " health AS ("
    "  SELECT source, scan_name, last_success_at, last_success_age_s"
    "  FROM {schema}.sync_health WHERE source = 'codeguru'"
    "  UNION ALL"
    "  SELECT 'inspector', p.scan_name,"
    "         CASE WHEN bool_and(h.last_success_at IS NOT NULL) THEN min(h.last_success_at) END,"
    "         CASE WHEN bool_and(h.last_success_at IS NOT NULL) THEN max(h.last_success_age_s) END"
    "  FROM (SELECT DISTINCT coalesce(project, '') AS scan_name, region"
    "        FROM {schema}.code_findings WHERE source = 'inspector') AS p"
    "  LEFT JOIN {schema}.sync_health AS h ON h.source = 'inspector' AND h.scan_name = p.region"
    "  GROUP BY p.scan_name)"
    " SELECT c.source, c.scan_name, coalesce(o.critical, 0), coalesce(o.high, 0),"
    "        coalesce(o.medium, 0), coalesce(o.low, 0), coalesce(o.info, 0), coalesce(o.total, 0),"
    "        coalesce(x.closed, 0),"
    "        (extract(epoch FROM h.last_success_at) * 1000000)::bigint, h.last_success_age_s"
    " FROM chosen AS c"
    " LEFT JOIN open AS o USING (source, scan_name)"
    " LEFT JOIN closed AS x USING (source, scan_name)"
    " LEFT JOIN health AS h USING (source, scan_name)"
    " WHERE $2::jsonb IS NULL OR $2::jsonb ? c.source"
    " ORDER BY c.source, c.scan_name COLLATE \"C\"";
constexpr char kNowSql[] = "SELECT (extract(epoch FROM now()) * 1000000)::bigint";

Timestamp from_microseconds(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

}  // namespace

Report load_report(pqxx::connection_base& connection, const std::string& schema,
                   const ReportFilter& filter, std::chrono::seconds sync_interval) {
    std::optional<std::string> wanted, sources;
    if (!filter.projects.empty()) wanted = nlohmann::json(filter.projects).dump();
    if (!filter.sources.empty()) sources = nlohmann::json(filter.sources).dump();

    pqxx::read_transaction tx(connection, "codeguru_report");
    Report report;
    report.sync_interval = sync_interval;
    report.generated_at = from_microseconds(tx.exec1(kNowSql)[0].as<std::int64_t>());
    const pqxx::result rows =
        tx.exec_params(store::with_schema(kReportSql, connection.quote_name(schema)),
                       store::nullable(wanted), store::nullable(sources));
    for (const auto& row : rows) {
        ScanSummary scan;
        scan.source = row[0].as<std::string>();
        scan.scan_name = row[1].as<std::string>();
        for (std::size_t i = 0; i < kSeverities.size(); ++i) {
            scan.open_by_severity[i] = row[static_cast<int>(i) + 2].as<std::int64_t>();
        }
        scan.open_total = row[7].as<std::int64_t>();
        scan.closed_last_30_days = row[8].as<std::int64_t>();
        if (const auto at = store::optional_int(row[9])) {
            scan.last_success_at = from_microseconds(*at);
            scan.last_success_age = std::chrono::seconds(row[10].as<std::int64_t>());
        }
        scan.status = sync_status(scan.last_success_at, scan.last_success_age, sync_interval);
        report.scans.push_back(std::move(scan));
    }
    tx.commit();
    return report;
}

}  // namespace codeguru::report
