#include "aws/rate_limiter.hpp"

#include <algorithm>

#include "util/stop_flag.hpp"

namespace codeguru::aws {

void RateLimiter::Bucket::refill(double now) {
    if (last) tokens = std::min(capacity, tokens + (now - *last) * rate);
    last = now;
}

RateLimiter::RateLimiter(std::optional<double> ceiling, bool adaptive)
    : RateLimiter(ceiling, steady_, adaptive) {}

// The SDKs' bucket starts at 1 request/s, empty; it only matters from the first throttle on,
// by when every answer has set its rate.
RateLimiter::RateLimiter(std::optional<double> ceiling, const MonotonicClock& clock, bool adaptive)
    : clock_(clock),
      ceiling_(ceiling),
      may_adapt_(adaptive),
      cubic_(clock.seconds()),
      meter_(clock.seconds()) {
    if (ceiling_) {
        ceiling_bucket_.rate = *ceiling_;
        ceiling_bucket_.tokens = 1.0;
    }
    adaptive_bucket_.rate = 1.0;
}

void RateLimiter::set_adaptive_rate(double rate, double now) {
    adaptive_bucket_.refill(now);  // what accrued so far accrued at the old rate
    adaptive_bucket_.rate = std::max(rate, kMinRate);
    adaptive_bucket_.capacity = std::max(rate, 1.0);
    adaptive_bucket_.tokens = std::min(adaptive_bucket_.tokens, adaptive_bucket_.capacity);
}

void RateLimiter::on_answer(bool throttled) {
    std::lock_guard lock(mutex_);
    const double now = clock_.seconds();
    const double measured = meter_.record(now);
    double rate = 0.0;
    if (!throttled) {
        rate = cubic_.on_success(now);
    } else {
        // Once limiting, the rate that was throttled is at most what the bucket let through.
        rate = cubic_.on_throttle(adaptive_ ? std::min(measured, adaptive_bucket_.rate) : measured,
                                  now);
        adaptive_ = may_adapt_;
    }
    set_adaptive_rate(std::min(rate, kMaxGrowth * measured), now);
}

bool RateLimiter::acquire(StopFlag& stop) {
    for (;;) {
        double wait = 0.0;
        {
            std::lock_guard lock(mutex_);
            if (!ceiling_ && !adaptive_) return true;
            const double now = clock_.seconds();
            if (ceiling_) {
                ceiling_bucket_.refill(now);
                wait = ceiling_bucket_.wait_for_token();
            }
            if (adaptive_) {
                adaptive_bucket_.refill(now);
                wait = std::max(wait, adaptive_bucket_.wait_for_token());
            }
            if (wait <= 0.0) {
                if (ceiling_) ceiling_bucket_.tokens -= 1.0;
                if (adaptive_) adaptive_bucket_.tokens -= 1.0;
                return true;
            }
        }
        const double wait_started = clock_.seconds();
        const bool waited =
            stop.wait_for(std::chrono::microseconds(static_cast<long long>(wait * 1e6) + 1));
        {
            std::lock_guard lock(mutex_);
            waited_ += std::chrono::duration<double>(clock_.seconds() - wait_started);
        }
        if (!waited) return false;
    }
}

double RateLimiter::waited_seconds() const {
    std::lock_guard lock(mutex_);
    return waited_.count();
}

std::optional<double> RateLimiter::adaptive_rate() const {
    std::lock_guard lock(mutex_);
    if (!adaptive_) return std::nullopt;
    return adaptive_bucket_.rate;
}

double RateLimiter::measured_rate() const {
    std::lock_guard lock(mutex_);
    return meter_.rate();
}

}  // namespace codeguru::aws
