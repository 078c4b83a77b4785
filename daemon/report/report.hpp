#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/codeguru/finding.hpp"

namespace codeguru::report {

// The severities a report counts separately, in column order.
inline constexpr std::array<std::string_view, 5> kSeverities = {"Critical", "High", "Medium", "Low",
                                                                "Info"};

// Where a scan's syncing stands against the sync interval.
enum class SyncStatus {
    kOk,       // the last success is at most two intervals old
    kOverdue,  // older than that
    kNever,    // no successful sync recorded
};

const char* to_string(SyncStatus status);

// One line of `codeguru-syncd --report`: a CodeGuru scan or an Inspector project.
struct ScanSummary {
    std::string source;     // "codeguru" | "inspector"
    std::string scan_name;  // the scan, or the project (code_findings.project)
    std::array<std::int64_t, kSeverities.size()> open_by_severity{};  // kSeverities order
    std::int64_t open_total = 0;  // every open finding, also of another or no severity
    std::int64_t closed_last_30_days = 0;
    std::optional<Timestamp> last_success_at;
    std::chrono::seconds last_success_age{0};  // meaningful with last_success_at only
    SyncStatus status = SyncStatus::kNever;
};

// Which findings a report covers: sources ("codeguru", "inspector") and scan or project
// names; an empty list does not filter.
struct ReportFilter {
    std::vector<std::string> sources;
    std::vector<std::string> projects;
};

struct Report {
    Timestamp generated_at;  // the database's now()
    std::chrono::seconds sync_interval{0};
    std::vector<ScanSummary> scans;  // by source, then scan name
};

// kNever without a success; kOverdue when the success is older than two intervals (a cycle
// starts every interval and a scan's run may end anywhere in it); else kOk.
SyncStatus sync_status(const std::optional<Timestamp>& last_success_at, std::chrono::seconds age,
                       std::chrono::seconds interval);

}  // namespace codeguru::report
