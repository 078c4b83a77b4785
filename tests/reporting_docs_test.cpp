// docs/reporting.md: every ```sql block under its ### heading, run against the seeded
// history of reporting_history.cpp, returns the hand-worked answer stated here.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "reporting_history.hpp"

using namespace codeguru::test;
using std::chrono::sys_seconds;

namespace {

// (heading, sql) for each ```sql block, in document order.
std::vector<std::pair<std::string, std::string>> documented_queries() {
    std::ifstream in(CODEGURU_SOURCE_DIR "/docs/reporting.md");
    REQUIRE(in);
    std::vector<std::pair<std::string, std::string>> queries;
    std::string heading, line;
    bool in_sql = false;
    while (std::getline(in, line)) {
        if (in_sql) {
            if (line == "```") {
                in_sql = false;
            } else {
                queries.back().second += line + "\n";
            }
        } else if (line.rfind("### ", 0) == 0) {
            heading = line.substr(4);
        } else if (line == "```sql") {
            in_sql = true;
            queries.emplace_back(heading, "");
        }
    }
    return queries;
}

// Whole days from `created` to now, as open_findings.age_days counts them.
long age_days(sys_seconds created) {
    return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now() - created)
        .count();
}

}  // namespace

TEST_CASE("every documented query returns the hand-worked answer") {
    ReportingHistory h;
    const auto queries = documented_queries();
    REQUIRE(queries.size() >= 4);

    // Opened this month: beta's findings created since the first of T's month (the
    // calendar decides which); alpha's are from 2025. Counted whatever their status.
    const std::pair<const char*, int> beta_created[] = {
        {"Critical", 91}, {"High", 90}, {"High", 31}, {"Medium", 8}, {"Low", 7},
        {"Info", 0},      {"High", 40}, {"Low", 60},  {"High", 50},  {"Medium", 30}};
    std::string opened_this_month;
    for (const char* severity : {"Critical", "High", "Medium", "Low", "Info"}) {
        int count = 0;
        for (const auto& [s, k] : beta_created) {
            if (std::string(s) == severity && date_of(h.day(k)) >= month_of(h.t())) ++count;
        }
        if (count > 0)
            opened_this_month += std::string(severity) + "|" + std::to_string(count) + "\n";
    }

    // SLA: a5 (Medium, 2025-01-20) and a6 (Low, 2025-02-10) are far past 90 and 180
    // days; b1 Critical 91 > 15; b2 High 90 and b3 High 31 > 30; b4, b10, b5 within; Info
    // has no limit.
    const auto noon = [](unsigned month, unsigned day) {
        return sys_seconds{std::chrono::sys_days{std::chrono::year{2025} / month / day}} +
               std::chrono::hours(12);
    };
    const long a5 = age_days(noon(1, 20)), a6 = age_days(noon(2, 10));
    const std::string sla = "alpha|a5|Medium|" + std::to_string(a5) + "|90|" +
                            std::to_string(a5 - 90) + "\n" + "alpha|a6|Low|" + std::to_string(a6) +
                            "|180|" + std::to_string(a6 - 180) + "\n" +
                            "beta|b1|Critical|91|15|76\n"
                            "beta|b2|High|90|30|60\n"
                            "beta|b3|High|31|30|1\n";

    const std::string gamma_error =
        h.query(
             "SELECT error FROM sync_runs WHERE scan_name = 'gamma' AND outcome = 'failed' "
             "ORDER BY run_id DESC LIMIT 1")[0][0]
            .as<std::string>();

    const std::map<std::string, std::string> expected = {
        // b1 | b2 b3 | a5 b4 b10 | a6 b5 | b6.
        {"Open findings by severity, all scans", "Critical|1\nHigh|2\nMedium|3\nLow|2\nInfo|1\n"},
        {"Findings opened this month, by severity", opened_this_month},
        {"SLA breaches", sla},
        // a5 b1 b4 (users.py) + b2 (orders.py) | a6 b3 b10 | b5; b6 has no file.
        {"Open findings per directory", "src/api|4\nsrc/lib|3\ntests|1\n"},
        {"Reopened findings",
         "alpha|a3|Critical|Closed|1\nalpha|a6|Low|Open|1\nbeta|b10|Medium|Open|1\n"},
        // alpha and beta synced at T; gamma last succeeded two days ago.
        {"Scans with an overdue sync",
         "gamma|" + timestamptz_of(h.day(2)) + "|failed|2|" + gamma_error + "\n"},
        // a7 6, a1 10, a2 20 | a3 32 | a4 4.
        {"Time to close by month for one scan",
         "2025-01-01|High|3|12.0|10.0\n2025-02-01|Critical|1|32.0|32.0\n"
         "2025-02-01|Medium|1|4.0|4.0\n"},
    };

    std::set<std::string> run;
    for (const auto& [heading, sql] : queries) {
        INFO(heading << "\n" << sql);
        REQUIRE(expected.count(heading) == 1);
        CHECK(rows_text(h.query(sql)) == expected.at(heading));
        run.insert(heading);
    }
    CHECK(run.size() == expected.size());
}
