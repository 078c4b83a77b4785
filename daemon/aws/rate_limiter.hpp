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

  private:
    using Clock = std::chrono::steady_clock;
    std::mutex mutex_;
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_;
};

}  // namespace codeguru::aws
