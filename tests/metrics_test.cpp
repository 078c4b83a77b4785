// The metrics registry: Prometheus text rendering and the /healthz rule.
#include <catch2/catch.hpp>
#include <string>

#include "service/metrics.hpp"
#include "sync_fixture.hpp"

using namespace codeguru;
using namespace std::chrono_literals;
using service::Metrics;
using Outcome = sync::ScanResult::Outcome;

namespace {

const auto kStart = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));

bool has_line(const std::string& text, const std::string& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

sync::ScanResult run_of(const std::string& scan, Outcome outcome) {
    sync::ScanResult result;
    result.scan = scan;
    result.outcome = outcome;
    return result;
}

sync::CycleSummary cycle(int failed, std::chrono::milliseconds duration) {
    sync::CycleSummary summary;
    summary.failed = failed;
    summary.succeeded = failed == 0 ? 1 : 0;
    summary.duration = duration;
    return summary;
}

}  // namespace

TEST_CASE("label values escape backslash, double quote and newline only") {
    CHECK(service::escape_label_value("plain-scan_1:$.") == "plain-scan_1:$.");
    CHECK(service::escape_label_value("a\\b\"c\nd\te") == "a\\\\b\\\"c\\nd\te");
}

TEST_CASE("every family has HELP and TYPE, and samples carry the recorded values") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    metrics.record_page("a", {10, 4, 3, 2, 1});
    metrics.record_page("a", {10, 1, 0, 9, 0});
    metrics.record_run(run_of("a", Outcome::kSucceeded));
    metrics.record_run(run_of("we\"ird", Outcome::kFailed));
    metrics.record_response(200);
    metrics.record_response(200);
    metrics.record_response(429);
    metrics.record_transport_error(aws::TransportError::Kind::kTimeout);
    metrics.record_cycle(cycle(1, 2500ms));
    const std::string text = metrics.render();
    CAPTURE(text);

    CHECK(has_line(text, "# TYPE codeguru_syncd_scan_runs_total counter"));
    CHECK(has_line(text, R"(codeguru_syncd_scan_runs_total{scan="a",outcome="succeeded"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_scan_runs_total{scan="we\"ird",outcome="failed"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_pages_total{scan="a"} 2)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="inserted"} 5)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="updated"} 3)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="unchanged"} 11)"));
    CHECK(has_line(text, R"(codeguru_syncd_findings_total{scan="a",result="rejected"} 1)"));
    CHECK(has_line(text,
                   R"(codeguru_syncd_scan_last_success_timestamp_seconds{scan="a"} 1800000000)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_requests_total{code="200"} 2)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_requests_total{code="429"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_api_transport_errors_total{kind="timeout"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycles_total{result="failed"} 1)"));
    CHECK(has_line(text, "# TYPE codeguru_syncd_cycle_duration_seconds histogram"));
    CHECK(has_line(text, R"(codeguru_syncd_cycle_duration_seconds_bucket{le="1"} 0)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycle_duration_seconds_bucket{le="5"} 1)"));
    CHECK(has_line(text, R"(codeguru_syncd_cycle_duration_seconds_bucket{le="+Inf"} 1)"));
    CHECK(has_line(text, "codeguru_syncd_cycle_duration_seconds_sum 2.5"));
    CHECK(has_line(text, "codeguru_syncd_cycle_duration_seconds_count 1"));
    // No successful cycle yet: no timestamp for one.
    CHECK(text.find("codeguru_syncd_last_cycle_success_timestamp_seconds") == std::string::npos);

    // Each "# TYPE name" is preceded by its "# HELP name".
    std::size_t at = 0;
    while ((at = text.find("# TYPE ", at)) != std::string::npos) {
        const std::string name = text.substr(at + 7, text.find(' ', at + 7) - at - 7);
        CAPTURE(name);
        CHECK(text.rfind("# HELP " + name + " ", at) != std::string::npos);
        ++at;
    }
}

TEST_CASE("retries and throttles survive a client rebuild") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    aws::ServiceClientStats first;
    metrics.watch_client(&first);
    first.retries = 3;
    first.throttles = 2;
    aws::ServiceClientStats second;
    metrics.watch_client(&second);  // a reload rebuilt the client
    second.retries = 1;
    const std::string text = metrics.render();
    CHECK(has_line(text, "codeguru_syncd_api_retries_total 4"));
    CHECK(has_line(text, "codeguru_syncd_api_throttles_total 2"));
    metrics.watch_client(nullptr);
    CHECK(has_line(metrics.render(), "codeguru_syncd_api_retries_total 4"));
}

TEST_CASE("healthz fails when the last successful cycle is older than 3 intervals") {
    test::PinnedClock clock(kStart);
    Metrics metrics(clock);
    metrics.set_interval(60s);
    CHECK(metrics.health().ok);  // starting: counted from the start

    clock.set(kStart + 181s);
    CHECK_FALSE(metrics.health().ok);
    CHECK(metrics.health().detail.starts_with("unhealthy: no successful cycle"));

    metrics.record_cycle(cycle(0, 1s));
    CHECK(metrics.health().ok);
    clock.set(kStart + 181s + 180s);
    CHECK(metrics.health().ok);          // exactly 3 intervals: still fine
    metrics.record_cycle(cycle(1, 1s));  // a failed cycle does not count
    clock.set(kStart + 181s + 181s);
    const auto health = metrics.health();
    CHECK_FALSE(health.ok);
    CHECK(health.detail ==
          "unhealthy: the last successful cycle ended 181 s ago, more than 180 s "
          "(3 intervals)");

    metrics.set_interval(120s);  // a reload with a longer interval
    CHECK(metrics.health().ok);
    CHECK(has_line(metrics.render(),
                   "codeguru_syncd_last_cycle_success_timestamp_seconds 1800000181"));
}
