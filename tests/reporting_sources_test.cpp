// Migration 7 (schema/007_reporting_sources.sql): code_findings and code_finding_versions
// in one vocabulary, the reporting views over both sources and the Inspector code security
// views, against the seeded history of reporting_history.cpp (its Inspector part in
// reporting_inspector_history.cpp). Every expected value is worked out by hand from it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "reporting_history.hpp"

using namespace codeguru::test;

namespace {

// The ARN's last part: "f01" for the history's first Inspector finding.
constexpr char kId[] = "split_part(finding_id, '/', 2)";

std::string id_query(const std::string& columns, const std::string& rest) {
    return "SELECT " + std::string(kId) + ", " + columns + " " + rest;
}

}  // namespace

TEST_CASE("code_findings maps Inspector code findings into CodeGuru's vocabulary") {
    ReportingHistory h;
    const auto at = [&h](int k) { return timestamptz_of(h.day(k)); };
    // f09 is a PACKAGE_VULNERABILITY: no code finding. INFORMATIONAL is Info, UNTRIAGED
    // NULL, ACTIVE Open; created_at is firstObservedAt. f08 vanished 15 days ago.
    CHECK(rows_text(h.query(
              id_query("project, region, account_id, severity, status, created_at, missing_since",
                       "FROM code_findings WHERE source = 'inspector' ORDER BY 1"))) ==
          "f01|shop-web|us-east-1|123456789012|Critical|Open|" + at(20) + "|NULL\n" +
              "f02|shop-web|us-east-1|123456789012|High|Closed|" + at(45) + "|NULL\n" +
              "f03|shop-web|us-east-1|123456789012|High|Open|" + at(10) + "|NULL\n" +
              "f04|shop-web|us-east-1|123456789012|Medium|Suppressed|" + at(100) + "|NULL\n" +
              "f05|payments-api|us-east-1|123456789012|Info|Open|" + at(3) + "|NULL\n" +
              "f06|payments-api|us-east-1|123456789012|NULL|Open|" + at(5) + "|NULL\n" +
              "f07|payments-api|us-east-1|123456789012|Low|Closed|" + at(30) + "|NULL\n" +
              "f08|payments-api|us-east-1|123456789012|High|Open|" + at(50) + "|" + at(15) + "\n" +
              "f10|shop-web|eu-west-1|123456789012|Medium|Open|" + at(95) + "|NULL\n" +
              "f11|shop-web|us-east-1|123456789012|High|Closed|2025-03-01 12:00:00+00|NULL\n" +
              "f12|payments-api|us-east-1|123456789012|High|Closed|2025-03-10 12:00:00+00|NULL\n");
    // The columns migration 7 appends: detector_id, and first_seen_at (the first sync:
    // an hour after creation, never after T).
    CHECK(
        rows_text(h.query(id_query("detector_id, detector_name, rule_id, file_path, first_seen_at",
                                   "FROM code_findings WHERE " + std::string(kId) + " = 'f01'"))) ==
        "f01|javascript/sql-injection@v1.0|SQL injection|javascript-sql-injection|src/db.js|" +
            timestamptz_of(h.day(20) + std::chrono::hours(1)) + "\n");
    CHECK(rows_text(h.query("SELECT finding_id, detector_id, created_at, first_seen_at "
                            "FROM code_findings WHERE source = 'codeguru' "
                            "AND finding_id IN ('a1', 'b6') ORDER BY 1")) ==
          "a1|python/log-injection|2025-01-01 12:00:00+00|2025-01-01 13:00:00+00\n"
          "b6|python/log-injection|" +
              timestamptz_of(h.t()) + "|" + timestamptz_of(h.t()) + "\n");
    // alpha 7 and beta 10 CodeGuru findings.
    CHECK(rows_text(h.query("SELECT source, count(*) FROM code_findings GROUP BY 1 ORDER BY 1")) ==
          "codeguru|17\ninspector|11\n");
}

TEST_CASE("code_finding_versions lists both sources' observed versions in one vocabulary") {
    ReportingHistory h;
    const auto at = [&h](int k) { return timestamptz_of(h.day(k)); };
    const auto observed = [&h](int k) {
        return timestamptz_of(std::min(h.day(k) + std::chrono::hours(1), h.t()));
    };
    CHECK(rows_text(h.query("SELECT source, project, updated_at, status, severity, title, "
                            "observed_at FROM code_finding_versions "
                            "WHERE finding_id LIKE '%/f07' ORDER BY updated_at")) ==
          "inspector|payments-api|" + at(30) + "|Open|Low|LOW finding f07|" + observed(30) + "\n" +
              "inspector|payments-api|" + at(26) + "|Closed|Low|LOW finding f07|" + observed(26) +
              "\n" + "inspector|payments-api|" + at(12) + "|Open|Low|LOW finding f07|" +
              observed(12) + "\n" + "inspector|payments-api|" + at(2) +
              "|Closed|Low|LOW finding f07|" + observed(2) + "\n");
    CHECK(rows_text(h.query("SELECT status FROM code_finding_versions "
                            "WHERE finding_id LIKE '%/f04' ORDER BY updated_at")) ==
          "Open\nSuppressed\n");
    // CodeGuru: alpha 2+2+2+4+2+1+3, beta 1+1+1+1+1+1+2+2+1+3 versions. Inspector: 18, none
    // of f09 (no code finding).
    CHECK(rows_text(
              h.query("SELECT source, count(*), count(*) FILTER (WHERE finding_id LIKE '%/f09') "
                      "FROM code_finding_versions GROUP BY 1 ORDER BY 1")) ==
          "codeguru|30|0\ninspector|18|0\n");
}

TEST_CASE("open findings by severity and age cover Inspector projects under their source") {
    ReportingHistory h;
    // f02 f07 f11 f12 closed, f04 suppressed, f08 vanished, f09 no code finding; f06 is
    // UNTRIAGED: no severity, ranked 6.
    CHECK(rows_text(h.query("SELECT source, scan_name, severity, severity_rank, open_findings "
                            "FROM open_findings_by_severity WHERE source = 'inspector' "
                            "ORDER BY scan_name, severity_rank")) ==
          "inspector|payments-api|Info|5|1\n"
          "inspector|payments-api|NULL|6|1\n"
          "inspector|shop-web|Critical|1|1\n"
          "inspector|shop-web|High|2|1\n"
          "inspector|shop-web|Medium|3|1\n");
    CHECK(rows_text(h.query(id_query("age_days, opened_at = created_at",
                                     "FROM open_findings AS o JOIN code_findings AS c "
                                     "USING (source, finding_id) WHERE source = 'inspector' "
                                     "ORDER BY age_days"))) ==
          "f05|3|t\nf06|5|t\nf03|10|t\nf01|20|t\nf10|95|t\n");
    CHECK(rows_text(h.query("SELECT scan_name, severity, age_bucket, bucket_order, open_findings "
                            "FROM open_findings_by_age WHERE source = 'inspector' "
                            "ORDER BY scan_name, severity_rank, bucket_order")) ==
          "payments-api|Info|0-7 days|1|1\n"
          "payments-api|NULL|0-7 days|1|1\n"
          "shop-web|Critical|8-30 days|2|1\n"
          "shop-web|High|8-30 days|2|1\n"
          "shop-web|Medium|>90 days|4|1\n");
}

TEST_CASE("an Inspector finding's time to close runs from first observed to its last close") {
    ReportingHistory h;
    // f02: 45 to 33 days ago. f07: opened 30 days ago, closed, reopened, closed 2 days
    // ago: 28 days, one reopen. f11 and f12 in March 2025. f04 is suppressed: not closed.
    CHECK(rows_text(h.query(id_query("scan_name, severity, status, closed_at, time_to_close, "
                                     "days_to_close, reopen_count",
                                     "FROM finding_close_times WHERE source = 'inspector' "
                                     "ORDER BY 1"))) ==
          "f01|shop-web|Critical|Open|NULL|NULL|NULL|0\n"
          "f02|shop-web|High|Closed|" +
              timestamptz_of(h.day(33)) +
              "|12 days|12|0\n"
              "f03|shop-web|High|Open|NULL|NULL|NULL|0\n"
              "f04|shop-web|Medium|Suppressed|NULL|NULL|NULL|0\n"
              "f05|payments-api|Info|Open|NULL|NULL|NULL|0\n"
              "f06|payments-api|NULL|Open|NULL|NULL|NULL|0\n"
              "f07|payments-api|Low|Closed|" +
              timestamptz_of(h.day(2)) +
              "|28 days|28|1\n"
              "f08|payments-api|High|Open|NULL|NULL|NULL|0\n"
              "f10|shop-web|Medium|Open|NULL|NULL|NULL|0\n"
              "f11|shop-web|High|Closed|2025-03-31 12:00:00+00|30 days|30|0\n"
              "f12|payments-api|High|Closed|2025-03-13 12:00:00+00|3 days|3|0\n");

    // By month of closing: March 2025 High f11 30 and f12 3 days (mean and median 16.5);
    // f02 High 12 days; f07 Low 28 days.
    std::vector<std::pair<std::string, std::string>> expected = {
        {"2025-03-01|2", "2025-03-01|High|2|16 days 12:00:00|16 days 12:00:00|16.50|16.50"},
        {month_of(h.day(33)) + "|2", month_of(h.day(33)) + "|High|1|12 days|12 days|12.00|12.00"},
        {month_of(h.day(2)) + "|4", month_of(h.day(2)) + "|Low|1|28 days|28 days|28.00|28.00"},
    };
    std::sort(expected.begin(), expected.end());
    std::string text;
    for (const auto& row : expected) text += row.second + "\n";
    CHECK(rows_text(h.query("SELECT month, severity, closed_findings, mean_time_to_close, "
                            "median_time_to_close, mean_days, median_days "
                            "FROM time_to_close_by_month WHERE source = 'inspector' "
                            "ORDER BY month, severity_rank")) == text);
}

TEST_CASE("Inspector status changes and daily activity count closes and reopens, not suppression") {
    ReportingHistory h;
    // f02 f11 closed (shop-web); f07 closed twice and reopened, f12 closed (payments-api).
    CHECK(rows_text(h.query("SELECT scan_name, change, count(*) FROM finding_status_changes "
                            "WHERE source = 'inspector' GROUP BY 1, 2 ORDER BY 1, 2")) ==
          "payments-api|closed|3\npayments-api|reopened|1\nshop-web|closed|2\n");
    // payments-api: f12 in March 2025; f08 50, f07 30 (closed 26, reopened 12, closed 2),
    // f06 5, f05 3 days ago.
    std::string payments = "payments-api|2025-03-10|1|0|0\npayments-api|2025-03-13|0|1|0\n";
    const std::vector<std::pair<int, std::string>> days = {
        {50, "1|0|0"}, {30, "1|0|0"}, {26, "0|1|0"}, {12, "0|0|1"},
        {5, "1|0|0"},  {3, "1|0|0"},  {2, "0|1|0"}};
    for (const auto& [k, counts] : days)
        payments += "payments-api|" + date_of(h.day(k)) + "|" + counts + "\n";
    CHECK(rows_text(h.query("SELECT scan_name, day, new_findings, closed_findings, "
                            "reopened_findings FROM daily_finding_activity "
                            "WHERE source = 'inspector' AND scan_name = 'payments-api' "
                            "ORDER BY day")) == payments);
    // shop-web: f01 f02 f03 f04 f10 f11 new, f02 f11 closed.
    CHECK(rows_text(h.query("SELECT sum(new_findings), sum(closed_findings), "
                            "sum(reopened_findings) FROM daily_finding_activity "
                            "WHERE source = 'inspector' AND scan_name = 'shop-web'")) == "6|2|0\n");
}

TEST_CASE("Inspector detectors, rules and files are ranked by open findings") {
    ReportingHistory h;
    CHECK(rows_text(h.query("SELECT scan_name, detector_id, detector_name, open_findings "
                            "FROM open_findings_by_detector WHERE source = 'inspector' "
                            "ORDER BY 1, 2")) ==
          "payments-api|python/hardcoded-credentials@v1.0|Hardcoded credentials|1\n"
          "payments-api|python/log-injection@v1.0|Log injection|1\n"
          "shop-web|javascript/cross-site-scripting@v1.0|Cross-site scripting|1\n"
          "shop-web|javascript/sql-injection@v1.0|SQL injection|2\n");
    CHECK(rows_text(h.query("SELECT scan_name, rule_id, open_findings FROM open_findings_by_rule "
                            "WHERE source = 'inspector' ORDER BY 1, 2")) ==
          "payments-api|python-hardcoded-credentials|1\n"
          "payments-api|python-log-injection|1\n"
          "shop-web|javascript-sql-injection|2\n"
          "shop-web|javascript-xss|1\n");
    CHECK(rows_text(h.query("SELECT scan_name, file_path, open_findings FROM open_findings_by_file "
                            "WHERE source = 'inspector' ORDER BY 1, 2")) ==
          "payments-api|app/audit.py|1\n"
          "payments-api|app/settings.py|1\n"
          "shop-web|src/db.js|2\n"
          "shop-web|src/views/search.js|1\n");
}

TEST_CASE("open code findings are counted per repository and CWE, once under each CWE") {
    ReportingHistory h;
    // Open: f01 CWE-89, f03 CWE-79, f10 CWE-89 and CWE-22 (shop-web); f05 none, f06
    // CWE-798 (payments-api). Closed f02 (CWE-79, CWE-80) and vanished f08 are left out.
    CHECK(rows_text(h.query("SELECT source, project, cwe, open_findings "
                            "FROM open_code_findings_by_repository_cwe ORDER BY 2, 3")) ==
          "inspector|payments-api|CWE-798|1\n"
          "inspector|payments-api|NULL|1\n"
          "inspector|shop-web|CWE-22|1\n"
          "inspector|shop-web|CWE-79|1\n"
          "inspector|shop-web|CWE-89|2\n");
    CHECK(rows_text(h.query("SELECT source, cwe, repositories, open_findings "
                            "FROM open_code_findings_by_cwe ORDER BY cwe")) ==
          "inspector|CWE-22|1|1\n"
          "inspector|CWE-79|1|1\n"
          "inspector|CWE-798|1|1\n"
          "inspector|CWE-89|1|2\n"
          "inspector|NULL|1|1\n");
    // A second repository with CWE-89 counts there too.
    h.query("UPDATE inspector_finding_cwes SET cwe = 'CWE-89' WHERE finding_arn = '" +
            inspector_arn("us-east-1", "f06") + "'");
    CHECK(rows_text(h.query("SELECT repositories, open_findings FROM open_code_findings_by_cwe "
                            "WHERE cwe = 'CWE-89'")) == "2|3\n");
}

TEST_CASE("a CodeGuru scan and an Inspector project of the same name stay apart") {
    ReportingHistory h;
    h.query(
        "INSERT INTO findings (scan_name, finding_id, created_at, updated_at, status, severity, "
        "first_seen_at, last_changed_at) VALUES ('payments-api', 'c1', now() - interval '4 days', "
        "now() - interval '4 days', 'Open', 'Info', now(), now());"
        "INSERT INTO finding_versions (scan_name, finding_id, updated_at, status, severity, "
        "observed_at) VALUES ('payments-api', 'c1', now() - interval '4 days', 'Open', 'Info', "
        "now())");
    CHECK(rows_text(h.query("SELECT source, severity, open_findings FROM open_findings_by_severity "
                            "WHERE scan_name = 'payments-api' ORDER BY source, severity_rank")) ==
          "codeguru|Info|1\ninspector|Info|1\ninspector|NULL|1\n");
    CHECK(rows_text(h.query("SELECT source, count(*) FROM finding_close_times "
                            "WHERE scan_name = 'payments-api' GROUP BY 1 ORDER BY 1")) ==
          "codeguru|1\ninspector|5\n");
    CHECK(rows_text(h.query("SELECT source, sum(new_findings) FROM daily_finding_activity "
                            "WHERE scan_name = 'payments-api' GROUP BY 1 ORDER BY 1")) ==
          "codeguru|1\ninspector|5\n");
}
