#include "report/html_report_query.hpp"

#include <nlohmann/json.hpp>
#include <optional>

#include "store/sql_support.hpp"

namespace codeguru::report {
namespace {

// Every query takes $1, a jsonb array of sources, and $2, one of scan or project names;
// NULL does not filter. {filter} becomes the condition on the view's columns (see below).
constexpr char kNowSql[] = "SELECT (extract(epoch FROM now()) * 1000000)::bigint";

constexpr char kCodeFindingsSql[] =
    "SELECT count(*) FROM {schema}.code_findings AS v WHERE {filter:source,project}";

constexpr char kOpenSql[] =
    "SELECT severity_rank, sum(open_findings)::bigint FROM {schema}.open_findings_by_severity AS v"
    " WHERE {filter:source,scan_name} GROUP BY severity_rank";

constexpr char kRecentSql[] =
    "SELECT coalesce(sum(new_last_7_days), 0)::bigint, coalesce(sum(new_last_30_days), 0)::bigint,"
    " coalesce(sum(closed_last_7_days), 0)::bigint, coalesce(sum(closed_last_30_days), 0)::bigint"
    " FROM {schema}.recent_finding_counts AS v WHERE {filter:source,scan_name}";

// The 90 days of daily_open_findings, also those without open findings.
constexpr char kTrendSql[] =
    "WITH days AS ("
    "  SELECT d::date AS day FROM generate_series(date_trunc('day', now()) - interval '89 days',"
    "                                             date_trunc('day', now()), interval '1 day') AS d)"
    " SELECT days.day::text, v.severity_rank, coalesce(sum(v.open_findings), 0)::bigint"
    " FROM days LEFT JOIN {schema}.daily_open_findings AS v"
    "   ON v.day = days.day AND {filter:source,scan_name}"
    " GROUP BY days.day, v.severity_rank ORDER BY days.day";

constexpr char kCloseTimesSql[] =
    "SELECT coalesce(severity, ''), closed_findings, median_days, p90_days"
    " FROM {schema}.time_to_close_by_severity("
    "   CASE WHEN $1::jsonb IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text($1::jsonb)) "
    "END,"
    "   CASE WHEN $2::jsonb IS NOT NULL THEN ARRAY(SELECT jsonb_array_elements_text($2::jsonb)) "
    "END)";

constexpr char kTopRulesSql[] =
    "SELECT left(rule_id, 1000), '', sum(open_findings)::bigint AS n"
    " FROM {schema}.open_findings_by_rule AS v"
    " WHERE {filter:source,scan_name} AND rule_id IS NOT NULL"
    " GROUP BY rule_id ORDER BY n DESC, rule_id COLLATE \"C\" LIMIT 10";

constexpr char kTopDetectorsSql[] =
    "SELECT left(coalesce(max(detector_name), detector_id), 1000), left(detector_id, 1000),"
    " sum(open_findings)::bigint AS n FROM {schema}.open_findings_by_detector AS v"
    " WHERE {filter:source,scan_name} AND detector_id IS NOT NULL"
    " GROUP BY detector_id ORDER BY n DESC, detector_id COLLATE \"C\" LIMIT 10";

constexpr char kTopCwesSql[] =
    "SELECT left(cwe, 1000), '', sum(open_findings)::bigint AS n"
    " FROM {schema}.open_code_findings_by_repository_cwe AS v"
    " WHERE {filter:source,project} AND cwe IS NOT NULL"
    " GROUP BY cwe ORDER BY n DESC, cwe COLLATE \"C\" LIMIT 10";

// A file is a path in one scan or project.
constexpr char kTopFilesSql[] =
    "SELECT left(file_path, 1000), left(coalesce(scan_name, ''), 1000), open_findings"
    " FROM {schema}.open_findings_by_file AS v WHERE {filter:source,scan_name}"
    " ORDER BY open_findings DESC, scan_name COLLATE \"C\", file_path COLLATE \"C\", source"
    " LIMIT 10";

constexpr char kOldestSql[] =
    "SELECT severity, left(coalesce(title, ''), 1000), source, left(coalesce(scan_name, ''), 1000),"
    " left(coalesce(file_path, ''), 1000), start_line, age_days"
    " FROM {schema}.open_findings AS v WHERE {filter:source,scan_name} AND severity_rank <= 2"
    " ORDER BY opened_at, source, scan_name COLLATE \"C\", finding_id COLLATE \"C\" LIMIT 50";

// An Inspector stream is a region: kept when it holds code findings of the chosen projects.
constexpr char kHealthSql[] =
    "SELECT v.source, left(v.scan_name, 1000), v.last_run_outcome,"
    " (extract(epoch FROM v.last_success_at) * 1000000)::bigint, v.last_success_age_s,"
    " left(v.last_error, 1000), v.runs_failed_last_day"
    " FROM {schema}.sync_health AS v"
    " WHERE ($1::jsonb IS NULL OR $1::jsonb ? v.source)"
    "   AND ($2::jsonb IS NULL"
    "        OR (v.source = 'codeguru' AND $2::jsonb ? v.scan_name)"
    "        OR (v.source = 'inspector' AND v.scan_name IN ("
    "              SELECT c.region FROM {schema}.code_findings AS c"
    "              WHERE c.source = 'inspector' AND $2::jsonb ? c.project)))"
    " ORDER BY v.source, v.scan_name COLLATE \"C\"";

// {filter:SOURCE,SCAN} → the condition on the view v's columns SOURCE and SCAN.
std::string with_filter(std::string sql, const std::string& quoted_schema) {
    constexpr std::string_view kOpen = "{filter:";
    for (std::size_t at; (at = sql.find(kOpen)) != std::string::npos;) {
        const std::size_t comma = sql.find(',', at), end = sql.find('}', at);
        const std::string source = sql.substr(at + kOpen.size(), comma - at - kOpen.size());
        const std::string scan = sql.substr(comma + 1, end - comma - 1);
        sql.replace(at, end + 1 - at,
                    "($1::jsonb IS NULL OR $1::jsonb ? v." + source +
                        ") AND ($2::jsonb IS NULL OR "
                        "$2::jsonb ? v." +
                        scan + ")");
    }
    return store::with_schema(sql, quoted_schema);
}

Timestamp from_microseconds(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}

// Severity rank 1..5 → its column; anything else → the last one.
std::size_t column_of_rank(std::optional<std::int64_t> rank) {
    return rank && *rank >= 1 && *rank <= static_cast<std::int64_t>(kSeverities.size())
               ? static_cast<std::size_t>(*rank - 1)
               : kSeverities.size();
}

std::vector<RankedItem> ranked(const pqxx::result& rows) {
    std::vector<RankedItem> items;
    for (const auto& row : rows) {
        items.push_back(
            {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::int64_t>()});
    }
    return items;
}

}  // namespace

HtmlReportData load_html_report(pqxx::connection_base& connection, const std::string& schema,
                                const ReportFilter& filter, std::chrono::seconds sync_interval) {
    std::optional<std::string> sources, projects;
    if (!filter.sources.empty()) sources = nlohmann::json(filter.sources).dump();
    if (!filter.projects.empty()) projects = nlohmann::json(filter.projects).dump();
    const std::string quoted = connection.quote_name(schema);

    pqxx::read_transaction tx(connection, "codeguru_html_report");
    tx.exec0("SET LOCAL TimeZone TO 'UTC'");
    const auto query = [&](const char* sql) {
        return tx.exec_params(with_filter(sql, quoted), store::nullable(sources),
                              store::nullable(projects));
    };

    HtmlReportData data;
    data.sync_interval = sync_interval;
    data.filter = filter;
    data.generated_at = from_microseconds(tx.exec1(kNowSql)[0].as<std::int64_t>());
    data.code_findings = query(kCodeFindingsSql)[0][0].as<std::int64_t>();
    for (const auto& row : query(kOpenSql)) {
        data.open[column_of_rank(store::optional_int(row[0]))] += row[1].as<std::int64_t>();
    }
    const auto recent = query(kRecentSql)[0];
    data.new_last_7_days = recent[0].as<std::int64_t>();
    data.new_last_30_days = recent[1].as<std::int64_t>();
    data.closed_last_7_days = recent[2].as<std::int64_t>();
    data.closed_last_30_days = recent[3].as<std::int64_t>();

    for (const auto& row : query(kTrendSql)) {
        const std::string day = row[0].as<std::string>();
        if (data.trend.empty() || data.trend.back().day != day) data.trend.push_back({day, {}});
        if (!row[1].is_null()) {
            data.trend.back().open[column_of_rank(store::optional_int(row[1]))] +=
                row[2].as<std::int64_t>();
        }
    }
    for (const auto& row : query(kCloseTimesSql)) {
        data.close_times.push_back({row[0].as<std::string>(), row[1].as<std::int64_t>(),
                                    row[2].as<double>(), row[3].as<double>()});
    }
    data.top_rules = ranked(query(kTopRulesSql));
    data.top_detectors = ranked(query(kTopDetectorsSql));
    data.top_cwes = ranked(query(kTopCwesSql));
    data.top_files = ranked(query(kTopFilesSql));
    for (const auto& row : query(kOldestSql)) {
        OldFinding f;
        f.severity = row[0].as<std::string>();
        f.title = row[1].as<std::string>();
        f.source = row[2].as<std::string>();
        f.project = row[3].as<std::string>();
        f.file_path = row[4].as<std::string>();
        f.line = store::optional_int(row[5]);
        f.age_days = row[6].as<std::int64_t>();
        data.oldest.push_back(std::move(f));
    }
    for (const auto& row : query(kHealthSql)) {
        HealthLine h;
        h.source = row[0].as<std::string>();
        h.name = row[1].as<std::string>();
        h.last_outcome = row[2].as<std::string>();
        if (const auto at = store::optional_int(row[3])) {
            h.last_success_at = from_microseconds(*at);
            h.last_success_age = std::chrono::seconds(row[4].as<std::int64_t>());
        }
        h.status = sync_status(h.last_success_at, h.last_success_age, sync_interval);
        if (!row[5].is_null()) h.last_error = row[5].as<std::string>();
        h.failed_last_day = row[6].as<std::int64_t>();
        data.health.push_back(std::move(h));
    }
    tx.commit();
    return data;
}

}  // namespace codeguru::report
