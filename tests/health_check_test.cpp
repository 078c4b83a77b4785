// /healthz's decisions: staleness per scan, the JSON body, secrets masked, the cache and
// the deadline of HealthCheck (fake clock, fake source), and the database source against
// the test cluster.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "service/health_check.hpp"
#include "store/migrations.hpp"
#include "sync_fixture.hpp"
#include "test_database.hpp"

using namespace codeguru;
using namespace std::chrono_literals;
using service::HealthCheck;
using service::HealthReport;
using service::HealthScope;
using service::TimePoint;

namespace {

const auto kStart = TimePoint(std::chrono::seconds(1'800'000'000));  // 2027-01-15T08:00:00Z

HealthScope scope_of(std::vector<std::string> scans, std::chrono::seconds interval,
                     TimePoint configured_since = kStart) {
    HealthScope scope;
    scope.scans = std::move(scans);
    scope.interval = interval;
    for (const auto& scan : scope.scans) scope.configured_since[scan] = configured_since;
    return scope;
}

// A database side that answers from a table the test sets, fails with a set error, or
// holds every probe until released (or abandoned, unless it ignores that, as a probe stuck
// connecting would). Counts its probes. Thread-safe; asserts nothing.
class FakeSource final : public service::HealthSource {
  public:
    std::map<std::string, TimePoint> last_complete_passes(const HealthScope& scope,
                                                          service::ProbeCancel& cancel) override {
        {
            std::lock_guard lock(mutex_);
            ++probes_;
            last_schema_ = scope.schema;
        }
        auto abandoned = std::make_shared<bool>(false);  // guarded by mutex_
        cancel.on_abandon([this, abandoned] {
            std::lock_guard lock(mutex_);
            ++abandoned_;
            *abandoned = true;
            released_.notify_all();
        });
        std::unique_lock lock(mutex_);
        released_.wait(lock, [&] { return !hold_ || (*abandoned && !ignore_abandon_); });
        const bool ended_by_abandon = *abandoned && !ignore_abandon_;
        lock.unlock();
        cancel.clear();
        lock.lock();
        if (ended_by_abandon) throw std::runtime_error("socket shut down");
        if (!error_.empty()) throw std::runtime_error(error_);
        return passes_;
    }

    void set_passes(std::map<std::string, TimePoint> passes) {
        std::lock_guard lock(mutex_);
        passes_ = std::move(passes);
    }
    void set_error(std::string error) {
        std::lock_guard lock(mutex_);
        error_ = std::move(error);
    }
    void hold(bool hold, bool ignore_abandon = false) {
        std::lock_guard lock(mutex_);
        hold_ = hold;
        ignore_abandon_ = ignore_abandon;
        released_.notify_all();
    }
    int probes() const {
        std::lock_guard lock(mutex_);
        return probes_;
    }
    int abandoned() const {
        std::lock_guard lock(mutex_);
        return abandoned_;
    }
    std::string last_schema() const {
        std::lock_guard lock(mutex_);
        return last_schema_;
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable released_;
    std::map<std::string, TimePoint> passes_;
    std::string error_;
    std::string last_schema_;
    bool hold_ = false;
    bool ignore_abandon_ = false;
    int probes_ = 0;
    int abandoned_ = 0;
};

// Whether `condition` holds within `timeout` (polled).
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

}  // namespace

TEST_CASE("a scan is stale when its last complete pass is more than 3 intervals old") {
    const HealthScope scope = scope_of({"fresh", "edge", "old", "ahead"}, 60s);
    const TimePoint now = kStart + 1h;
    const HealthReport report = service::assess_health(scope,
                                                       {{"fresh", now - 10s},
                                                        {"edge", now - 180s},
                                                        {"old", now - 181s},
                                                        {"ahead", now + 5s},  // a clock ahead
                                                        {"unconfigured", now - 24h}},
                                                       now);
    CHECK(report.stale_after == 180s);
    REQUIRE(report.scans.size() == 4);  // the configured ones, in their order
    CHECK(report.scans[0].scan == "fresh");
    CHECK(report.scans[0].last_complete_pass == now - 10s);
    CHECK(report.scans[0].age_seconds == 10);
    CHECK_FALSE(report.scans[0].stale);
    CHECK(report.scans[1].scan == "edge");
    CHECK(report.scans[1].age_seconds == 180);
    CHECK_FALSE(report.scans[1].stale);  // exactly 3 intervals: not older
    CHECK(report.scans[2].scan == "old");
    CHECK(report.scans[2].age_seconds == 181);
    CHECK(report.scans[2].stale);
    CHECK(report.scans[3].scan == "ahead");
    CHECK(report.scans[3].age_seconds == 0);
    CHECK_FALSE(report.scans[3].stale);
    CHECK_FALSE(report.ok());
    CHECK_FALSE(report.database_error);
}

TEST_CASE("a scan that never completed is stale 3 intervals after it was configured") {
    HealthScope scope = scope_of({"new"}, 60s);
    scope.configured_since["added-by-reload"] = kStart + 100s;
    scope.scans.push_back("added-by-reload");

    HealthReport report = service::assess_health(scope, {}, kStart + 180s);
    CHECK(report.ok());
    CHECK_FALSE(report.scans[0].last_complete_pass);
    CHECK_FALSE(report.scans[0].age_seconds);
    CHECK_FALSE(report.scans[0].stale);

    report = service::assess_health(scope, {}, kStart + 181s);
    CHECK_FALSE(report.ok());
    CHECK(report.scans[0].stale);
    CHECK_FALSE(report.scans[1].stale);  // configured 100 s later

    report = service::assess_health(scope, {}, kStart + 281s);
    CHECK(report.scans[1].stale);

    // A longer interval after a reload moves the limit.
    scope.interval = 120s;
    CHECK(service::assess_health(scope, {}, kStart + 281s).ok());
}

TEST_CASE("with no configured scan, health is the database's answer alone") {
    CHECK(service::assess_health(scope_of({}, 60s), {{"x", kStart}}, kStart + 24h).ok());
    HealthReport failed;
    failed.database_error = "connection refused";
    CHECK_FALSE(failed.ok());
}

TEST_CASE("the /healthz body names the database state and every scan") {
    const HealthScope scope = scope_of({"a", "b", "we\"ird"}, 60s);
    const TimePoint now = kStart + 1000s;
    const HealthReport report =
        service::assess_health(scope, {{"a", now - 12s - 500ms}, {"we\"ird", kStart - 1h}}, now);
    CHECK(service::health_json(report) ==
          R"({"status":"unhealthy","database":{"ok":true},"stale_after_seconds":180,"scans":[)"
          R"({"scan":"a","last_complete_pass":"2027-01-15T08:16:27Z","age_seconds":12,)"
          R"("stale":false},)"
          R"({"scan":"b","last_complete_pass":null,"age_seconds":null,"stale":true},)"
          R"({"scan":"we\"ird","last_complete_pass":"2027-01-15T07:00:00Z","age_seconds":4600,)"
          R"("stale":true}]})");

    CHECK(service::health_json(service::assess_health(scope_of({"a"}, 60s), {{"a", now}}, now)) ==
          R"({"status":"ok","database":{"ok":true},"stale_after_seconds":180,"scans":[)"
          R"({"scan":"a","last_complete_pass":"2027-01-15T08:16:40Z","age_seconds":0,)"
          R"("stale":false}]})");

    HealthReport down;
    down.database_error = "could not connect: \"no\" \\ way\n";
    down.stale_after = 180s;
    CHECK(service::health_json(down) ==
          R"({"status":"unhealthy","database":{"ok":false,"error":"could not connect: \"no\" \\ )"
          R"(way\n"},"stale_after_seconds":180,"scans":[]})");
}

TEST_CASE("secrets in database errors are masked: password values and URI user info") {
    struct Case {
        const char* text;
        const char* masked;
    };
    const Case cases[] = {
        {"connection to server at \"db\" (10.0.0.1), port 5432 failed: timeout expired",
         "connection to server at \"db\" (10.0.0.1), port 5432 failed: timeout expired"},
        {"invalid conninfo: host=db password=s3cr3t user=app",
         "invalid conninfo: host=db "
         "password=*** user=app"},
        {"host=db password = 'it\\'s a \\\\ secret' dbname=x", "host=db password = *** dbname=x"},
        {"PASSWORD=Hunter2", "PASSWORD=***"},
        {"postgresql://app:s3cr3t@db:5432/codeguru?sslmode=require",
         "postgresql://***@db:5432/codeguru?sslmode=require"},
        {"bad URI \"postgres://app:p@ss@db/x\" here", "bad URI \"postgres://***@db/x\" here"},
        {"postgresql://db/codeguru?user=app&password=s3cr3t&sslmode=require",
         "postgresql://db/codeguru?user=app&password=***&sslmode=require"},
        {"postgresql://db/x and postgresql://u:p@h/y",
         "postgresql://db/x and postgresql://***@h/y"},
        {"password authentication failed for user \"app\"",
         "password authentication failed for user \"app\""},
        {"ends with password=", "ends with password=***"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        CHECK(service::redact_secrets(c.text) == c.masked);
    }
}

TEST_CASE("health reports are cached for a second of clock time, and a reload ends the cache") {
    test::PinnedClock clock(kStart);
    auto source = std::make_shared<FakeSource>();
    HealthScope scope = scope_of({"a"}, 60s);
    scope.schema = "first";
    std::mutex scope_mutex;
    HealthCheck check(source, clock, [&] {
        std::lock_guard lock(scope_mutex);
        return scope;
    });

    source->set_passes({{"a", kStart}});
    CHECK(check.check().ok());
    CHECK(source->probes() == 1);
    CHECK(source->last_schema() == "first");

    clock.set(kStart + 999ms);
    source->set_passes({});
    CHECK(check.check().scans.at(0).last_complete_pass == kStart);  // the cached report
    CHECK(source->probes() == 1);

    clock.set(kStart + 1s);
    CHECK_FALSE(check.check().scans.at(0).last_complete_pass);
    CHECK(source->probes() == 2);

    {
        std::lock_guard lock(scope_mutex);
        scope.schema = "second";
    }
    check.check();
    CHECK(source->probes() == 3);
    CHECK(source->last_schema() == "second");

    // A clock set back is no reason to keep a report forever.
    clock.set(kStart);
    check.check();
    CHECK(source->probes() == 4);
}

TEST_CASE("a database error makes the report unhealthy, with the error one line and masked") {
    test::PinnedClock clock(kStart);
    auto source = std::make_shared<FakeSource>();
    HealthCheck check(source, clock, [] { return scope_of({"a"}, 60s); });
    source->set_error(
        "could not connect to postgresql://app:s3cr3t@db/x\n\tIs the server running?\n");
    const HealthReport report = check.check();
    CHECK_FALSE(report.ok());
    CHECK(report.database_error ==
          "could not connect to postgresql://***@db/x Is the server running?");
    CHECK(report.scans.empty());
    CHECK(report.stale_after == 180s);
}

TEST_CASE("a probe later than the deadline answers 503 in time and is abandoned") {
    test::PinnedClock clock(kStart);
    auto source = std::make_shared<FakeSource>();
    service::HealthCheckOptions options;
    options.deadline = 200ms;
    HealthCheck check(
        source, clock, [] { return scope_of({"a"}, 60s); }, options);

    source->hold(true);
    const auto started = std::chrono::steady_clock::now();
    HealthReport report = check.check();
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= 200ms);
    CHECK(took < 5s);
    CHECK(report.database_error == "database did not answer within 0.2 s");
    CHECK_FALSE(report.ok());
    CHECK(source->abandoned() == 1);

    // The abandoned probe's own error is not the database's: the next check, once the
    // cache has expired, asks again.
    clock.set(kStart + 2s);
    source->hold(false);
    source->set_passes({{"a", kStart}});
    report = check.check();
    CHECK(report.ok());
    CHECK(source->probes() == 2);
}

TEST_CASE("while a probe hangs, later checks wait for it instead of starting more") {
    test::PinnedClock clock(kStart);
    auto source = std::make_shared<FakeSource>();
    service::HealthCheckOptions options;
    options.deadline = 100ms;
    HealthCheck check(
        source, clock, [] { return scope_of({"a"}, 60s); }, options);
    source->hold(true, /*ignore_abandon=*/true);  // stuck connecting: abandoning cannot help
    CHECK(check.check().database_error == "database did not answer within 0.1 s");
    clock.set(kStart + 2s);
    CHECK(check.check().database_error == "database did not answer within 0.1 s");
    CHECK(source->probes() == 1);

    source->hold(false);
    source->set_passes({{"a", kStart}});
    clock.set(kStart + 4s);
    CHECK(check.check().ok());
    CHECK(source->probes() == 2);
}

TEST_CASE("the database source reads every configured scan's last complete pass") {
    test::TestSchema schema;
    pqxx::connection connection(schema.conninfo());
    store::apply_migrations(connection, schema.name());
    {
        pqxx::work w(connection);
        const std::string table = w.quote_name(schema.name()) + ".sync_checkpoints";
        w.exec0("INSERT INTO " + table +
                " (scan_name, status_filter, last_completed_at) VALUES"
                " ('done', 'All', '2027-01-15 08:00:00.250+00'),"
                " ('odd,\"name} NULL', 'All', '2001-02-03 04:05:06+00'),"
                " ('running', 'All', NULL),"
                " ('other', 'All', '2027-01-15 08:00:00+00')");
        w.commit();
    }
    HealthScope scope = scope_of({"done", "odd,\"name} NULL", "running", "never"}, 60s);
    scope.schema = schema.name();
    const std::string conninfo = schema.conninfo();
    scope.connect = [conninfo] { return std::make_unique<pqxx::connection>(conninfo); };
    service::DatabaseHealthSource source;
    service::ProbeCancel cancel;
    const auto passes = source.last_complete_passes(scope, cancel);
    CHECK(passes == std::map<std::string, TimePoint>{
                        {"done", kStart + 250ms},
                        {"odd,\"name} NULL", TimePoint(std::chrono::seconds(981'173'106))}});

    scope.schema = schema.name() + "_missing";
    CHECK_THROWS_WITH(source.last_complete_passes(scope, cancel),
                      Catch::Contains("does not exist"));
}

TEST_CASE("the database source gives up on a blocked query: statement timeout and abandon") {
    test::TestSchema schema;
    pqxx::connection connection(schema.conninfo());
    store::apply_migrations(connection, schema.name());
    const std::string application_name = "health_" + schema.name();
    HealthScope scope = scope_of({"a"}, 60s);
    scope.schema = schema.name();
    const std::string conninfo = schema.conninfo() + " application_name=" + application_name;
    scope.connect = [conninfo] { return std::make_unique<pqxx::connection>(conninfo); };

    // A migration-like lock holds every reader of sync_checkpoints.
    pqxx::work locker(connection);
    locker.exec0("LOCK TABLE " + locker.quote_name(schema.name()) +
                 ".sync_checkpoints IN ACCESS EXCLUSIVE MODE");

    service::ProbeCancel cancel;
    const auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(service::DatabaseHealthSource(300ms).last_complete_passes(scope, cancel),
                      Catch::Contains("statement timeout"));
    CHECK(std::chrono::steady_clock::now() - started < 10s);

    // Abandoned while blocked (a long statement timeout): the socket is shut down and the
    // probe ends at once, with the table still locked.
    struct Watched final : service::HealthSource {
        service::DatabaseHealthSource inner{60s};
        std::atomic<bool> returned{false};
        std::map<std::string, TimePoint> last_complete_passes(
            const HealthScope& probed, service::ProbeCancel& probe_cancel) override {
            struct Mark {
                std::atomic<bool>& returned;
                ~Mark() { returned = true; }
            } mark{returned};
            return inner.last_complete_passes(probed, probe_cancel);
        }
    };
    auto watched = std::make_shared<Watched>();
    test::PinnedClock clock(kStart);
    service::HealthCheckOptions options;
    options.deadline = 300ms;
    HealthCheck check(
        watched, clock, [&] { return scope; }, options);
    CHECK(check.check().database_error == "database did not answer within 0.3 s");
    CHECK(eventually([&] { return watched->returned.load(); }, 10s));
    locker.abort();
}
