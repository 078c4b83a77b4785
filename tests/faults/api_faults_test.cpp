// The network and the API misbehaving under a real sync (issue 8): throttling storms, 5xx
// bursts, answers slower than the timeout, dropped connections and malformed JSON. Each
// case ends with the database compared to what one clean sync of the same data stores.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "aws/retry_strategy.hpp"
#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "stored_findings.hpp"
#include "support_fault_sync.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Outcome = sync::ScanResult::Outcome;
using Kind = Fault::Kind;

namespace {

constexpr int kPageSize = 10;

// Client options for the fixture's fake: `max_attempts` per request, answers awaited
// `timeout` at most.
ClientStackOptions attempts(int max_attempts, std::chrono::milliseconds timeout = 5000ms) {
    ClientStackOptions options;
    options.max_attempts = max_attempts;
    options.request_timeout = timeout;
    return options;
}

struct Checkpoint {
    int pages_done = 0;
    std::optional<std::string> next_token;
};

Checkpoint stored_checkpoint(SyncFixture& fx, const std::string& scan) {
    const auto rows = fx.query(
        "SELECT pages_done, next_token FROM sync_checkpoints "
        "WHERE scan_name = '" +
        scan + "'");
    REQUIRE(rows.size() == 1);
    Checkpoint cp;
    cp.pages_done = rows[0][0].as<int>();
    if (!rows[0][1].is_null()) cp.next_token = rows[0][1].as<std::string>();
    return cp;
}

// A fixture serving `findings` findings as scan "s", with its clean snapshot taken.
struct FaultCase {
    SyncFixture fx;
    TablesSnapshot clean;

    FaultCase(std::size_t findings, std::uint64_t seed, ClientStackOptions client) {
        fx.fake.set_scan("s", generate_findings("s", findings, seed));
        clean = clean_snapshot(fx.fake.endpoint(), "s", kPageSize);
        fx.fake.clear_requests();
        use_client(fx, client);
    }

    // The stored findings equal the clean sync's, row for row, and the wire's, member for
    // member; the pass is complete.
    void check_clean() {
        CHECK(difference_from(clean, fx) == "");
        CHECK(stored_flat_findings(fx.schema.conninfo(), fx.schema.name(), "s") ==
              expected_flat_findings(fx.fake.findings("s")));
        const auto cp = stored_checkpoint(fx, "s");
        CHECK(cp.pages_done == 0);
        CHECK_FALSE(cp.next_token);
        CHECK(fx.query("SELECT count(*) FROM findings WHERE missing_since IS NOT NULL")[0][0]
                  .as<int>() == 0);
    }
};

// GetFindings requests grouped by page (their nextToken, "" for the first), in arrival order.
std::map<std::string, std::vector<RequestRecord>> by_page(const std::vector<RequestRecord>& log) {
    std::map<std::string, std::vector<RequestRecord>> pages;
    for (const auto& request : log) {
        if (request.operation == "GetFindings") {
            pages[request.param("nextToken").value_or("")].push_back(request);
        }
    }
    for (auto& [token, requests] : pages) {
        std::stable_sort(requests.begin(), requests.end(), [](const auto& a, const auto& b) {
            return a.received_at < b.received_at;
        });
    }
    return pages;
}

}  // namespace

TEST_CASE("a throttling storm (half of all requests 429) completes with capped, jittered backoff") {
    ClientStackOptions client;
    client.max_attempts = 10;
    client.base_delay = 10ms;
    // The backoff alone between attempts: the adaptive rate's cuts would add their own waits.
    client.adaptive_rate = false;
    FaultCase c(400, 801, client);
    // For a while (20 throttles), each request is throttled with probability 1/2.
    c.fx.fake.inject(Fault{.kind = Kind::kThrottle, .count = 20, .probability = 0.5, .seed = 2024});

    const auto result = c.fx.sync("s", kPageSize);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.pages == 40);
    c.check_clean();

    const auto log = c.fx.fake.requests();
    const auto throttled =
        std::count_if(log.begin(), log.end(), [](const auto& r) { return r.status == 429; });
    CHECK(throttled == 20);
    CHECK(c.fx.stack->service().stats().throttles == 20);
    // Half of the requests during the storm were throttled.
    const auto last_429 =
        std::find_if(log.rbegin(), log.rend(), [](const auto& r) { return r.status == 429; });
    const auto during = std::distance(last_429, log.rend());
    CHECK(throttled * 10 >= during * 3);
    CHECK(throttled * 10 <= during * 7);

    // Backoff from the request timestamps: after the k-th consecutive 429 of a page the
    // next attempt waits random(0, 1) × min(2^k × base, cap), never more.
    aws::RetryPolicy policy;
    policy.base_delay = client.base_delay;
    // The round trip itself, and a loaded machine (two cores, sanitizers): this only rules
    // out waits far beyond the ceiling; retry_strategy_test pins the exact draw.
    constexpr auto kSlack = 1000ms;
    double waited_ms = 0;
    double ceiling_ms = 0;
    std::map<int, std::vector<double>> gaps_by_retry;
    for (const auto& [token, attempts] : by_page(log)) {
        for (std::size_t i = 0; i + 1 < attempts.size(); ++i) {
            INFO("page " << token << " attempt " << i + 1);
            REQUIRE(attempts[i].status == 429);
            const auto gap = attempts[i + 1].received_at - attempts[i].received_at;
            const auto cap = aws::backoff_delay(policy, static_cast<int>(i), 0.999999);
            CHECK(gap <= cap + kSlack);
            const double gap_ms = std::chrono::duration<double, std::milli>(gap).count();
            waited_ms += gap_ms;
            ceiling_ms += static_cast<double>(cap.count());
            gaps_by_retry[static_cast<int>(std::min<std::size_t>(i, 2))].push_back(gap_ms);
        }
        CHECK(attempts.back().status == 200);
    }
    // Full jitter waits half the ceiling on average: far from nothing.
    CHECK(waited_ms >= ceiling_ms / 2 * 0.4);
    // And the ceiling grows: retries after two or more 429s in a row wait longer on average.
    REQUIRE(gaps_by_retry[0].size() >= 5);
    REQUIRE(gaps_by_retry[2].size() >= 2);
    const auto mean = [](const std::vector<double>& v) {
        double sum = 0;
        for (const double x : v) sum += x;
        return sum / static_cast<double>(v.size());
    };
    CHECK(mean(gaps_by_retry[2]) > mean(gaps_by_retry[0]));
}

TEST_CASE("bursts of 500, 502, 503 and 504 shorter than max_attempts are retried, sync complete") {
    FaultCase c(200, 802, attempts(3));
    std::size_t after = 2;
    for (const int status : {500, 502, 503, 504}) {
        c.fx.fake.inject(Fault{.kind = Kind::kServerError,
                               .count = 2,
                               .after_requests = after,
                               .http_status = status});
        after += 3;
    }
    const auto result = c.fx.sync("s", kPageSize);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    c.check_clean();
    CHECK(c.fx.fake.pending_faults() == 0);
    CHECK(c.fx.stack->service().stats().retries == 8);
    for (const int status : {500, 502, 503, 504}) {
        const auto log = c.fx.fake.requests();
        CHECK(std::count_if(log.begin(), log.end(),
                            [&](const auto& r) { return r.status == status; }) == 2);
    }
}

TEST_CASE("a 5xx burst longer than max_attempts fails the run, keeps the checkpoint, and resumes") {
    FaultCase c(100, 803, attempts(3));
    c.fx.fake.inject(
        Fault{.kind = Kind::kServerError, .count = 0, .after_requests = 3, .http_status = 503});
    const auto failed = c.fx.sync("s", kPageSize);
    CHECK(failed.outcome == Outcome::kFailed);
    INFO(failed.error);
    CHECK(failed.error.find("503") != std::string::npos);
    CHECK(failed.error.find("gave up after 3 attempts") != std::string::npos);

    // Three pages committed, the fourth never half-applied, its token kept.
    const auto pages = by_page(c.fx.fake.requests());
    const auto cp = stored_checkpoint(c.fx, "s");
    CHECK(cp.pages_done == 3);
    REQUIRE(cp.next_token);
    REQUIRE(pages.count(*cp.next_token) == 1);
    CHECK(pages.at(*cp.next_token).size() == 3);
    const auto partial = snapshot_tables(c.fx.schema.conninfo(), c.fx.schema.name());
    CHECK(partial.finding_keys().size() == 30);
    CHECK(describe_difference(c.clean.restricted_to(partial.finding_keys()), partial) == "");
    const auto run = c.fx.query("SELECT outcome, error FROM sync_runs");
    CHECK(run[0][0].as<std::string>() == "failed");
    CHECK(run[0][1].as<std::string>() == failed.error);

    c.fx.fake.clear_faults();
    c.fx.fake.clear_requests();
    use_client(c.fx, attempts(3));
    const auto resumed = c.fx.sync("s", kPageSize);
    REQUIRE(resumed.outcome == Outcome::kSucceeded);
    CHECK(resumed.pages == 7);
    CHECK(c.fx.fake.requests().front().param("nextToken") == cp.next_token);
    c.check_clean();
}

TEST_CASE("answers slower than the request timeout are abandoned and retried, sync complete") {
    constexpr auto kSlowAnswer = 3s;
    FaultCase c(100, 804, attempts(3, 300ms));
    c.fx.fake.inject(
        Fault{.kind = Kind::kDelay, .count = 2, .after_requests = 4, .delay = kSlowAnswer});
    const auto result = c.fx.sync("s", kPageSize);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    c.check_clean();
    CHECK(c.fx.fake.pending_faults() == 0);  // both slow answers were sent
    CHECK(c.fx.stack->service().stats().retries == 2);

    // Both slow answers were given up on at the timeout, not waited for: each one's retry
    // reached the fake before the answer was due. (The fake logs a request once answered.)
    const auto slow = [&] {
        std::vector<RequestRecord> delayed;
        for (const auto& r : c.fx.fake.requests()) {
            if (r.fault == Kind::kDelay) delayed.push_back(r);
        }
        return delayed;
    };
    REQUIRE(wait_until([&] { return slow().size() == 2; }, 10s));
    const auto log = get_findings_since(c.fx.fake, {});
    for (const auto& delayed : slow()) {
        const auto retry = std::find_if(log.begin(), log.end(), [&](const RequestRecord& r) {
            return r.received_at > delayed.received_at;
        });
        REQUIRE(retry != log.end());
        CHECK(retry->param("nextToken") == delayed.param("nextToken"));
        // At least the 300 ms timeout; far less than the answer's 3 s, even on a loaded machine.
        CHECK(retry->received_at - delayed.received_at >= 300ms);
        CHECK(retry->received_at - delayed.received_at < kSlowAnswer);
    }
}

TEST_CASE("connections dropped mid-body are retried and never half-applied, sync complete") {
    FaultCase c(150, 805, attempts(3));
    c.fx.fake.inject(Fault{.kind = Kind::kDropConnection, .count = 2, .after_requests = 1});
    c.fx.fake.inject(Fault{.kind = Kind::kDropConnection, .count = 1, .after_requests = 9});
    c.fx.fake.inject(Fault{.kind = Kind::kMalformedJson, .count = 1, .after_requests = 6});
    const auto result = c.fx.sync("s", kPageSize);
    INFO(result.error);
    REQUIRE(result.outcome == Outcome::kSucceeded);
    CHECK(result.pages == 15);
    c.check_clean();
    CHECK(c.fx.fake.pending_faults() == 0);
    // The dropped body's finding ("00000000-dropped") was never stored.
    CHECK(c.fx.query("SELECT count(*) FROM findings")[0][0].as<int>() == 150);
}

TEST_CASE("truncated JSON on every attempt fails the run with a clear error, checkpoint intact") {
    FaultCase c(100, 806, attempts(3));
    c.fx.fake.inject(Fault{.kind = Kind::kMalformedJson, .count = 0, .after_requests = 2});
    const auto failed = c.fx.sync("s", kPageSize);
    CHECK(failed.outcome == Outcome::kFailed);
    INFO(failed.error);
    CHECK(failed.error.find("MalformedResponse") != std::string::npos);
    CHECK(failed.error.find("not valid JSON") != std::string::npos);
    CHECK(failed.error.find("gave up after 3 attempts") != std::string::npos);
    CHECK(failed.error.find('\n') == std::string::npos);

    const auto cp = stored_checkpoint(c.fx, "s");
    CHECK(cp.pages_done == 2);
    REQUIRE(cp.next_token);
    const auto pages = by_page(c.fx.fake.requests());
    CHECK(pages.at(*cp.next_token).size() == 3);  // the page was retried, then given up
    const auto partial = snapshot_tables(c.fx.schema.conninfo(), c.fx.schema.name());
    CHECK(partial.finding_keys().size() == 20);
    CHECK(describe_difference(c.clean.restricted_to(partial.finding_keys()), partial) == "");
    const auto last_error = c.fx.query("SELECT last_error FROM sync_checkpoints");
    CHECK(last_error[0][0].as<std::string>() == failed.error);

    c.fx.fake.clear_faults();
    use_client(c.fx, attempts(3));
    const auto resumed = c.fx.sync("s", kPageSize);
    REQUIRE(resumed.outcome == Outcome::kSucceeded);
    CHECK(resumed.pages == 8);
    c.check_clean();
}
