// codeguru-syncd --report's rendering (daemon/report/report_format.cpp): pure, byte for byte.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "report/report_format.hpp"

using namespace codeguru;
using namespace codeguru::report;
using std::chrono::seconds;

namespace {

Timestamp at(std::int64_t epoch_s, std::int64_t micros = 0) {
    return Timestamp{std::chrono::microseconds{epoch_s * 1000000 + micros}};
}

constexpr std::int64_t kGenerated = 1772600767;  // 2026-03-04T05:06:07Z

// alpha: one open finding of no known severity; "beta, the \"second\"", an Inspector
// project, needs CSV quoting; gamma has never synced.
Report sample_report() {
    Report report;
    report.generated_at = at(kGenerated, 250000);
    report.sync_interval = seconds(900);
    ScanSummary alpha;
    alpha.source = "codeguru";
    alpha.scan_name = "alpha";
    alpha.open_by_severity = {0, 2, 1, 0, 0};
    alpha.open_total = 4;
    alpha.closed_last_30_days = 3;
    alpha.last_success_at = at(kGenerated - 1800, 999999);
    alpha.last_success_age = seconds(1799);
    alpha.status = SyncStatus::kOk;
    ScanSummary beta;
    beta.source = "inspector";
    beta.scan_name = "beta, the \"second\"";
    beta.open_by_severity = {12, 0, 0, 0, 105};
    beta.open_total = 117;
    beta.last_success_at = at(kGenerated - 90000);
    beta.last_success_age = seconds(90000);
    beta.status = SyncStatus::kOverdue;
    ScanSummary gamma;
    gamma.source = "codeguru";
    gamma.scan_name = "gamma";
    gamma.status = SyncStatus::kNever;
    report.scans = {alpha, beta, gamma};
    return report;
}

}  // namespace

TEST_CASE("the table aligns counts right and text left, with ages for a person") {
    CHECK(format_report(sample_report(), Format::kTable) ==
          "Findings report at 2026-03-04 05:06 UTC (sync interval 15m)\n"
          "\n"
          "SOURCE     SCAN                CRITICAL  HIGH  MEDIUM  LOW  INFO  OPEN  CLOSED 30D  "
          "LAST SUCCESS          AGE    SYNC\n"
          "codeguru   alpha                      0     2       1    0     0     4           3  "
          "2026-03-04 04:36 UTC  29m    ok\n"
          "inspector  beta, the \"second\"        12     0       0    0   105   117           0  "
          "2026-03-03 04:06 UTC  1d 1h  overdue\n"
          "codeguru   gamma                      0     0       0    0     0     0           0  "
          "-                     -      never\n");
}

TEST_CASE("the CSV has a header, quotes only where RFC 4180 needs it and ends lines in CRLF") {
    CHECK(format_report(sample_report(), Format::kCsv) ==
          "source,scan,critical,high,medium,low,info,open,closed_last_30_days,last_success_at,"
          "last_success_age_s,sync_status\r\n"
          "codeguru,alpha,0,2,1,0,0,4,3,2026-03-04T04:36:07Z,1799,ok\r\n"
          "inspector,\"beta, the \"\"second\"\"\",12,0,0,0,105,117,0,2026-03-03T04:06:07Z,90000,"
          "overdue\r\n"
          "codeguru,gamma,0,0,0,0,0,0,0,,,never\r\n");
}

TEST_CASE("the JSON keeps every field, with null for a scan never synced") {
    const std::string text = format_report(sample_report(), Format::kJson);
    CHECK(text.back() == '\n');
    CHECK(nlohmann::json::parse(text) == nlohmann::json::parse(R"({
        "generated_at": "2026-03-04T05:06:07Z", "sync_interval_s": 900,
        "scans": [
          {"source": "codeguru", "scan": "alpha",
           "open": {"Critical": 0, "High": 2, "Medium": 1, "Low": 0, "Info": 0, "total": 4},
           "closed_last_30_days": 3, "last_success_at": "2026-03-04T04:36:07Z",
           "last_success_age_s": 1799, "sync_status": "ok"},
          {"source": "inspector", "scan": "beta, the \"second\"",
           "open": {"Critical": 12, "High": 0, "Medium": 0, "Low": 0, "Info": 105, "total": 117},
           "closed_last_30_days": 0, "last_success_at": "2026-03-03T04:06:07Z",
           "last_success_age_s": 90000, "sync_status": "overdue"},
          {"source": "codeguru", "scan": "gamma",
           "open": {"Critical": 0, "High": 0, "Medium": 0, "Low": 0, "Info": 0, "total": 0},
           "closed_last_30_days": 0, "last_success_at": null, "last_success_age_s": null,
           "sync_status": "never"}]})"));
    // Keys stay in the documented order.
    CHECK(text.find("\"source\"") < text.find("\"scan\""));
    CHECK(text.find("\"scan\"") < text.find("\"open\""));
    CHECK(text.find("\"Critical\"") < text.find("\"Info\""));
}

TEST_CASE("an empty report still has its headers") {
    Report report;
    report.generated_at = at(kGenerated);
    report.sync_interval = seconds(3600);
    CHECK(format_report(report, Format::kCsv) ==
          "source,scan,critical,high,medium,low,info,open,closed_last_30_days,last_success_at,"
          "last_success_age_s,sync_status\r\n");
    CHECK(format_report(report, Format::kTable) ==
          "Findings report at 2026-03-04 05:06 UTC (sync interval 1h 0m)\n\n"
          "SOURCE  SCAN  CRITICAL  HIGH  MEDIUM  LOW  INFO  OPEN  CLOSED 30D  LAST SUCCESS  AGE  "
          "SYNC\n");
    CHECK(nlohmann::json::parse(format_report(report, Format::kJson))["scans"] ==
          nlohmann::json::array());
}

TEST_CASE("ages read in at most two units") {
    const std::pair<long, const char*> cases[] = {
        {0, "0s"},        {59, "59s"},       {60, "1m"},           {3599, "59m"},
        {3600, "1h 0m"},  {3661, "1h 1m"},   {86399, "23h 59m"},   {86400, "1d 0h"},
        {90000, "1d 1h"}, {172800, "2d 0h"}, {8640000, "100d 0h"},
    };
    for (const auto& [s, text] : cases) {
        CAPTURE(s);
        CHECK(describe_age(seconds(s)) == text);
    }
}

TEST_CASE("times are ISO 8601 UTC to the whole second, truncated") {
    CHECK(iso8601(at(0)) == "1970-01-01T00:00:00Z");
    CHECK(iso8601(at(kGenerated, 999999)) == "2026-03-04T05:06:07Z");
    CHECK(iso8601(at(951782400)) == "2000-02-29T00:00:00Z");
}

TEST_CASE("formats parse by their exact names") {
    CHECK(parse_format("table") == Format::kTable);
    CHECK(parse_format("csv") == Format::kCsv);
    CHECK(parse_format("json") == Format::kJson);
    CHECK_FALSE(parse_format("JSON").has_value());
    CHECK_FALSE(parse_format("").has_value());
}

TEST_CASE("a sync is overdue once its last success is more than two intervals old") {
    const auto some = std::optional<Timestamp>(at(kGenerated));
    CHECK(sync_status(std::nullopt, seconds(0), seconds(900)) == SyncStatus::kNever);
    CHECK(sync_status(some, seconds(0), seconds(900)) == SyncStatus::kOk);
    CHECK(sync_status(some, seconds(1800), seconds(900)) == SyncStatus::kOk);
    CHECK(sync_status(some, seconds(1801), seconds(900)) == SyncStatus::kOverdue);
    CHECK(std::string(to_string(SyncStatus::kOverdue)) == "overdue");
}
