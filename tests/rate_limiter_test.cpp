#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "aws/rate_limiter.hpp"
#include "scripted_clock.hpp"
#include "util/stop_flag.hpp"

using namespace codeguru;
using Clock = std::chrono::steady_clock;

TEST_CASE("the rate limiter holds several threads together to the configured rate") {
    aws::RateLimiter limiter(50.0);
    StopFlag stop;
    const auto start = Clock::now();
    std::atomic<int> refused{0};  // counted here, asserted on the test's own thread
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i) refused += limiter.acquire(stop) ? 0 : 1;
        });
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    CHECK(refused == 0);
    // 40 requests at 50/s with a burst of one: 39 intervals of 20 ms, never less. The upper
    // bound only rules out a limiter several times too slow: on two loaded cores (and under
    // the sanitizers) each of the 39 wake-ups may come late.
    CHECK(seconds >= 0.75);
    CHECK(seconds < 4.0);
}

TEST_CASE("a stop wakes a thread waiting for the rate limiter") {
    aws::RateLimiter limiter(0.01);
    StopFlag stop;
    REQUIRE(limiter.acquire(stop));
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        stop.request_stop();
    });
    const auto start = Clock::now();
    CHECK_FALSE(limiter.acquire(stop));
    // Without the stop the next token would come in 100 s.
    CHECK(Clock::now() - start < std::chrono::seconds(30));
    stopper.join();
}

TEST_CASE("without a ceiling the limiter lets every request go until the service throttles") {
    aws::RateLimiter limiter;
    StopFlag stop;
    for (int i = 0; i < 10000; ++i) REQUIRE(limiter.acquire(stop));
    for (int i = 0; i < 100; ++i) limiter.on_answer(false);
    for (int i = 0; i < 10000; ++i) REQUIRE(limiter.acquire(stop));
    CHECK(limiter.waited_seconds() == 0.0);
    CHECK_FALSE(limiter.adaptive_rate().has_value());
}

TEST_CASE("a throttle before any rate was measured holds requests to the 0.5/s floor") {
    // The SDKs' adaptive mode: the cut is 0.7 x the measured rate, nothing measured yet is 0,
    // and the rate never drops below 0.5 requests/s; the bucket starts empty.
    // On a whole second: the first half-second bucket is still open, nothing is measured.
    test::ScriptedClock clock(1000.0);
    aws::RateLimiter limiter(std::nullopt, clock);
    StopFlag stop;
    clock.set(1000.1);
    limiter.on_answer(true);
    REQUIRE(limiter.adaptive_rate().has_value());
    CHECK(*limiter.adaptive_rate() == Approx(0.5));
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        stop.request_stop();
    });
    // An unlimited limiter would say yes at once; this one waits ~2 s for its first token.
    CHECK_FALSE(limiter.acquire(stop));
    stopper.join();
    // The scripted clock stands still: the limiter waited for a token that never came.
}

TEST_CASE("a ceiling holds even when the adaptive rate is higher") {
    test::ShiftedSteadyClock clock;
    aws::RateLimiter limiter(20.0, clock);
    StopFlag stop;
    // Two seconds of answers at 50/s, passed at once, then a throttle: adaptive from here on,
    // at 0.7 x 50/s, well above the ceiling of 20/s.
    for (int i = 0; i < 100; ++i) {
        clock.advance(0.02);
        limiter.on_answer(false);
    }
    limiter.on_answer(true);
    REQUIRE(limiter.adaptive_rate().has_value());
    REQUIRE(*limiter.adaptive_rate() > 30.0);
    const auto start = Clock::now();
    for (int i = 0; i < 11; ++i) REQUIRE(limiter.acquire(stop));
    // 10 intervals of 50 ms at the ceiling, never less.
    CHECK(Clock::now() - start >= std::chrono::milliseconds(450));
}
