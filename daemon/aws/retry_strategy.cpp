#include "aws/retry_strategy.hpp"

#include <algorithm>
#include <cmath>

namespace codeguru::aws {

bool RetryQuota::acquire(const ApiError& error, int& taken) {
    const int cost = error.code() == "RequestTimeout" ? kTimeoutRetryCost : kRetryCost;
    std::lock_guard lock(mutex_);
    if (tokens_ < cost) return false;
    tokens_ -= cost;
    taken += cost;
    return true;
}

void RetryQuota::release_on_success(int taken) {
    std::lock_guard lock(mutex_);
    tokens_ = std::min(kCapacity, tokens_ + (taken > 0 ? taken : 1));
}

int RetryQuota::available() const {
    std::lock_guard lock(mutex_);
    return tokens_;
}

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, double jitter) {
    const double base = static_cast<double>(policy.base_delay.count());
    const double cap = static_cast<double>(policy.max_backoff.count());
    // 2^retry overflows nothing: clamp the exponent before it matters.
    const double ceiling = std::min(cap, base * std::ldexp(1.0, std::clamp(retry, 0, 30)));
    const double delay = std::clamp(jitter, 0.0, 1.0) * ceiling;
    return std::chrono::milliseconds(static_cast<long long>(delay));
}

}  // namespace codeguru::aws
