#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "aws/rate_limiter.hpp"
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
