// dashboards/codeguru-findings.json: every SQL statement in it (panel targets and the
// template variable's query), with its variables and Grafana macros substituted, run
// against the seeded history of reporting_history.cpp.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
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

// The history from January to February 2025 (alpha's closes and reopens), all scans.
Substitution all_scans(ReportingHistory& h, const json& dashboard) {
    Substitution s;
    s.variables["schema"] = pqxx::connection(h.conninfo()).quote_name(h.schema());
    s.variables["sync_interval"] = "15 minutes";
    s.time_from = "2025-01-01T00:00:00Z";
    s.time_to = "2025-03-01T00:00:00Z";
    std::string scans;
    for (const auto& variable : dashboard["templating"]["list"]) {
        if (variable["name"] != "scan") continue;
        for (const auto& row : h.query(substitute(variable["query"], s))) {
            scans += (scans.empty() ? "'" : ",'") + row[0].as<std::string>() + "'";
        }
    }
    s.variables["scan"] = scans;
    return s;
}

// Hand-worked from the history, for every panel, with all scans, January-February 2025,
// and a 15-minute interval. "*": an age that depends on the clock.
std::map<std::string, std::string> expected_panels(const ReportingHistory& h) {
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
        {"Sync health", "alpha|ok|" + t + "|*|succeeded|0|NULL\n" +  //
                            "beta|ok|" + t + "|*|succeeded|0|NULL\n" + "gamma|overdue|" +
                            timestamptz_of(h.day(2)) + "|*|failed|2|*\n"},
        {"Top detectors",
         "sql-injection|python/sql-injection|4\n"
         "hardcoded-credentials|python/hardcoded-credentials|3\n"
         "log-injection|python/log-injection|2\n"},
        {"Top rules", "py-sqli|4\npy-hardcoded-secret|3\npy-log|2\n"},
        {"Top files",
         "src/api/users.py|3\nsrc/lib/db.py|3\nsrc/api/orders.py|1\ntests/test_auth.py|1\n"},
    };
}

}  // namespace

TEST_CASE("the dashboard is a PostgreSQL dashboard with a multi-value scan filter") {
    const json dashboard = load_dashboard();
    CHECK(dashboard["schemaVersion"].get<int>() >= 36);
    std::set<std::string> variables;
    for (const auto& variable : dashboard["templating"]["list"]) {
        variables.insert(variable["name"].get<std::string>());
        if (variable["name"] == "scan") {
            CHECK(variable["multi"] == true);
            CHECK(variable["includeAll"] == true);
        }
    }
    CHECK(variables == std::set<std::string>{"DS", "schema", "scan", "sync_interval"});
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
        // Every query is filtered by the scan variable.
        CHECK(target["rawSql"].get<std::string>().find("scan_name IN ($scan)") !=
              std::string::npos);
    }
}

TEST_CASE("every dashboard query returns the hand-worked numbers for all scans") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    const Substitution s = all_scans(h, dashboard);
    CHECK(s.variables.at("scan") == "'alpha','beta','gamma'");

    const auto expected = expected_panels(h);
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

TEST_CASE("the dashboard's scan filter narrows every panel to the chosen scans") {
    ReportingHistory h;
    const json dashboard = load_dashboard();
    Substitution s = all_scans(h, dashboard);
    s.variables["scan"] = "'beta'";
    std::map<std::string, std::string> beta = {
        {"Open findings", "7\n"},
        {"Closed in the last 30 days", "1\n"},
        {"Reopened findings still open", "1\n"},
        {"Scans with an overdue sync", "0\n"},
        {"Top files",
         "src/api/users.py|2\nsrc/lib/db.py|2\nsrc/api/orders.py|1\ntests/test_auth.py|1\n"},
        // beta's history is in the last 91 days, outside January-February 2025.
        {"New, closed and reopened findings per day", ""},
    };
    for (const auto& panel : dashboard["panels"]) {
        const std::string title = panel["title"];
        if (beta.count(title) == 0) continue;
        INFO(title);
        CHECK(rows_text(h.query(substitute(panel["targets"][0]["rawSql"], s))) == beta.at(title));
    }
}
