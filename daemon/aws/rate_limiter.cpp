#include "aws/rate_limiter.hpp"

#include <algorithm>

#include "util/stop_flag.hpp"

namespace codeguru::aws {

RateLimiter::RateLimiter(double requests_per_second, double burst)
    : rate_(requests_per_second),
      burst_(std::max(1.0, burst)),
      tokens_(burst_),
      last_(Clock::now()) {}

double RateLimiter::waited_seconds() const {
    std::lock_guard lock(mutex_);
    return std::chrono::duration<double>(waited_).count();
}

bool RateLimiter::acquire(StopFlag& stop) {
    for (;;) {
        std::chrono::duration<double> wait{};
        {
            std::lock_guard lock(mutex_);
            const auto now = Clock::now();
            tokens_ = std::min(
                burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * rate_);
            last_ = now;
            if (tokens_ >= 1.0) {
                tokens_ -= 1.0;
                return true;
            }
            wait = std::chrono::duration<double>((1.0 - tokens_) / rate_);
        }
        const auto wait_started = Clock::now();
        const bool waited =
            stop.wait_for(std::chrono::duration_cast<std::chrono::microseconds>(wait) +
                          std::chrono::microseconds(1));
        {
            std::lock_guard lock(mutex_);
            waited_ += Clock::now() - wait_started;
        }
        if (!waited) return false;
    }
}

}  // namespace codeguru::aws
