#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace codeguru::report {

// What the HTML report shows, as read from the reporting views (html_report_query.hpp).
// Texts are raw database values: the renderer cleans and escapes them.

// Counts per severity in kSeverities order, then the findings of another or no severity
// (an untriaged Inspector finding).
inline constexpr std::size_t kSeverityColumns = kSeverities.size() + 1;
using SeverityCounts = std::array<std::int64_t, kSeverityColumns>;

struct TrendDay {
    std::string day;  // "YYYY-MM-DD", UTC
    SeverityCounts open{};
};

struct CloseTimes {
    std::string severity;  // "" for no severity
    std::int64_t closed = 0;
    double median_days = 0;
    double p90_days = 0;
};

struct RankedItem {
    std::string name;    // rule id, detector name, CWE, or file path
    std::string detail;  // detector id, or the file's scan or project; may be empty
    std::int64_t open = 0;
};

struct OldFinding {
    std::string severity, title, source, project, file_path;
    std::optional<std::int64_t> line;
    std::int64_t age_days = 0;
};

struct HealthLine {
    std::string source, name;  // a CodeGuru scan, or an Inspector stream (region)
    std::string last_outcome;  // of the latest run
    std::optional<Timestamp> last_success_at;
    std::chrono::seconds last_success_age{0};  // with last_success_at only
    SyncStatus status = SyncStatus::kNever;
    std::optional<std::string> last_error;
    std::int64_t failed_last_day = 0;
};

struct HtmlReportData {
    Timestamp generated_at;  // the database's now()
    std::chrono::seconds sync_interval{0};
    ReportFilter filter;
    std::int64_t code_findings = 0;  // every code finding in the filter, whatever its status
    SeverityCounts open{};
    std::int64_t new_last_7_days = 0, new_last_30_days = 0;
    std::int64_t closed_last_7_days = 0, closed_last_30_days = 0;
    std::vector<TrendDay> trend;          // the last 90 days, oldest first, today last
    std::vector<CloseTimes> close_times;  // by severity rank
    std::vector<RankedItem> top_rules, top_detectors, top_cwes, top_files;  // 10 at most each
    std::vector<OldFinding> oldest;                                         // 50 at most
    std::vector<HealthLine> health;                                         // by source, then name
};

}  // namespace codeguru::report
