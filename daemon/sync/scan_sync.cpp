#include "sync/scan_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>

#include "aws/api_error.hpp"
#include "store/store_error.hpp"
#include "store/sync_state_store.hpp"
#include "util/one_line.hpp"

namespace codeguru::sync {
namespace {

using Outcome = ScanResult::Outcome;

// The database went away (server restart, network, in-doubt commit): worth a
// reconnect. Any other database error is a bug or a contract breach, not retried.
bool is_connection_failure(const std::exception& e) {
    if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
    if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
    if (const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
        const std::string& state = sql->sqlstate();
        // 08xxx connection exceptions; 57P01..57P03 server shutting down or starting.
        return state.rfind("08", 0) == 0 || state == "57P01" || state == "57P02" ||
               state == "57P03";
    }
    return false;
}

// The run can no longer own its scan (lock or checkpoint taken by another process).
class LostOwnership : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

Timestamp now_us(const Clock& clock) {
    return std::chrono::time_point_cast<std::chrono::microseconds>(clock.now());
}

void add(store::PageCounts& total, const store::PageCounts& page) {
    total.seen += page.seen;
    total.inserted += page.inserted;
    total.updated += page.updated;
    total.unchanged += page.unchanged;
    total.rejected += page.rejected;
}

}  // namespace

const char* to_string(ScanResult::Outcome outcome) {
    switch (outcome) {
        case Outcome::kSucceeded:
            return "succeeded";
        case Outcome::kFailed:
            return "failed";
        case Outcome::kInterrupted:
            return "interrupted";
        case Outcome::kSkipped:
            return "skipped";
    }
    return "unknown";
}

// One run's database side: the connection, the scan lock it holds, and the
// stores over it, re-established together when the connection is lost.
class ScanSync::Session {
public:
    Session(ScanSync& owner, const std::string& scan) : owner_(owner), scan_(scan) {}

    // Connects and takes the scan lock. False when another process holds it.
    bool open() {
        connection_ = owner_.connect_();
        state_ = std::make_unique<store::SyncStateStore>(*connection_, owner_.options_.schema);
        writer_ = std::make_unique<store::FindingsPageWriter>(*connection_, owner_.options_.schema);
        return state_->try_lock_scan(scan_);
    }

    // Re-establishes a lost connection with capped exponential backoff and retakes
    // the lock. Throws LostOwnership when another process took the scan meanwhile,
    // the last connection error when the database stays away, ApiError-free.
    void reopen() {
        auto delay = owner_.options_.reconnect_initial;
        for (int attempt = 1;; ++attempt) {
            if (!owner_.stop_.wait_for(delay)) throw LostOwnership("stop requested");
            try {
                if (!open()) throw LostOwnership("another process took the scan's lock");
                spdlog::info("scan {}: database connection re-established", scan_);
                return;
            } catch (const LostOwnership&) {
                throw;
            } catch (const std::exception& e) {
                if (attempt >= owner_.options_.reconnect_attempts) throw;
                spdlog::warn("scan {}: reconnecting to the database failed ({}); retrying", scan_,
                             e.what());
            }
            delay = std::min(owner_.options_.reconnect_max, delay * 2);
        }
    }

    // Runs `step`, re-establishing the connection and running it again when the
    // connection is lost. `step` must be safe to repeat after a reconnect.
    template <class Step>
    auto with_reconnect(Step step) {
        for (;;) {
            try {
                return step();
            } catch (const std::exception& e) {
                if (!is_connection_failure(e)) throw;
                spdlog::warn("scan {}: lost the database connection: {}", scan_, e.what());
                reopen();
            }
        }
    }

    store::SyncStateStore& state() { return *state_; }
    store::FindingsPageWriter& writer() { return *writer_; }

private:
    ScanSync& owner_;
    const std::string& scan_;
    std::unique_ptr<pqxx::connection> connection_;
    std::unique_ptr<store::SyncStateStore> state_;
    std::unique_ptr<store::FindingsPageWriter> writer_;
};

ScanSync::ScanSync(CodeGuruClient& client, ConnectionFactory connect, const Clock& clock,
                   StopFlag& stop, ScanSyncOptions options)
    : client_(client),
      connect_(std::move(connect)),
      clock_(clock),
      stop_(stop),
      options_(std::move(options)) {}

ScanResult ScanSync::run(const std::string& scan) {
    ScanResult result = run_pass(scan);
    if (options_.observer != nullptr) options_.observer->scan_finished(result);
    return result;
}

ScanResult ScanSync::run_pass(const std::string& scan) {
    ScanResult result;
    result.scan = scan;
    const auto started = std::chrono::steady_clock::now();
    Session session(*this, scan);

    store::RunStart start{};
    try {
        if (!session.open()) {
            result.outcome = Outcome::kSkipped;
            result.error = "another codeguru-syncd is syncing it";
            spdlog::info("scan {}: skipped, {}", scan, result.error);
            return result;
        }
        start = session.with_reconnect(
            [&] { return session.state().begin_run(scan, options_.status, now_us(clock_)); });
    } catch (const std::exception& e) {
        result.outcome = Outcome::kFailed;
        result.error = "database: " + one_line(e.what());
        spdlog::error("scan {}: cannot start a run: {}", scan, result.error);
        return result;
    }
    result.run_id = start.run_id;
    std::optional<std::string> token = start.resume_token;
    if (start.resumed) {
        spdlog::info("scan {}: resuming the interrupted pass after {} page(s)", scan,
                     start.pages_done);
    }

    // The next page is fetched while the current one is written, so the API and the
    // database work at the same time; pages are still applied strictly in order.
    const auto start_fetch = [&](std::optional<std::string> page_token) {
        return std::async(std::launch::async, [this, &scan, page_token = std::move(page_token)] {
            return client_.get_findings(scan, options_.status, options_.page_size, page_token);
        });
    };
    bool pass_restarted = false;
    try {
        std::future<FindingsPage> pending = start_fetch(token);
        for (;;) {
            FindingsPage page;
            try {
                page = pending.get();
            } catch (const aws::ApiError& e) {
                if (e.code() != "ValidationException" || !token || pass_restarted) throw;
                spdlog::warn("scan {}: the API rejected the stored page token ({}); "
                             "restarting the pass from the first page",
                             scan, e.message());
                session.with_reconnect([&] { session.state().restart_pass(scan, start.run_id); });
                token.reset();
                pass_restarted = true;
                pending = start_fetch(token);
                continue;
            }
            if (page.next_token && !stop_.stop_requested()) pending = start_fetch(page.next_token);

            const Timestamp sync_time = now_us(clock_);
            const auto counts = session.with_reconnect([&]() -> store::PageCounts {
                try {
                    return session.writer().apply(scan, start.run_id, token, page.findings,
                                                  page.next_token, sync_time);
                } catch (const store::StalePageError&) {
                    // After a lost connection the commit may have gone through: then the
                    // checkpoint is exactly where this page leads. Anywhere else (another
                    // process's pass, or behind after the server lost a commit) the page
                    // was not applied, and the run fails to resume from the checkpoint.
                    const auto cp = session.state().load_checkpoint(scan);
                    const bool applied =
                        cp && cp->run_id == start.run_id &&
                        (page.next_token ? cp->next_token == page.next_token
                                         : cp->last_completed_at == sync_time);
                    if (!applied) throw;
                    spdlog::info("scan {}: the page committed before the connection was lost",
                                 scan);
                    return store::PageCounts{};
                }
            });
            add(result.counts, counts);
            ++result.pages;
            if (options_.observer != nullptr) options_.observer->page_applied(scan, counts);
            spdlog::debug("scan {}: page {} applied: {} seen, {} new, {} updated", scan,
                          start.pages_done + result.pages, counts.seen, counts.inserted,
                          counts.updated);
            if (!page.next_token) break;
            token = std::move(page.next_token);
            // A stop requested while the page was written: the next one was never fetched.
            if (!pending.valid()) throw aws::ApiError("Aborted", "stop requested", 0, false);
        }
        result.outcome = Outcome::kSucceeded;
    } catch (const aws::ApiError& e) {
        result.outcome = e.code() == "Aborted" ? Outcome::kInterrupted : Outcome::kFailed;
        result.error = result.outcome == Outcome::kInterrupted ? "stopped before the pass ended"
                                                               : e.what();
    } catch (const LostOwnership& e) {
        result.outcome = stop_.stop_requested() ? Outcome::kInterrupted : Outcome::kFailed;
        result.error = e.what();
    } catch (const std::exception& e) {
        result.outcome = Outcome::kFailed;
        result.error = "database: " + one_line(e.what());
    }

    const auto store_outcome = result.outcome == Outcome::kSucceeded ? store::Outcome::kSucceeded
                               : result.outcome == Outcome::kInterrupted
                                   ? store::Outcome::kInterrupted
                                   : store::Outcome::kFailed;
    try {
        // A failed run still tries to record itself; if the database is gone, the next
        // run of this scan marks the row interrupted.
        session.state().finish_run(start.run_id, scan, store_outcome, result.error, now_us(clock_));
        session.state().unlock_scan(scan);
    } catch (const std::exception& e) {
        spdlog::warn("scan {}: could not record the end of run {}: {}", scan, start.run_id,
                     e.what());
    }

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (result.outcome == Outcome::kFailed) {
        spdlog::error("scan {}: run {} failed after {} page(s): {}", scan, start.run_id,
                      result.pages, result.error);
    } else {
        spdlog::info("scan {}: run {} {}: {} page(s), {} finding(s) seen, {} new, {} updated, {} "
                     "unchanged, {} rejected in {:.1f} s",
                     scan, start.run_id, to_string(result.outcome), result.pages,
                     result.counts.seen, result.counts.inserted, result.counts.updated,
                     result.counts.unchanged, result.counts.rejected, seconds);
    }
    return result;
}

}  // namespace codeguru::sync
