#include "sync/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_set>

#include "aws/api_error.hpp"

namespace codeguru::sync {

std::string CycleSummary::describe() const {
    std::string text = std::to_string(succeeded) + " scan(s) ok, " + std::to_string(failed) +
                       " failed";
    if (interrupted > 0) text += ", " + std::to_string(interrupted) + " interrupted";
    if (skipped > 0) text += ", " + std::to_string(skipped) + " skipped";
    text += ", " + std::to_string(findings_changed) + " finding(s) changed in " +
            std::to_string(duration.count() / 1000) + "." +
            std::to_string(duration.count() % 1000 / 100) + " s";
    return text;
}

std::vector<std::string> resolve_scans(CodeGuruClient& client, const SyncSettings& settings) {
    std::vector<std::string> scans;
    std::unordered_set<std::string> seen;
    for (const auto& scan : settings.scans) {
        if (seen.insert(scan).second) scans.push_back(scan);
    }
    if (!settings.scan_prefix.empty()) {
        for (const auto& scan : client.list_scans()) {
            if (scan.rfind(settings.scan_prefix, 0) == 0 && seen.insert(scan).second) {
                scans.push_back(scan);
            }
        }
    }
    return scans;
}

Scheduler::Scheduler(CodeGuruClient& client, ConnectionFactory connect, const Clock& clock,
                     StopFlag& stop, SyncObserver* observer)
    : client_(client),
      connect_(std::move(connect)),
      clock_(clock),
      stop_(stop),
      observer_(observer) {}

CycleSummary Scheduler::run_cycle(const Settings& settings) {
    const auto started = std::chrono::steady_clock::now();
    CycleSummary summary;

    std::vector<std::string> scans;
    try {
        scans = resolve_scans(client_, settings.sync);
    } catch (const aws::ApiError& e) {
        // Without the prefix's scans the configured ones still sync; the cycle fails.
        spdlog::error("ListScans for scan_prefix \"{}\" failed: {}", settings.sync.scan_prefix,
                      e.what());
        ScanResult listing;
        listing.scan = "ListScans(" + settings.sync.scan_prefix + "*)";
        listing.outcome = e.code() == "Aborted" ? ScanResult::Outcome::kInterrupted
                                                : ScanResult::Outcome::kFailed;
        listing.error = e.what();
        summary.results.push_back(listing);
        scans = settings.sync.scans;
    }

    ScanSyncOptions options;
    options.schema = settings.database.schema;
    options.status = settings.sync.status;
    options.page_size = settings.sync.page_size;
    options.observer = observer_;
    ScanSync scan_sync(client_, connect_, clock_, stop_, options);

    const std::size_t first = summary.results.size();
    summary.results.resize(first + scans.size());
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
        for (std::size_t i = next++; i < scans.size(); i = next++) {
            if (stop_.stop_requested()) {
                summary.results[first + i].scan = scans[i];
                summary.results[first + i].outcome = ScanResult::Outcome::kInterrupted;
                summary.results[first + i].error = "stopped before the scan started";
                continue;
            }
            summary.results[first + i] = scan_sync.run(scans[i]);
        }
    };
    const std::size_t workers =
        std::min<std::size_t>(std::max(1, settings.sync.concurrency), scans.size());
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();

    for (const auto& r : summary.results) {
        switch (r.outcome) {
            case ScanResult::Outcome::kSucceeded:
                ++summary.succeeded;
                break;
            case ScanResult::Outcome::kFailed:
                ++summary.failed;
                break;
            case ScanResult::Outcome::kInterrupted:
                ++summary.interrupted;
                break;
            case ScanResult::Outcome::kSkipped:
                ++summary.skipped;
                break;
        }
        summary.findings_changed += r.counts.inserted + r.counts.updated;
    }
    summary.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return summary;
}

}  // namespace codeguru::sync
