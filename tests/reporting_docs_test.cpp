// docs/reporting.md: every ```sql block under its ### heading, run against the seeded
// history of reporting_history.cpp (both sources), returns the hand-worked answer stated
// here.
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

    // Opened this month: beta's findings and Inspector's code findings created since the
    // first of T's month (the calendar decides which); alpha's, f11's and f12's are from
    // 2025. Counted whatever their status; f06 is untriaged (no severity, ranked last).
    const auto opened_this_month = [&h](const std::string& source,
                                        const std::vector<std::pair<const char*, int>>& created) {
        std::string text;
        for (const char* severity : {"Critical", "High", "Medium", "Low", "Info", "NULL"}) {
            int count = 0;
            for (const auto& [s, k] : created) {
                if (std::string(s) == severity && date_of(h.day(k)) >= month_of(h.t())) ++count;
            }
            if (count > 0) text += source + "|" + severity + "|" + std::to_string(count) + "\n";
        }
        return text;
    };
    const std::string opened = opened_this_month("codeguru", {{"Critical", 91},
                                                              {"High", 90},
                                                              {"High", 31},
                                                              {"Medium", 8},
                                                              {"Low", 7},
                                                              {"Info", 0},
                                                              {"High", 40},
                                                              {"Low", 60},
                                                              {"High", 50},
                                                              {"Medium", 30}}) +
                               opened_this_month("inspector", {{"Critical", 20},
                                                               {"High", 45},
                                                               {"High", 10},
                                                               {"Medium", 100},
                                                               {"Info", 3},
                                                               {"NULL", 5},
                                                               {"Low", 30},
                                                               {"High", 50},
                                                               {"Medium", 95}});

    // SLA: a5 (Medium, 2025-01-20) and a6 (Low, 2025-02-10) are far past 90 and 180
    // days; b1 Critical 91 > 15; b2 High 90 and b3 High 31 > 30; b4, b10, b5 within; Info
    // has no limit. Inspector: f10 Medium 95 > 90 and f01 Critical 20 > 15 (eu-west-1's
    // ARN sorts first); f03 High 10 within; f05 Info and f06 untriaged have no limit.
    const auto noon = [](unsigned month, unsigned day) {
        return sys_seconds{std::chrono::sys_days{std::chrono::year{2025} / month / day}} +
               std::chrono::hours(12);
    };
    const long a5 = age_days(noon(1, 20)), a6 = age_days(noon(2, 10));
    const std::string sla = "codeguru|alpha|a5|Medium|" + std::to_string(a5) + "|90|" +
                            std::to_string(a5 - 90) + "\n" + "codeguru|alpha|a6|Low|" +
                            std::to_string(a6) + "|180|" + std::to_string(a6 - 180) + "\n" +
                            "codeguru|beta|b1|Critical|91|15|76\n"
                            "codeguru|beta|b2|High|90|30|60\n"
                            "inspector|shop-web|" +
                            inspector_arn("eu-west-1", "f10") +
                            "|Medium|95|90|5\n"
                            "inspector|shop-web|" +
                            inspector_arn("us-east-1", "f01") +
                            "|Critical|20|15|5\n"
                            "codeguru|beta|b3|High|31|30|1\n";

    const std::string gamma_error =
        h.query(
             "SELECT error FROM sync_runs WHERE scan_name = 'gamma' AND outcome = 'failed' "
             "ORDER BY run_id DESC LIMIT 1")[0][0]
            .as<std::string>();

    const std::map<std::string, std::string> expected = {
        // b1 | b2 b3 | a5 b4 b10 | a6 b5 | b6. f01 | f03 | f10 | f05 | f06 untriaged.
        {"Open findings by source and severity",
         "codeguru|Critical|1\ncodeguru|High|2\ncodeguru|Medium|3\ncodeguru|Low|2\n"
         "codeguru|Info|1\n"
         "inspector|Critical|1\ninspector|High|1\ninspector|Medium|1\ninspector|Info|1\n"
         "inspector|NULL|1\n"},
        {"Findings opened this month, by severity", opened},
        {"SLA breaches", sla},
        // a5 b1 b4 (users.py) + b2 (orders.py) | a6 b3 b10 | b5; b6 has no file. f05 f06 |
        // f01 f10 (src/db.js) | f03.
        {"Open findings per directory",
         "codeguru|src/api|4\ncodeguru|src/lib|3\ncodeguru|tests|1\n"
         "inspector|app|2\ninspector|src|2\ninspector|src/views|1\n"},
        {"Reopened findings",
         "codeguru|alpha|a3|Critical|Closed|1\ncodeguru|alpha|a6|Low|Open|1\n"
         "codeguru|beta|b10|Medium|Open|1\ninspector|payments-api|" +
             inspector_arn("us-east-1", "f07") + "|Low|Closed|1\n"},
        // alpha, beta and us-east-1 synced at T; gamma and eu-west-1 last succeeded two days
        // ago.
        {"Scans with an overdue sync", "codeguru|gamma|" + timestamptz_of(h.day(2)) + "|failed|2|" +
                                           gamma_error + "\n" + "inspector|eu-west-1|" +
                                           timestamptz_of(h.day(2)) + "|succeeded|0|NULL\n"},
        // a7 6, a1 10, a2 20 | a3 32 | a4 4.
        {"Time to close by month for one scan",
         "2025-01-01|High|3|12.0|10.0\n2025-02-01|Critical|1|32.0|32.0\n"
         "2025-02-01|Medium|1|4.0|4.0\n"},
        // CodeGuru: a3 32 | a7 6, a1 10, a2 20, b7 35: median 15, p90 20 + 0.7 * 15 | a4 4 |
        // b8 25. Inspector: f12 3, f02 12, f11 30: median 12, p90 12 + 0.8 * 18 | f07 28.
        {"Time to close by severity: median and 90th percentile",
         "codeguru|Critical|1|32.0|32.0\ncodeguru|High|4|15.0|30.5\ncodeguru|Medium|1|4.0|4.0\n"
         "codeguru|Low|1|25.0|25.0\ninspector|High|3|12.0|26.4\ninspector|Low|1|28.0|28.0\n"},
        // Open: f01 CWE-89, f03 CWE-79, f10 CWE-89 and CWE-22 (shop-web); f05 none, f06
        // CWE-798 (payments-api).
        {"Open code findings by repository and CWE",
         "shop-web|CWE-89|2\npayments-api|CWE-798|1\npayments-api|NULL|1\nshop-web|CWE-22|1\n"
         "shop-web|CWE-79|1\n"},
        {"The most widespread CWEs", "CWE-89|1|2\nCWE-22|1|1\nCWE-79|1|1\nCWE-798|1|1\n"},
        // f01 and f03; f10 is Medium.
        {"Open critical and high code findings of one repository",
         "Critical|20|CRITICAL finding f01|src/db.js|12|CWE-89\n"
         "High|10|HIGH finding f03|src/views/search.js|12|CWE-79\n"},
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
