#pragma once

#include <chrono>
#include <mutex>

#include "aws/api_error.hpp"

namespace codeguru::aws {

// The retry token bucket of the SDKs' "standard" mode: shared by every request of a
// client so that a failing service is not hammered from many threads at once.
// 500 tokens; a retry costs 5, a retry after a timeout 10; success refunds what its
// retries took, or 1 token when it needed none. Thread-safe.
class RetryQuota {
  public:
    static constexpr int kCapacity = 500;
    static constexpr int kRetryCost = 5;
    static constexpr int kTimeoutRetryCost = 10;

    // Takes the cost of retrying after `error`. False when the bucket is too low.
    bool acquire(const ApiError& error, int& taken);
    void release_on_success(int taken);
    int available() const;

  private:
    mutable std::mutex mutex_;
    int tokens_ = kCapacity;
};

struct RetryPolicy {
    int max_attempts = 5;
    std::chrono::milliseconds base_delay{1000};
    std::chrono::milliseconds max_backoff{20000};
};

// Exponential backoff with full jitter: random(0,1) × min(2^retry × base, max).
// `retry` counts from 0 for the first retry. Pure; `jitter` in [0, 1).
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter);

}  // namespace codeguru::aws
