#include "sync/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <unordered_set>

#include "aws/api_error.hpp"
#include "sources/codeguru/scan_source.hpp"
#include "sources/inspector/stream_source.hpp"
#include "store/sync_state_store.hpp"
#include "sync/owner_id.hpp"
#include "sync/pass_runner.hpp"
#include "util/one_line.hpp"

namespace codeguru::sync {

std::string CycleSummary::describe() const {
    std::string text =
        std::to_string(succeeded) + " scan(s) ok, " + std::to_string(failed) + " failed";
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

Scheduler::Scheduler(CodeGuruClient& client, store::Database& database, const Clock& clock,
                     StopFlag& stop, std::string owner_id, SyncObserver* observer,
                     InspectorClients inspector)
    : client_(client),
      database_(database),
      owner_id_(std::move(owner_id)),
      clock_(clock),
      stop_(stop),
      observer_(observer),
      inspector_(std::move(inspector)) {}

void Scheduler::housekeeping(const Settings& settings) {
    try {
        const auto connection = database_.connect();
        store::SyncStateStore state(connection->get(), settings.database.schema);
        const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(clock_.now());
        for (const auto& run :
             connection->watched([&](auto&) { return state.interrupt_abandoned_runs(now); })) {
            spdlog::warn(
                "{} {}: run {} was left running by a daemon that stopped renewing its "
                "lease; marked it interrupted",
                run.source, run.scan_name, run.run_id);
        }
        const long pruned =
            connection->watched([&](auto&) { return state.prune_runs(settings.retention.runs); });
        if (pruned > 0) {
            spdlog::info("pruned {} sync_runs row(s) older than retention.runs", pruned);
        }
    } catch (const std::exception& e) {
        // The scans' own runs report the database; housekeeping waits for the next cycle.
        spdlog::warn("database housekeeping skipped this cycle: {}", one_line(e.what()));
    }
}

CycleSummary Scheduler::run_cycle(const Settings& settings) {
    const auto started = std::chrono::steady_clock::now();
    CycleSummary summary;
    housekeeping(settings);

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

    PassRunnerOptions options;
    options.schema = settings.database.schema;
    options.max_pages = settings.sync.max_pages;
    options.owner = {owner_id_, settings.sync.lease, [self = owner_id_](std::string_view holder) {
                         return owner_is_defunct(holder, self);
                     }};
    options.observer = observer_;
    PassRunner runner(database_, clock_, stop_, options);

    // Inspector streams first: they are the live source, CodeGuru scans are archives.
    std::vector<std::unique_ptr<PassSource>> sources;
    for (const auto& region : settings.inspector.regions) {
        const auto client = inspector_.find(region);
        if (client == inspector_.end() || client->second == nullptr) continue;
        const InspectorSettings& in = settings.inspector;
        inspector::StreamOptions stream;
        stream.schema = settings.database.schema;
        stream.region = region;
        stream.finding_types = in.finding_types;
        stream.accounts = in.accounts;
        stream.status = in.status;
        stream.page_size = in.page_size;
        stream.overlap = in.overlap;
        stream.full_sweep = in.full_sweep;
        stream.code_snippets = in.code_snippets;
        sources.push_back(
            std::make_unique<inspector::StreamSource>(*client->second, clock_, stream));
    }
    for (const auto& scan : scans) {
        sources.push_back(std::make_unique<CodeGuruScanSource>(client_, settings.database.schema,
                                                               scan, settings.sync.status,
                                                               settings.sync.page_size));
    }

    const std::size_t first = summary.results.size();
    summary.results.resize(first + sources.size());
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
        for (std::size_t i = next++; i < sources.size(); i = next++) {
            if (stop_.stop_requested()) {
                summary.results[first + i].source = sources[i]->source();
                summary.results[first + i].scan = sources[i]->label();
                summary.results[first + i].outcome = ScanResult::Outcome::kInterrupted;
                summary.results[first + i].error = "stopped before the scan started";
                continue;
            }
            summary.results[first + i] = runner.run(*sources[i]);
        }
    };
    const std::size_t workers =
        std::min<std::size_t>(std::max(1, settings.sync.concurrency), sources.size());
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
