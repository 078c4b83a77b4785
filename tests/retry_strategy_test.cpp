#include <catch2/catch.hpp>

#include "aws/retry_strategy.hpp"

using namespace codeguru::aws;
using std::chrono::milliseconds;

TEST_CASE("backoff is full jitter under an exponential ceiling capped at 20 s") {
    const RetryPolicy policy{5, milliseconds(1000), milliseconds(20000)};
    CHECK(backoff_delay(policy, 0, 0.0) == milliseconds(0));
    CHECK(backoff_delay(policy, 0, 0.5) == milliseconds(500));
    CHECK(backoff_delay(policy, 1, 0.5) == milliseconds(1000));
    CHECK(backoff_delay(policy, 3, 0.999) == milliseconds(7992));
    CHECK(backoff_delay(policy, 5, 1.0) == milliseconds(20000));
    CHECK(backoff_delay(policy, 60, 1.0) == milliseconds(20000));
    CHECK(backoff_delay(policy, 4, 0.25) == milliseconds(4000));
}

TEST_CASE("the retry quota charges retries, more for timeouts, and refunds on success") {
    RetryQuota quota;
    const ApiError throttle("ThrottlingException", "m", 429, true);
    const ApiError timeout("RequestTimeout", "m", 0, true);
    int taken = 0;
    REQUIRE(quota.acquire(throttle, taken));
    REQUIRE(quota.acquire(timeout, taken));
    CHECK(taken == 15);
    CHECK(quota.available() == 485);
    quota.release_on_success(taken);
    CHECK(quota.available() == 500);
}

TEST_CASE("an exhausted retry quota refuses further retries") {
    RetryQuota quota;
    const ApiError error("InternalServerException", "m", 500, true);
    int taken = 0;
    int granted = 0;
    while (quota.acquire(error, taken)) ++granted;
    CHECK(granted == 100);
    CHECK(quota.available() == 0);
    quota.release_on_success(0);  // a success without retries earns one token back
    CHECK(quota.available() == 1);
}
