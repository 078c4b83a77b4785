// The metrics registry: Prometheus text rendering, the counters and gauges of the client
// stack across a reload, and the health scope it keeps for /healthz.
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "aws/credentials/cached_provider.hpp"
#include "service/metrics.hpp"
#include "sync_fixture.hpp"
#include "util/stop_flag.hpp"

using namespace codeguru;
using namespace std::chrono_literals;
using service::Metrics;
using Outcome = sync::ScanResult::Outcome;

namespace {

const auto kStart = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

bool has_family(const std::string& text, const std::string& name) {
    return text.find("# TYPE " + name + " ") != std::string::npos;
}

sync::ScanResult run_of(const std::string& scan, Outcome outcome) {
    sync::ScanResult result;
    result.scan = scan;
    result.outcome = outcome;
    return result;
}

sync::CycleSummary cycle(int succeeded, int failed, int interrupted, int skipped,
                         std::chrono::milliseconds duration) {
    sync::CycleSummary summary;
    summary.succeeded = succeeded;
    summary.failed = failed;
    summary.interrupted = interrupted;
    summary.skipped = skipped;
    summary.duration = duration;
    return summary;
}

// Credentials from a script: each resolve() takes the next entry; an empty entry throws.
class ScriptedProvider final : public aws::CredentialsProvider {
  public:
    explicit ScriptedProvider(std::vector<std::optional<aws::Credentials>> script)
        : script_(std::move(script)) {}

    std::optional<aws::Credentials> resolve() override {
        auto next = script_.at(next_++);
        if (!next) throw aws::CredentialsError("the scripted source failed");
        return next;
    }
    std::string_view name() const override { return "scripted"; }

  private:
    std::vector<std::optional<aws::Credentials>> script_;
    std::size_t next_ = 0;
};

aws::Credentials expiring_at(std::chrono::system_clock::time_point at) {
    aws::Credentials credentials{"AKIDEXAMPLE", "secret", "token", at, "scripted"};
    return credentials;
}

}  // namespace

TEST_CASE("label values escape backslash, double quote and newline only") {
    CHECK(service::escape_label_value("plain-scan_1:$.") == "plain-scan_1:$.");
    CHECK(service::escape_label_value("a\\b\"c\nd\te") == "a\\\\b\\\"c\\nd\te");
}

TEST_CASE("every family has HELP and TYPE, and samples carry the recorded values") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    metrics.record_page("a", {10, 4, 3, 2, 1}, 0.02);
    metrics.record_page("a", {10, 1, 0, 9, 0}, 3.0);
    metrics.record_run(run_of("a", Outcome::kSucceeded));
    metrics.record_run(run_of("we\"ird", Outcome::kFailed));
    metrics.record_run(run_of("b", Outcome::kSkipped));
    metrics.record_response(200);
    metrics.record_response(200);
    metrics.record_response(429);
    metrics.record_transport_error(aws::TransportError::Kind::kTimeout);
    metrics.record_request_duration(0.07);
    metrics.record_request_duration(120);
    metrics.record_database_reconnect("a");
    metrics.record_database_reconnect("a");
    metrics.record_database_error("57014");
    metrics.record_database_error("");
    metrics.record_database_error("");
    metrics.record_cycle(cycle(0, 1, 0, 0, 2500ms));
    const std::string text = metrics.render();
    CAPTURE(text);

    CHECK(has_line(text, "# TYPE codeguru_syncd_scan_runs_total counter"));
    CHECK(has_line(text, R"(codeguru_syncd_scan_runs_total{scan="a",outcome="succeeded"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_scan_runs_total{scan="we\"ird",outcome="failed"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_scan_runs_total{scan="b",outcome="skipped"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_pages_total{scan="a"} 2)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="inserted"} 5)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="updated"} 3)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="unchanged"} 11)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="rejected"} 1)"));
    // A skipped run is no success: only "a" has a last success.
    CHECK(has_line(text,
                   R"(codeguru_syncd_scan_last_success_timestamp_seconds{scan="a"} 1800000000)"));
    CHECK(text.find(R"(codeguru_syncd_scan_last_success_timestamp_seconds{scan="b"})") ==
          std::string::npos);
    CHECK(has_line(text, "# TYPE codeguru_syncd_page_apply_duration_seconds histogram"));
    CHECK(has_line(text, R"(codeguru_syncd_page_apply_duration_seconds_bucket{le="0.01"} 0)"));
    CHECK(has_line(text, R"(codeguru_syncd_page_apply_duration_seconds_bucket{le="0.025"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_page_apply_duration_seconds_bucket{le="2.5"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_page_apply_duration_seconds_bucket{le="5"} 2)"));
    CHECK(has_line(text, R"(codeguru_syncd_page_apply_duration_seconds_bucket{le="+Inf"} 2)"));
    CHECK(has_line(text, "codeguru_syncd_page_apply_duration_seconds_sum 3.02"));
    CHECK(has_line(text, "codeguru_syncd_page_apply_duration_seconds_count 2"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_database_reconnects_total counter"));
    CHECK(has_line(text, R"(codeguru_syncd_database_reconnects_total{scan="a"} 2)"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_database_errors_total counter"));
    CHECK(has_line(text, R"(codeguru_syncd_database_errors_total{sqlstate="57014"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_database_errors_total{sqlstate="none"} 2)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_requests_total{code="200"} 2)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_requests_total{code="429"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_transport_errors_total{kind="timeout"} 1)"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_api_request_duration_seconds histogram"));
    CHECK(has_line(text, R"(codeguru_syncd_api_request_duration_seconds_bucket{le="0.05"} 0)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_request_duration_seconds_bucket{le="0.1"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_request_duration_seconds_bucket{le="60"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_request_duration_seconds_bucket{le="+Inf"} 2)"));
    CHECK(has_line(text, "codeguru_syncd_api_request_duration_seconds_sum 120.07"));
    CHECK(has_line(text, "codeguru_syncd_api_request_duration_seconds_count 2"));
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="failed"} 1)"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_cycle_duration_seconds histogram"));
    CHECK(has_line(text, R"(codeguru_syncd_cycle_duration_seconds_bucket{le="1"} 0)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycle_duration_seconds_bucket{le="5"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycle_duration_seconds_bucket{le="+Inf"} 1)"));
    CHECK(has_line(text, "codeguru_syncd_cycle_duration_seconds_sum 2.5"));
    CHECK(has_line(text, "codeguru_syncd_cycle_duration_seconds_count 1"));
    // No successful cycle yet: no timestamp for one.
    CHECK(text.find("codeguru_syncd_last_cycle_success_timestamp_seconds") == std::string::npos);
    // Nothing watched: the client stack's counters are zero, its gauges absent.
    CHECK(has_line(text, "codeguru_syncd_api_retries_total 0"));
    CHECK(has_line(text, "codeguru_syncd_credential_refresh_failures_total 0"));
    CHECK(has_line(text, "codeguru_syncd_api_rate_limit_wait_seconds_total 0"));
    CHECK_FALSE(has_family(text, "codeguru_syncd_api_retry_quota_tokens"));
    CHECK_FALSE(has_family(text, "codeguru_syncd_credentials_expiry_timestamp_seconds"));

    // Each "# TYPE name" is preceded by its "# HELP name", and no family comes twice.
    std::size_t at = 0;
    std::set<std::string> families;
    while ((at = text.find("# TYPE ", at)) != std::string::npos) {
        const std::string name = text.substr(at + 7, text.find(' ', at + 7) - at - 7);
        CAPTURE(name);
        CHECK(text.rfind("# HELP " + name + " ", at) != std::string::npos);
        CHECK(families.insert(name).second);
        ++at;
    }
}

TEST_CASE("runs in progress count from scan_started to the run's end, never below zero") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    const auto in_progress = [&](long expected) {
        return has_line(metrics.render(),
                        "codeguru_syncd_scan_runs_in_progress " + std::to_string(expected));
    };
    CHECK(in_progress(0));
    metrics.record_run_started("a");
    metrics.record_run_started("b");
    CHECK(in_progress(2));
    // A skipped scan and one that failed before its run began were never in progress.
    metrics.record_run(run_of("c", Outcome::kSkipped));
    metrics.record_run(run_of("d", Outcome::kFailed));
    CHECK(in_progress(2));
    metrics.record_run(run_of("a", Outcome::kSucceeded));
    CHECK(in_progress(1));
    metrics.record_run(run_of("b", Outcome::kInterrupted));
    metrics.record_run(run_of("b", Outcome::kSkipped));
    CHECK(in_progress(0));
}

TEST_CASE("a cycle is named by its worst outcome, and a skipped scan makes it no success") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    metrics.record_cycle(cycle(2, 0, 0, 1, 1s));  // one scan held by another daemon
    std::string text = metrics.render();
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="skipped"} 1)"));
    CHECK(text.find("codeguru_syncd_last_cycle_success_timestamp_seconds") == std::string::npos);

    metrics.record_cycle(cycle(0, 1, 1, 1, 1s));
    metrics.record_cycle(cycle(1, 0, 1, 1, 1s));
    clock.set(kStart + 30s);
    metrics.record_cycle(cycle(3, 0, 0, 0, 1s));
    text = metrics.render();
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="failed"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="interrupted"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="skipped"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="succeeded"} 1)"));
    CHECK(has_line(text, "codeguru_syncd_last_cycle_success_timestamp_seconds 1800000030"));
}

TEST_CASE("the client stack's counters survive a rebuild, and its gauges follow the new one") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    StopFlag stop;

    aws::ServiceClientStats first_stats;
    aws::CachedProvider first_credentials(
        std::make_unique<ScriptedProvider>(std::vector<std::optional<aws::Credentials>>{
            std::nullopt, expiring_at(kStart + 1h), std::nullopt, std::nullopt}),
        clock);
    aws::RetryQuota first_quota;
    aws::RateLimiter first_limiter(1000.0);
    metrics.watch_client({&first_stats, &first_credentials, &first_quota, &first_limiter});

    first_stats.retries = 3;
    first_stats.throttles = 2;
    CHECK_THROWS_AS(first_credentials.resolve(), aws::CredentialsError);  // failure 1
    REQUIRE(first_credentials.resolve());
    int taken = 0;
    REQUIRE(
        first_quota.acquire(aws::ApiError("ThrottlingException", "slow down", 429, true), taken));
    std::string text = metrics.render();
    CAPTURE(text);
    CHECK(has_line(text, "codeguru_syncd_credential_refresh_failures_total 1"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_credentials_expiry_timestamp_seconds gauge"));
    CHECK(has_line(text, "codeguru_syncd_credentials_expiry_timestamp_seconds 1800003600"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_api_retry_quota_tokens gauge"));
    CHECK(has_line(text, "codeguru_syncd_api_retry_quota_tokens 495"));

    // Within 5 minutes of the expiry a refresh is due; it fails and the cached ones stay.
    clock.set(kStart + 56min);
    REQUIRE(first_credentials.resolve());  // failure 2
    CHECK(has_line(metrics.render(), "codeguru_syncd_credential_refresh_failures_total 2"));

    // A reload: new parts, long-term credentials (no expiry), a full quota.
    aws::ServiceClientStats second_stats;
    aws::CachedProvider second_credentials(
        std::make_unique<ScriptedProvider>(std::vector<std::optional<aws::Credentials>>{
            std::nullopt, aws::Credentials{"AKIDEXAMPLE", "secret", "", std::nullopt, "scripted"}}),
        clock);
    aws::RetryQuota second_quota;
    aws::RateLimiter second_limiter(1000.0);
    metrics.watch_client({&second_stats, &second_credentials, &second_quota, &second_limiter});
    second_stats.retries = 1;
    CHECK_THROWS_AS(second_credentials.resolve(), aws::CredentialsError);  // failure 3
    REQUIRE(second_credentials.resolve());
    text = metrics.render();
    CHECK(has_line(text, "codeguru_syncd_api_retries_total 4"));
    CHECK(has_line(text, "codeguru_syncd_api_throttles_total 2"));
    CHECK(has_line(text, "codeguru_syncd_credential_refresh_failures_total 3"));
    CHECK(has_line(text, "codeguru_syncd_api_retry_quota_tokens 500"));
    CHECK_FALSE(has_family(text, "codeguru_syncd_credentials_expiry_timestamp_seconds"));

    metrics.watch_client({});
    text = metrics.render();
    CHECK(has_line(text, "codeguru_syncd_api_retries_total 4"));
    CHECK(has_line(text, "codeguru_syncd_credential_refresh_failures_total 3"));
    CHECK_FALSE(has_family(text, "codeguru_syncd_api_retry_quota_tokens"));
}

TEST_CASE("rate-limit waiting is counted, never more than the time spent in acquire") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    StopFlag stop;
    aws::RateLimiter limiter(20.0);  // a token every 50 ms, a burst of one
    metrics.watch_client({nullptr, nullptr, nullptr, &limiter});
    const auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) REQUIRE(limiter.acquire(stop));
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const double waited = limiter.waited_seconds();
    CHECK(waited > 0);
    CHECK(waited <= wall);

    const std::string text = metrics.render();
    const std::string prefix = "\ncodeguru_syncd_api_rate_limit_wait_seconds_total ";
    const auto at = text.find(prefix);
    REQUIRE(at != std::string::npos);
    const double rendered = std::stod(text.substr(at + prefix.size()));
    CHECK(rendered == Approx(waited).margin(1e-6));
    // No throttle yet: the adaptive rate is not limiting.
    CHECK(has_line(text, "codeguru_syncd_api_adaptive_rate 0"));
    limiter.on_answer(true);
    REQUIRE(limiter.adaptive_rate().has_value());
    CHECK_FALSE(has_line(metrics.render(), "codeguru_syncd_api_adaptive_rate 0"));
    CHECK(has_family(metrics.render(), "codeguru_syncd_api_adaptive_rate"));

    // A rebuild keeps what the old limiter waited.
    aws::RateLimiter fresh(20.0);
    metrics.watch_client({nullptr, nullptr, nullptr, &fresh});
    const std::string after = metrics.render();
    CHECK(std::stod(after.substr(after.find(prefix) + prefix.size())) ==
          Approx(waited).margin(1e-6));
}

TEST_CASE("the health scope keeps when each scan was first configured, across reloads") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    CHECK(metrics.started() == kStart);
    metrics.set_health_scope({"a", "b"}, 60s, "s1", nullptr);
    clock.set(kStart + 100s);
    metrics.set_health_scope({"b", "c"}, 120s, "s2", nullptr);  // a reload
    service::HealthScope scope = metrics.health_scope();
    CHECK(scope.scans == std::vector<std::string>{"b", "c"});
    CHECK(scope.interval == 120s);
    CHECK(scope.schema == "s2");
    CHECK(scope.configured_since ==
          std::map<std::string, service::TimePoint>{{"b", kStart}, {"c", kStart + 100s}});

    clock.set(kStart + 200s);
    metrics.set_health_scope({"a", "b"}, 120s, "s2", nullptr);  // "a" comes back
    scope = metrics.health_scope();
    CHECK(scope.configured_since ==
          std::map<std::string, service::TimePoint>{{"a", kStart + 200s}, {"b", kStart}});
}
