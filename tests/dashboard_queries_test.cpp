// dashboards/codeguru-findings.json: every SQL statement in it (panel targets and the
// scan / project variable's query), with its variables and Grafana macros substituted as
// Grafana does, run against the seeded history of reporting_history.cpp (both sources).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "reporting_history.hpp"

using namespace codeguru::test;
using nlohmann::json;

namespace {

json load_dashboard() {
    std::ifstream in(CODEGURU_SOURCE_DIR "/dashboards/codeguru-findings.json");
    REQUIRE(in);
    return json::parse(in);
}

// Every panel, also those nested in rows.
void collect_panels(const json& panels, std::vector<json>& out) {
    for (const auto& panel : panels) {
        out.push_back(panel);
        if (panel.contains("panels")) collect_panels(panel["panels"], out);
    }
}

struct Substitution {
    std::map<std::string, std::string> variables;  // name -> interpolated text
    std::string time_from, time_to;                // the dashboard's time range, ISO 8601
};

// What Grafana sends for `sql`: $__timeFilter(expr), $__timeFrom(), $__timeTo(), then
// $name and ${name}. Fails the test on anything left unsubstituted.
std::string substitute(std::string sql, const Substitution& s) {
    const std::string from = "'" + s.time_from + "'", to = "'" + s.time_to + "'";
    sql = std::regex_replace(sql, std::regex(R"(\$__timeFilter\(([^)]*)\))"),
                             "$1 BETWEEN " + from + " AND " + to);
    sql = std::regex_replace(sql, std::regex(R"(\$__timeFrom\(\))"), from);
    sql = std::regex_replace(sql, std::regex(R"(\$__timeTo\(\))"), to);
    for (const auto& [name, value] : s.variables) {
        sql =
            std::regex_replace(sql, std::regex("\\$\\{" + name + "\\}|\\$" + name + "\\b"), value);
    }
    INFO(sql);
    REQUIRE(sql.find('$') == std::string::npos);
    return sql;
}

// Grafana's value of a multi-value variable in SQL: each value single-quoted (quotes
// doubled), comma-separated.
std::string quoted_list(const std::vector<std::string>& values) {
    std::string text;
    for (const auto& value : values) {
        if (!text.empty()) text += ",";
        text += "'" + std::regex_replace(value, std::regex("'"), "''") + "'";
    }
    return text;
}

const json& variable_named(const json& dashboard, const std::string& name) {
    for (const auto& variable : dashboard["templating"]["list"]) {
        if (variable["name"] == name) return variable;
    }
    FAIL("no variable " << name);
    throw std::logic_error("unreachable");
}

// The values "All" stands for: a custom variable's comma-separated options, a query
// variable's rows (its query interpolated with the variables chosen before it).
std::vector<std::string> all_values(ReportingHistory& h, const json& variable,
                                    const Substitution& s) {
    std::vector<std::string> values;
    if (variable["type"] == "custom") {
        const std::string options = variable["query"];
        std::size_t start = 0;
        for (std::size_t end; (end = options.find(',', start)) != std::string::npos;
             start = end + 1) {
            values.push_back(options.substr(start, end - start));
        }
        values.push_back(options.substr(start));
    } else {
        for (const auto& row : h.query(substitute(variable["query"], s))) {
            values.push_back(row[0].as<std::string>());
        }
    }
    return values;
}

// The dashboard with `sources` chosen (empty: All), every scan and project they list
// (All), a 15-minute interval and the time range [from, to).
Substitution choose(ReportingHistory& h, const json& dashboard,
                    const std::vector<std::string>& sources, std::string from, std::string to) {
    Substitution s;
    s.variables["schema"] = pqxx::connection(h.conninfo()).quote_name(h.schema());
    s.variables["sync_interval"] = "15 minutes";
    s.time_from = std::move(from);
    s.time_to = std::move(to);
    s.variables["source"] = quoted_list(
        sources.empty() ? all_values(h, variable_named(dashboard, "source"), s) : sources);
    s.variables["scan"] = quoted_list(all_values(h, variable_named(dashboard, "scan"), s));
    return s;
}

// CodeGuru's history from January to February 2025 (alpha's closes and reopens).
Substitution codeguru_scans(ReportingHistory& h, const json& dashboard) {
    return choose(h, dashboard, {"codeguru"}, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z");
}

// Inspector's history in March 2025 (f11 and f12 opened and closed).
Substitution inspector_projects(ReportingHistory& h, const json& dashboard) {
    return choose(h, dashboard, {"inspector"}, "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z");
}

// Runs every panel's query with `s` and checks it against `expected`, by title; every
// panel must have an expectation.
void check_every_panel(ReportingHistory& h, const json& dashboard, const Substitution& s,
                       const std::map<std::string, std::string>& expected) {
    std::vector<json> panels;
    collect_panels(dashboard["panels"], panels);
    std::set<std::string> checked;
    for (const auto& panel : panels) {
        const std::string title = panel["title"];
        INFO(title);
        REQUIRE(expected.count(title) == 1);
        const std::string actual = rows_text(h.query(substitute(panel["targets"][0]["rawSql"], s)));
        INFO(actual);
        CHECK(rows_match(expected.at(title), actual));
        checked.insert(title);
    }
    CHECK(checked.size() == expected.size());
}

// Runs the queries of the panels named in `expected` and checks them.
void check_panels(ReportingHistory& h, const json& dashboard, const Substitution& s,
                  const std::map<std::string, std::string>& expected) {
    std::set<std::string> checked;
    for (const auto& panel : dashboard["panels"]) {
        const std::string title = panel["title"];
        if (expected.count(title) == 0) continue;
        INFO(title);
        const std::string actual = rows_text(h.query(substitute(panel["targets"][0]["rawSql"], s)));
        INFO(actual);
        CHECK(rows_match(expected.at(title), actual));
        checked.insert(title);
    }
    CHECK(checked.size() == expected.size());
}

// Hand-worked from the history, for every panel, with the CodeGuru scans, January-February
// 2025, and a 15-minute interval. "*": an age that depends on the clock.
std::map<std::string, std::string> expected_codeguru_panels(const ReportingHistory& h) {
    const std::string t = timestamptz_of(h.t());
    return {
        // a5 a6 (alpha); b1 b2 b3 b4 b5 b6 b10 (beta).
        {"Open findings", "9\n"},
        // b7, five days ago.
        {"Closed in the last 30 days", "1\n"},
        // a6, b10.
        {"Reopened findings still open", "2\n"},
        // gamma: its last success is two days old.
        {"Scans with an overdue sync", "1\n"},
        {"Open findings by scan and severity", "alpha|0|0|1|1|0\nbeta|1|2|2|1|1\n"},
        // b5 b6 | b4 b10 | b2 b3 | b1, a5, a6.
        {"Age of open findings",
         "0-7 days|0|0|0|1|1\n8-30 days|0|0|2|0|0\n31-90 days|0|2|0|0|0\n>90 days|1|0|1|1|0\n"},
        {"New, closed and reopened findings per day",
         "2025-01-01 00:00:00+00|1|0|0\n"
         "2025-01-02 00:00:00+00|1|0|0\n"
         "2025-01-05 00:00:00+00|1|0|0\n"
         "2025-01-08 00:00:00+00|0|1|0\n"
         "2025-01-10 00:00:00+00|1|0|0\n"
         "2025-01-11 00:00:00+00|0|1|0\n"
         "2025-01-13 00:00:00+00|0|1|0\n"
         "2025-01-20 00:00:00+00|1|0|0\n"
         "2025-01-25 00:00:00+00|0|1|0\n"
         "2025-02-01 00:00:00+00|1|0|1\n"
         "2025-02-05 00:00:00+00|0|1|0\n"
         "2025-02-10 00:00:00+00|1|0|0\n"
         "2025-02-11 00:00:00+00|0|1|0\n"
         "2025-02-12 00:00:00+00|0|1|0\n"
         "2025-02-20 00:00:00+00|0|0|1\n"},
        // a3 32 days (reopened once); a4 4; a7 6, a1 10, a2 20. a6 is open again.
        {"Time to close by month and severity (days)",
         "2025-02-01|Critical|1|32.0|32.0|1\n"
         "2025-02-01|Medium|1|4.0|4.0|0\n"
         "2025-01-01|High|3|12.0|10.0|0\n"},
        {"Sync health", "codeguru|alpha|ok|" + t + "|*|succeeded|0|NULL\n" +  //
                            "codeguru|beta|ok|" + t + "|*|succeeded|0|NULL\n" +
                            "codeguru|gamma|overdue|" + timestamptz_of(h.day(2)) +
                            "|*|failed|2|*\n"},
        {"Top detectors",
         "sql-injection|python/sql-injection|4\n"
         "hardcoded-credentials|python/hardcoded-credentials|3\n"
         "log-injection|python/log-injection|2\n"},
        {"Top rules", "py-sqli|4\npy-hardcoded-secret|3\npy-log|2\n"},
        {"Top files",
         "src/api/users.py|3\nsrc/lib/db.py|3\nsrc/api/orders.py|1\ntests/test_auth.py|1\n"},
        // Inspector only.
        {"Open code findings by repository and CWE", ""},
        {"Top CWEs", ""},
        // a3 32 | a7 6, a1 10, a2 20: median 10, p90 10 + 0.8 * 10 | a4 4.
        {"Time to close by severity: median and p90 (days)",
         "codeguru|Critical|1|32.0|32.0\ncodeguru|High|3|10.0|18.0\ncodeguru|Medium|1|4.0|4.0\n"},
    };
}

// The same for the Inspector projects and March 2025.
std::map<std::string, std::string> expected_inspector_panels(const ReportingHistory& h) {
    const std::string t = timestamptz_of(h.t());
    return {
        // f01 f03 f10 (shop-web); f05 f06 (payments-api).
        {"Open findings", "5\n"},
        // f07, two days ago.
        {"Closed in the last 30 days", "1\n"},
        // f07 was reopened and is closed again.
        {"Reopened findings still open", "0\n"},
        // eu-west-1: its last success is two days old.
        {"Scans with an overdue sync", "1\n"},
        // f06 is UNTRIAGED: in no severity column.
        {"Open findings by scan and severity", "payments-api|0|0|0|0|1\nshop-web|1|1|1|0|0\n"},
        // f05 (f06) | f01 f03 | f10.
        {"Age of open findings", "0-7 days|0|0|0|0|1\n8-30 days|1|1|0|0|0\n>90 days|0|0|1|0|0\n"},
        // f11 opened 03-01, closed 03-31; f12 opened 03-10, closed 03-13.
        {"New, closed and reopened findings per day",
         "2025-03-01 00:00:00+00|1|0|0\n"
         "2025-03-10 00:00:00+00|1|0|0\n"
         "2025-03-13 00:00:00+00|0|1|0\n"
         "2025-03-31 00:00:00+00|0|1|0\n"},
        // f11 30 and f12 3 days.
        {"Time to close by month and severity (days)", "2025-03-01|High|2|16.5|16.5|0\n"},
        {"Sync health", "inspector|eu-west-1|overdue|" + timestamptz_of(h.day(2)) +
                            "|*|succeeded|0|NULL\n" + "inspector|us-east-1|ok|" + t +
                            "|*|succeeded|0|NULL\n"},
        {"Top detectors",
         "SQL injection|javascript/sql-injection@v1.0|2\n"
         "Cross-site scripting|javascript/cross-site-scripting@v1.0|1\n"
         "Hardcoded credentials|python/hardcoded-credentials@v1.0|1\n"
         "Log injection|python/log-injection@v1.0|1\n"},
        {"Top rules",
         "javascript-sql-injection|2\njavascript-xss|1\npython-hardcoded-credentials|1\n"
         "python-log-injection|1\n"},
        {"Top files", "src/db.js|2\napp/audit.py|1\napp/settings.py|1\nsrc/views/search.js|1\n"},
        // f01 f10 CWE-89, f10 CWE-22, f03 CWE-79 | f06 CWE-798, f05 none.
        {"Open code findings by repository and CWE",
         "shop-web|CWE-89|2\npayments-api|CWE-798|1\npayments-api|NULL|1\nshop-web|CWE-22|1\n"
         "shop-web|CWE-79|1\n"},
        {"Top CWEs", "CWE-89|1|2\nCWE-22|1|1\nCWE-79|1|1\nCWE-798|1|1\nNULL|1|1\n"},
        // f12 3, f11 30: median 16.5, p90 3 + 0.9 * 27.
        {"Time to close by severity: median and p90 (days)", "inspector|High|2|16.5|27.3\n"},
    };
}

}  // namespace

TEST_CASE("the dashboard is a PostgreSQL dashboard with multi-value source and scan filters") {
    const json dashboard = load_dashboard();
    CHECK(dashboard["schemaVersion"].get<int>() >= 36);
    std::vector<std::string> variables;
    for (const auto& variable : dashboard["templating"]["list"]) {
        variables.push_back(variable["name"].get<std::string>());
    }
    // The scan variable's query reads the source variable, chosen before it.
    CHECK(variables == std::vector<std::string>{"DS", "schema", "source", "scan", "sync_interval"});
    const json& source = variable_named(dashboard, "source");
    CHECK(source["type"] == "custom");
    CHECK(source["query"] == "codeguru,inspector");
    CHECK(source["multi"] == true);
    CHECK(source["includeAll"] == true);
    const json& scan = variable_named(dashboard, "scan");
    CHECK(scan["label"] == "Scan / project");
    CHECK(scan["multi"] == true);
    CHECK(scan["includeAll"] == true);
    std::vector<json> panels;
    collect_panels(dashboard["panels"], panels);
    REQUIRE_FALSE(panels.empty());
    for (const auto& panel : panels) {
        INFO(panel["title"]);
        CHECK(panel["datasource"]["type"] == "grafana-postgresql-datasource");
        CHECK(panel["datasource"]["uid"] == "${DS}");
        REQUIRE(panel["targets"].size() == 1);
        const auto& target = panel["targets"][0];
        CHECK(target["rawQuery"] == true);
        CHECK(target["format"] == (panel["type"] == "timeseries" ? "time_series" : "table"));
        // Every query is filtered by the source and the scan / project variables.
        const std::string sql = target["rawSql"];
        CHECK(sql.find("source IN ($source)") != std::string::npos);
        CHECK((sql.find("scan_name IN ($scan)") != std::string::npos ||
               sql.find("project IN ($scan)") != std::string::npos));
    }
}

TEST_CASE("the scan / project variable lists the chosen sources' scans and projects") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    CHECK(codeguru_scans(h, dashboard).variables.at("scan") == "'alpha','beta','gamma'");
    CHECK(inspector_projects(h, dashboard).variables.at("scan") == "'payments-api','shop-web'");
    const Substitution all =
        choose(h, dashboard, {}, "2025-01-01T00:00:00Z", "2025-03-01T00:00:00Z");
    CHECK(all.variables.at("source") == "'codeguru','inspector'");
    CHECK(all.variables.at("scan") == "'alpha','beta','gamma','payments-api','shop-web'");
}

TEST_CASE("every dashboard query returns the hand-worked numbers for the CodeGuru scans") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    check_every_panel(h, dashboard, codeguru_scans(h, dashboard), expected_codeguru_panels(h));
}

TEST_CASE("every dashboard query returns the hand-worked numbers for the Inspector projects") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    check_every_panel(h, dashboard, inspector_projects(h, dashboard), expected_inspector_panels(h));
}

TEST_CASE("with all sources chosen the panels add up both sources") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    const std::string t = timestamptz_of(h.t());
    const Substitution s = choose(h, dashboard, {}, "2025-01-01T00:00:00Z", "2025-04-01T00:00:00Z");
    check_panels(
        h, dashboard, s,
        {
            {"Open findings", "14\n"},
            {"Closed in the last 30 days", "2\n"},
            {"Reopened findings still open", "2\n"},
            // gamma and eu-west-1.
            {"Scans with an overdue sync", "2\n"},
            {"Open findings by scan and severity",
             "alpha|0|0|1|1|0\nbeta|1|2|2|1|1\npayments-api|0|0|0|0|1\nshop-web|1|1|1|0|0\n"},
            {"Sync health",
             "codeguru|alpha|ok|" + t + "|*|succeeded|0|NULL\n" + "codeguru|beta|ok|" + t +
                 "|*|succeeded|0|NULL\n" + "codeguru|gamma|overdue|" + timestamptz_of(h.day(2)) +
                 "|*|failed|2|*\n" + "inspector|eu-west-1|overdue|" + timestamptz_of(h.day(2)) +
                 "|*|succeeded|0|NULL\n" + "inspector|us-east-1|ok|" + t + "|*|succeeded|0|NULL\n"},
            {"Top files",
             "src/api/users.py|3\nsrc/lib/db.py|3\nsrc/db.js|2\napp/audit.py|1\n"
             "app/settings.py|1\nsrc/api/orders.py|1\nsrc/views/search.js|1\n"
             "tests/test_auth.py|1\n"},
            // Both sources' closes from January to March 2025, one row per source.
            {"Time to close by severity: median and p90 (days)",
             "codeguru|Critical|1|32.0|32.0\ncodeguru|High|3|10.0|18.0\n"
             "codeguru|Medium|1|4.0|4.0\ninspector|High|2|16.5|27.3\n"},
        });
}

TEST_CASE("the dashboard's scan filter narrows every panel to the chosen scans and projects") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    Substitution s = codeguru_scans(h, dashboard);
    s.variables["scan"] = "'beta'";
    check_panels(h, dashboard, s,
                 {
                     {"Open findings", "7\n"},
                     {"Closed in the last 30 days", "1\n"},
                     {"Reopened findings still open", "1\n"},
                     {"Scans with an overdue sync", "0\n"},
                     {"Top files",
                      "src/api/users.py|2\nsrc/lib/db.py|2\nsrc/api/orders.py|1\n"
                      "tests/test_auth.py|1\n"},
                     // beta's history is in the last 91 days, outside January-February 2025.
                     {"New, closed and reopened findings per day", ""},
                 });

    // Both sources, one Inspector project: Inspector streams serve every project of their
    // region, so eu-west-1 stays overdue.
    s = choose(h, dashboard, {}, "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z");
    s.variables["scan"] = "'payments-api'";
    check_panels(
        h, dashboard, s,
        {
            {"Open findings", "2\n"},
            {"Closed in the last 30 days", "1\n"},
            {"Scans with an overdue sync", "1\n"},
            {"Top files", "app/audit.py|1\napp/settings.py|1\n"},
            {"Open code findings by repository and CWE",
             "payments-api|CWE-798|1\npayments-api|NULL|1\n"},
            {"Time to close by severity: median and p90 (days)", "inspector|High|1|3.0|3.0\n"},
        });

    // The source filter alone: Inspector chosen, a CodeGuru scan's name given.
    s = inspector_projects(h, dashboard);
    s.variables["scan"] = "'beta'";
    check_panels(h, dashboard, s, {{"Open findings", "0\n"}, {"Top files", ""}});
}
