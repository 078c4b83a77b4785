#include <catch2/catch.hpp>
#include <thread>

#include "aws/rate_limiter.hpp"
#include "util/stop_flag.hpp"

using namespace codeguru;
using Clock = std::chrono::steady_clock;

TEST_CASE("the rate limiter holds several threads together to the configured rate") {
    aws::RateLimiter limiter(50.0);
    StopFlag stop;
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i) REQUIRE(limiter.acquire(stop));
        });
    }
    for (auto& t : threads) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    // 40 requests at 50/s with a burst of one: 39 intervals of 20 ms.
    CHECK(seconds >= 0.75);
    CHECK(seconds < 1.5);
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
    CHECK(Clock::now() - start < std::chrono::seconds(2));
    stopper.join();
}
