// The reporting views (schema/002_reporting_views.sql, recreated over both sources by
// schema/007_reporting_sources.sql) against the seeded history of reporting_history.cpp:
// the CodeGuru scans' numbers, unchanged since version 2, under source 'codeguru'. Every
// expected number below is worked out by hand from the history.
// reporting_sources_test.cpp has the Inspector side.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reporting_history.hpp"

using namespace codeguru::test;

TEST_CASE("open findings by scan and severity leave out closed and vanished findings") {
    ReportingHistory h;
    // alpha: a5 Medium, a6 Low (reopened). beta: b1 Critical; b2, b3 High (b9 vanished,
    // b7 closed); b4, b10 Medium (b10 reopened); b5 Low; b6 Info.
    CHECK(rows_text(h.query("SELECT scan_name, severity, severity_rank, open_findings "
                            "FROM open_findings_by_severity WHERE source = 'codeguru' "
                            "ORDER BY scan_name, severity_rank")) ==
          "alpha|Medium|3|1\n"
          "alpha|Low|4|1\n"
          "beta|Critical|1|1\n"
          "beta|High|2|2\n"
          "beta|Medium|3|2\n"
          "beta|Low|4|1\n"
          "beta|Info|5|1\n");
    CHECK(rows_text(h.query("SELECT finding_id, age_days FROM open_findings "
                            "WHERE scan_name = 'beta' ORDER BY age_days")) ==
          "b6|0\nb5|7\nb4|8\nb10|30\nb3|31\nb2|90\nb1|91\n");
}

TEST_CASE("open findings fall into age buckets by whole days since creation") {
    ReportingHistory h;
    // Ages: a5, a6 created in 2025 (>90); b1 91; b2 90 and b3 31; b4 8 and b10 30; b5 7; b6 0.
    CHECK(rows_text(h.query("SELECT scan_name, severity, age_bucket, bucket_order, open_findings "
                            "FROM open_findings_by_age WHERE source = 'codeguru' "
                            "ORDER BY scan_name, severity_rank, bucket_order")) ==
          "alpha|Medium|>90 days|4|1\n"
          "alpha|Low|>90 days|4|1\n"
          "beta|Critical|>90 days|4|1\n"
          "beta|High|31-90 days|3|2\n"
          "beta|Medium|8-30 days|2|2\n"
          "beta|Low|0-7 days|1|1\n"
          "beta|Info|0-7 days|1|1\n");
}

TEST_CASE("time to close runs from creation to the first close after the last reopen") {
    ReportingHistory h;
    // a3: created 01-10, closed 01-13, reopened 02-01, closed 02-11: 32 days, one reopen.
    // a6 and b10 were reopened and are open: no close time. b7: day 40 to day 5.
    CHECK(rows_text(h.query(
              "SELECT scan_name, finding_id, severity, closed_at, time_to_close, days_to_close, "
              "reopen_count FROM finding_close_times WHERE source = 'codeguru' "
              "ORDER BY scan_name, finding_id COLLATE \"C\"")) ==
          "alpha|a1|High|2025-01-11 12:00:00+00|10 days|10|0\n"
          "alpha|a2|High|2025-01-25 12:00:00+00|20 days|20|0\n"
          "alpha|a3|Critical|2025-02-11 12:00:00+00|32 days|32|1\n"
          "alpha|a4|Medium|2025-02-05 12:00:00+00|4 days|4|0\n"
          "alpha|a5|Medium|NULL|NULL|NULL|0\n"
          "alpha|a6|Low|NULL|NULL|NULL|1\n"
          "alpha|a7|High|2025-01-08 12:00:00+00|6 days|6|0\n"
          "beta|b1|Critical|NULL|NULL|NULL|0\n"
          "beta|b10|Medium|NULL|NULL|NULL|1\n"
          "beta|b2|High|NULL|NULL|NULL|0\n"
          "beta|b3|High|NULL|NULL|NULL|0\n"
          "beta|b4|Medium|NULL|NULL|NULL|0\n"
          "beta|b5|Low|NULL|NULL|NULL|0\n"
          "beta|b6|Info|NULL|NULL|NULL|0\n"
          "beta|b7|High|" +
              timestamptz_of(h.day(5)) +
              "|35 days|35|0\n"
              "beta|b8|Low|" +
              timestamptz_of(h.day(35)) +
              "|25 days|25|0\n"
              "beta|b9|High|NULL|NULL|NULL|0\n");
}

TEST_CASE("mean and median time to close are per month of closing and severity") {
    ReportingHistory h;
    // 2025-01 High: a7 6, a1 10, a2 20 days: mean 12, median 10. 2025-02: a3 Critical 32,
    // a4 Medium 4. Then b8 Low 25 (closed day 35) and b7 High 35 (closed day 5).
    std::vector<std::pair<std::string, std::string>> expected = {
        {"2025-01-01|2", "2025-01-01|High|3|12 days|10 days|12.00|10.00"},
        {"2025-02-01|1", "2025-02-01|Critical|1|32 days|32 days|32.00|32.00"},
        {"2025-02-01|3", "2025-02-01|Medium|1|4 days|4 days|4.00|4.00"},
        {month_of(h.day(35)) + "|4", month_of(h.day(35)) + "|Low|1|25 days|25 days|25.00|25.00"},
        {month_of(h.day(5)) + "|2", month_of(h.day(5)) + "|High|1|35 days|35 days|35.00|35.00"},
    };
    std::sort(expected.begin(), expected.end());
    std::string text;
    for (const auto& row : expected) text += row.second + "\n";
    CHECK(rows_text(h.query("SELECT month, severity, closed_findings, mean_time_to_close, "
                            "median_time_to_close, mean_days, median_days "
                            "FROM time_to_close_by_month WHERE source = 'codeguru' "
                            "ORDER BY month, severity_rank")) == text);
}

TEST_CASE("status changes count closes and reopens between observed versions") {
    ReportingHistory h;
    // alpha closes: a1, a7, a2, a3 twice, a4, a6; reopens: a3, a6. beta closes: b7, b8,
    // b10; reopens: b10.
    CHECK(rows_text(h.query("SELECT scan_name, change, count(*) FROM finding_status_changes "
                            "WHERE source = 'codeguru' GROUP BY 1, 2 ORDER BY 1, 2")) ==
          "alpha|closed|7\nalpha|reopened|2\nbeta|closed|3\nbeta|reopened|1\n");
}

TEST_CASE("daily activity counts new, closed and reopened findings per calendar day") {
    ReportingHistory h;
    std::string beta;
    // Days before T, oldest first: new, closed, reopened.
    const std::vector<std::pair<int, std::string>> beta_days = {
        {91, "1|0|0"}, {90, "1|0|0"}, {60, "1|0|0"}, {50, "1|0|0"}, {40, "1|0|0"},
        {35, "0|1|0"}, {31, "1|0|0"}, {30, "1|0|0"}, {25, "0|1|0"}, {8, "1|0|1"},
        {7, "1|0|0"},  {5, "0|1|0"},  {0, "1|0|0"}};
    for (const auto& [k, counts] : beta_days)
        beta += "beta|" + date_of(h.day(k)) + "|" + counts + "\n";
    CHECK(rows_text(h.query("SELECT scan_name, day, new_findings, closed_findings, "
                            "reopened_findings FROM daily_finding_activity "
                            "WHERE source = 'codeguru' ORDER BY scan_name, day")) ==
          "alpha|2025-01-01|1|0|0\n"
          "alpha|2025-01-02|1|0|0\n"
          "alpha|2025-01-05|1|0|0\n"
          "alpha|2025-01-08|0|1|0\n"
          "alpha|2025-01-10|1|0|0\n"
          "alpha|2025-01-11|0|1|0\n"
          "alpha|2025-01-13|0|1|0\n"
          "alpha|2025-01-20|1|0|0\n"
          "alpha|2025-01-25|0|1|0\n"
          "alpha|2025-02-01|1|0|1\n"
          "alpha|2025-02-05|0|1|0\n"
          "alpha|2025-02-10|1|0|0\n"
          "alpha|2025-02-11|0|1|0\n"
          "alpha|2025-02-12|0|1|0\n"
          "alpha|2025-02-20|0|0|1\n" +
              beta);
}

TEST_CASE("detectors, rules and files are ranked by open findings") {
    ReportingHistory h;
    CHECK(rows_text(
              h.query("SELECT scan_name, detector_id, detector_name, open_findings "
                      "FROM open_findings_by_detector WHERE source = 'codeguru' ORDER BY 1, 2")) ==
          "alpha|python/hardcoded-credentials|hardcoded-credentials|1\n"
          "alpha|python/sql-injection|sql-injection|1\n"
          "beta|python/hardcoded-credentials|hardcoded-credentials|2\n"
          "beta|python/log-injection|log-injection|2\n"
          "beta|python/sql-injection|sql-injection|3\n");
    CHECK(
        rows_text(h.query("SELECT scan_name, rule_id, open_findings "
                          "FROM open_findings_by_rule WHERE source = 'codeguru' ORDER BY 1, 2")) ==
        "alpha|py-hardcoded-secret|1\n"
        "alpha|py-sqli|1\n"
        "beta|py-hardcoded-secret|2\n"
        "beta|py-log|2\n"
        "beta|py-sqli|3\n");
    // b6 has no file; b9 (src/api/users.py) vanished.
    CHECK(
        rows_text(h.query("SELECT scan_name, file_path, open_findings "
                          "FROM open_findings_by_file WHERE source = 'codeguru' ORDER BY 1, 2")) ==
        "alpha|src/api/users.py|1\n"
        "alpha|src/lib/db.py|1\n"
        "beta|src/api/orders.py|1\n"
        "beta|src/api/users.py|2\n"
        "beta|src/lib/db.py|2\n"
        "beta|tests/test_auth.py|1\n");
}

TEST_CASE("sync health shows the last success, its age, the last error and recent failures") {
    ReportingHistory h;
    const std::string t = timestamptz_of(h.t());
    const std::string hour_ago = timestamptz_of(h.t() - std::chrono::hours(1));
    CHECK(rows_text(h.query("SELECT scan_name, last_run_started_at, last_run_outcome, "
                            "last_success_at, last_failure_at, runs_failed_last_day "
                            "FROM sync_health WHERE source = 'codeguru' ORDER BY scan_name")) ==
          "alpha|" + t + "|succeeded|" + t + "|NULL|0\n" +  //
              "beta|" + t + "|succeeded|" + t + "|NULL|0\n" + "gamma|" + hour_ago + "|failed|" +
              timestamptz_of(h.day(2)) + "|" + hour_ago + "|2\n");
    const auto health = h.query(
        "SELECT last_error, last_success_age = now() - last_success_at, last_success_age_s "
        "FROM sync_health WHERE source = 'codeguru' ORDER BY scan_name");
    CHECK(health[0][0].is_null());
    CHECK(health[0][1].as<bool>());
    CHECK(health[0][2].as<long>() >= 0);
    CHECK(health[0][2].as<long>() < 3600);
    CHECK_THAT(health[2][0].as<std::string>(), Catch::Contains("AccessDenied"));
    CHECK(health[2][2].as<long>() >= 2 * 86400);
    CHECK(health[2][2].as<long>() < 2 * 86400 + 3600);
}
