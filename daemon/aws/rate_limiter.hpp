#pragma once

#include <chrono>
#include <mutex>

namespace codeguru {
class StopFlag;
}

namespace codeguru::aws {

// A token bucket shared by every scan: at most `rate` requests per second on
// average, with bursts of at most `burst` requests. Thread-safe.
class RateLimiter {
  public:
    explicit RateLimiter(double requests_per_second, double burst = 1.0);

    // Blocks until a request may go. Returns false when a stop was requested first.
    bool acquire(StopFlag& stop);

    // Seconds that acquire() callers have spent waiting for a token, summed over callers.
    double waited_seconds() const;

  private:
    using Clock = std::chrono::steady_clock;
    mutable std::mutex mutex_;
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
    Clock::duration waited_{};  // guarded by mutex_
};

}  // namespace codeguru::aws
