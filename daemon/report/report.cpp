#include "report/report.hpp"

namespace codeguru::report {

const char* to_string(SyncStatus status) {
    switch (status) {
        case SyncStatus::kOk:
            return "ok";
        case SyncStatus::kOverdue:
            return "overdue";
        case SyncStatus::kNever:
            return "never";
    }
    return "never";
}

SyncStatus sync_status(const std::optional<Timestamp>& last_success_at, std::chrono::seconds age,
                       std::chrono::seconds interval) {
    if (!last_success_at) return SyncStatus::kNever;
    return age > 2 * interval ? SyncStatus::kOverdue : SyncStatus::kOk;
}

}  // namespace codeguru::report
