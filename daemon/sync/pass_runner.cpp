#include "sync/pass_runner.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

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

// The run can no longer own its scan (its lease taken by another daemon), or a stop ended
// the wait for the database.
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

std::string sqlstate_of(const std::exception& e) {
    const auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
    return sql != nullptr ? sql->sqlstate() : std::string();
}

[[noreturn]] void fail_api(const std::string& message) {
    throw aws::ApiError("InvalidResponse", message, 200, false);
}

// The page being fetched while the previous one is written, on one thread kept for the
// whole pass: that thread's page parser (simdjson's index and the padded copy of the body,
// grown to the largest page) then serves every page of the pass, instead of being built and
// faulted in afresh for each. Whatever way the run ends, the fetch is cancelled (its own
// stop flag, linked to the daemon's) and waited for, which then takes no longer than the
// transport needs to notice.
class Prefetch {
  public:
    using Page = std::unique_ptr<SourcePage>;

    explicit Prefetch(StopFlag& daemon_stop) : stop_(daemon_stop), worker_([this] { work(); }) {}
    ~Prefetch() {
        cancel();
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        wake_.notify_one();
        worker_.join();
    }
    Prefetch(const Prefetch&) = delete;
    Prefetch& operator=(const Prefetch&) = delete;

    StopFlag& stop() { return stop_; }
    std::future<Page>& pending() { return pending_; }

    // REQUIRES: no fetch pending (the previous one's page taken).
    void start(std::function<Page()> fetch) {
        std::packaged_task<Page()> job(std::move(fetch));
        pending_ = job.get_future();
        {
            std::lock_guard lock(mutex_);
            job_ = std::move(job);
        }
        wake_.notify_one();
    }

    void cancel() {
        stop_.request_stop();
        if (pending_.valid()) pending_.wait();
    }

  private:
    void work() {
        std::unique_lock lock(mutex_);
        for (;;) {
            wake_.wait(lock, [this] { return quit_ || job_.valid(); });
            if (!job_.valid()) return;
            std::packaged_task<Page()> job = std::move(job_);
            lock.unlock();
            job();  // its exception, if any, goes to the future
            lock.lock();
        }
    }

    StopFlag stop_;
    std::future<Page> pending_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::packaged_task<Page()> job_;
    bool quit_ = false;
    std::thread worker_;  // last: it starts once everything above exists
};

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

// One run's database side: the connection and the state store over it, re-established
// together when the connection is lost. The scan's lease lives in the database, not in the
// connection, so a new connection carries on where the old one stopped.
class PassRunner::Session : public PassDatabase {
  public:
    Session(PassRunner& owner, const PassSource& source)
        : owner_(owner), source_(source), scan_(source.label()) {}

    void open() {
        state_.reset();
        connection_ = owner_.database_.connect();
        state_ = std::make_unique<store::SyncStateStore>(connection_->get(), owner_.options_.schema,
                                                         source_.source());
    }

    // Re-establishes a lost connection with capped exponential backoff. Throws LostOwnership
    // when a stop ends the wait, the last connection error when the database stays away.
    void reopen() {
        auto delay = owner_.options_.reconnect_initial;
        for (int attempt = 1;; ++attempt) {
            if (!owner_.stop_.wait_for(delay)) throw LostOwnership("stop requested");
            try {
                open();
                spdlog::info("scan {}: database connection re-established", scan_);
                if (auto* observer = owner_.options_.observer)
                    observer->database_reconnected(scan_);
                return;
            } catch (const std::exception& e) {
                if (attempt >= owner_.options_.reconnect_attempts) throw;
                spdlog::warn("scan {}: reconnecting to the database failed ({}); retrying", scan_,
                             one_line(e.what()));
            }
            delay = std::min(owner_.options_.reconnect_max, delay * 2);
        }
    }

    // Runs `step` under the database deadlines, re-establishing the connection and running it
    // again when the connection is lost. `step` must be safe to repeat after a reconnect.
    template <class Step>
    auto call(Step step) {
        for (;;) {
            try {
                if (!connection_) open();
                return connection_->watched([&](pqxx::connection_base&) { return step(); });
            } catch (const std::exception& e) {
                report_error(e);
                if (!is_connection_failure(e)) throw;
                spdlog::warn("scan {}: lost the database connection: {}", scan_,
                             one_line(e.what()));
                connection_.reset();
                reopen();
            }
        }
    }

    // One attempt on the current (or a new) connection, no backoff: for the bookkeeping
    // after a stop, which must not wait.
    template <class Step>
    auto call_once(Step step) {
        try {
            if (!connection_) open();
            return connection_->watched([&](pqxx::connection_base&) { return step(); });
        } catch (const std::exception& e) {
            report_error(e);
            if (is_connection_failure(e)) connection_.reset();
            throw;
        }
    }

    void run(const std::function<void(pqxx::connection_base&)>& step) override {
        call([&] { step(connection_->get()); });
    }

    store::SyncStateStore& state() { return *state_; }
    pqxx::connection_base& connection() { return connection_->get(); }

  private:
    void report_error(const std::exception& e) {
        if (dynamic_cast<const store::StoreError*>(&e) != nullptr) return;
        if (auto* observer = owner_.options_.observer) {
            observer->database_error(scan_, sqlstate_of(e));
        }
    }

    PassRunner& owner_;
    const PassSource& source_;
    const std::string& scan_;
    std::unique_ptr<store::DatabaseConnection> connection_;
    std::unique_ptr<store::SyncStateStore> state_;
};

PassRunner::PassRunner(store::Database& database, const Clock& clock, StopFlag& stop,
                       PassRunnerOptions options)
    : database_(database), clock_(clock), stop_(stop), options_(std::move(options)) {}

ScanResult PassRunner::run(PassSource& source) {
    ScanResult result = run_pass(source);
    if (options_.observer != nullptr) options_.observer->scan_finished(result);
    return result;
}

ScanResult PassRunner::run_pass(PassSource& source) {
    ScanResult result;
    result.source = source.source();
    result.scan = source.label();
    const std::string& scan = source.label();
    const std::string& name = source.name();
    const auto started = std::chrono::steady_clock::now();
    Session session(*this, source);

    std::optional<store::RunStart> begun;
    try {
        begun = session.call([&] {
            return session.state().begin_run(name, source.scope(), options_.owner,
                                             [this] { return now_us(clock_); });
        });
    } catch (const std::exception& e) {
        result.outcome = stop_.stop_requested() ? Outcome::kInterrupted : Outcome::kFailed;
        result.error = "database: " + one_line(e.what());
        spdlog::error("scan {}: cannot start a run: {}", scan, result.error);
        return result;
    }
    if (!begun) {
        result.outcome = Outcome::kSkipped;
        result.error = "another codeguru-syncd holds the scan's lease";
        spdlog::info("scan {}: skipped, {}", scan, result.error);
        return result;
    }
    const store::RunStart start = *begun;
    result.run_id = start.run_id;
    if (options_.observer != nullptr) options_.observer->scan_started(scan);
    std::optional<std::string> token = start.resume_token;
    std::int64_t pass_pages = start.pages_done;
    if (start.resumed) {
        spdlog::info("scan {}: resuming the interrupted pass after {} page(s)", scan,
                     start.pages_done);
    }

    // The next page is fetched while the current one is written, so the API and the
    // database work at the same time; pages are still applied strictly in order.
    Prefetch prefetch(stop_);
    const auto start_fetch = [&](std::optional<std::string> page_token) {
        prefetch.start([&source, &prefetch, t = std::move(page_token)] {
            return source.fetch(t, prefetch.stop());
        });
    };
    // A slow API must not cost the lease: it is renewed while a page is awaited.
    const auto renew_every = std::max<std::chrono::milliseconds>(
        std::chrono::seconds(1),
        std::chrono::duration_cast<std::chrono::milliseconds>(options_.owner.lease) / 3);
    const auto await_page = [&] {
        while (prefetch.pending().wait_for(renew_every) == std::future_status::timeout) {
            if (!session.call([&] {
                    return session.state().renew_lease(name, start.run_id, options_.owner);
                })) {
                throw LostOwnership("another daemon took the scan over (its lease had expired)");
            }
        }
        return prefetch.pending().get();
    };

    bool pass_restarted = false;
    try {
        if (!source.prepare(session, start, stop_)) {
            spdlog::warn("scan {}: the stored pass cannot be resumed; restarting it", scan);
            session.call([&] { session.state().restart_pass(name, start.run_id); });
            source.restart(session, start.run_id);
            token.reset();
            pass_pages = 0;
        }
        start_fetch(token);
        for (;;) {
            std::unique_ptr<SourcePage> page;
            try {
                page = await_page();
            } catch (const aws::ApiError& e) {
                if (e.code() != "ValidationException" || !token || pass_restarted) throw;
                spdlog::warn(
                    "scan {}: the API rejected the stored page token ({}); "
                    "restarting the pass from the first page",
                    scan, e.message());
                session.call([&] { session.state().restart_pass(name, start.run_id); });
                source.restart(session, start.run_id);
                token.reset();
                pass_pages = 0;
                pass_restarted = true;
                start_fetch(token);
                continue;
            }
            if (page->next_token && token && *page->next_token == *token) {
                fail_api(std::string(source.list_operation()) +
                         " answered with the nextToken it was sent (repeated "
                         "nextToken): the API is looping; the pass is abandoned");
            }
            if (page->next_token && !stop_.stop_requested()) start_fetch(page->next_token);

            const Timestamp sync_time = now_us(clock_);
            const auto apply_started = std::chrono::steady_clock::now();
            const auto counts = session.call([&]() -> store::PageCounts {
                try {
                    return source.apply(session.connection(), start.run_id, token, *page,
                                        sync_time);
                } catch (const store::StalePageError&) {
                    // After a lost connection the commit may have gone through: then the
                    // checkpoint is exactly where this page leads. Anywhere else (another
                    // daemon's pass, or behind after the server lost a commit) the page was
                    // not applied, and the run fails to resume from the checkpoint.
                    const auto cp = session.state().load_checkpoint(name);
                    if (cp && cp->run_id != start.run_id) {
                        throw LostOwnership(
                            "another daemon took the scan over (its lease had expired)");
                    }
                    const bool applied =
                        cp && (page->next_token ? cp->next_token == page->next_token
                                                : cp->last_completed_at == sync_time);
                    if (!applied) throw;
                    spdlog::info("scan {}: the page committed before the connection was lost",
                                 scan);
                    return store::PageCounts{};
                }
            });
            const double apply_seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - apply_started)
                    .count();
            add(result.counts, counts);
            ++result.pages;
            ++pass_pages;
            if (options_.observer != nullptr) {
                options_.observer->page_applied(scan, counts, apply_seconds);
            }
            spdlog::debug("scan {}: page {} applied: {} seen, {} new, {} updated", scan, pass_pages,
                          counts.seen, counts.inserted, counts.updated);
            source.after_apply(session, *page, stop_);
            if (!page->next_token) break;
            if (pass_pages >= options_.max_pages) {
                fail_api("the pass exceeded sync.max_pages (" + std::to_string(options_.max_pages) +
                         " pages) and " + source.list_operation() + " still returns a nextToken");
            }
            token = std::move(page->next_token);
            // A stop requested while the page was written: the next one was never fetched.
            if (!prefetch.pending().valid())
                throw aws::ApiError("Aborted", "stop requested", 0, false);
        }
        result.outcome = Outcome::kSucceeded;
    } catch (const aws::ApiError& e) {
        result.outcome = e.code() == "Aborted" ? Outcome::kInterrupted : Outcome::kFailed;
        result.error =
            result.outcome == Outcome::kInterrupted ? "stopped before the pass ended" : e.what();
    } catch (const LostOwnership& e) {
        result.outcome = stop_.stop_requested() ? Outcome::kInterrupted : Outcome::kFailed;
        result.error = stop_.stop_requested() ? "stopped before the pass ended" : e.what();
    } catch (const std::exception& e) {
        result.outcome = stop_.stop_requested() ? Outcome::kInterrupted : Outcome::kFailed;
        result.error = stop_.stop_requested() ? "stopped before the pass ended"
                                              : "database: " + one_line(e.what());
    }
    prefetch.cancel();

    finish(session, source, start.run_id, result);

    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (result.outcome == Outcome::kFailed) {
        spdlog::error("scan {}: run {} failed after {} page(s): {}", scan, start.run_id,
                      result.pages, result.error);
    } else {
        spdlog::info(
            "scan {}: run {} {}: {} page(s), {} finding(s) seen, {} new, {} updated, {} "
            "unchanged, {} rejected in {:.1f} s",
            scan, start.run_id, to_string(result.outcome), result.pages, result.counts.seen,
            result.counts.inserted, result.counts.updated, result.counts.unchanged,
            result.counts.rejected, seconds);
    }
    return result;
}

void PassRunner::finish(Session& session, PassSource& source, std::int64_t run_id,
                        const ScanResult& result) {
    const std::string& scan = source.label();
    const auto outcome = result.outcome == Outcome::kSucceeded     ? store::Outcome::kSucceeded
                         : result.outcome == Outcome::kInterrupted ? store::Outcome::kInterrupted
                                                                   : store::Outcome::kFailed;
    const auto record = [&] {
        return session.state().finish_run(run_id, source.name(), options_.owner, outcome,
                                          result.error, now_us(clock_));
    };
    // The run's row is closed even after a lost connection; only a stop limits this to one
    // quick attempt. Failing all, the lease expires and any daemon's sweep closes the row.
    try {
        const bool closed =
            stop_.stop_requested() ? session.call_once(record) : session.call(record);
        if (!closed) {
            spdlog::warn("scan {}: run {} was closed by another daemon (its lease had expired)",
                         scan, run_id);
        }
    } catch (const std::exception& e) {
        spdlog::warn(
            "scan {}: could not record the end of run {} ({}); the lease expiry will "
            "close it",
            scan, run_id, one_line(e.what()));
    }
}

}  // namespace codeguru::sync
