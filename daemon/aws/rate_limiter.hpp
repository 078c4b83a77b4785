#pragma once

#include <chrono>
#include <mutex>
#include <optional>

#include "aws/cubic_rate.hpp"
#include "aws/send_rate_meter.hpp"
#include "util/monotonic_clock.hpp"

namespace codeguru {
class StopFlag;
}

namespace codeguru::aws {

// The client-side request rate of the whole process, shared by every scan and stream.
// Thread-safe.
//
// Adaptive, as the AWS SDKs' adaptive retry mode: no limit until the service throttles. From
// the first throttle on, requests take tokens from a bucket whose fill rate follows CUBIC
// (cubic_rate.hpp) over the measured send rate (send_rate_meter.hpp): cut to 0.7 of the rate
// that was throttled, grown back while answers come through, never above twice the measured
// rate, never below 0.5/s; the bucket holds one second's worth. An optional `ceiling`
// (aws.requests_per_second) caps the rate at all times, with bursts of one request.
class RateLimiter {
  public:
    static constexpr double kMinRate = 0.5;
    static constexpr double kMaxGrowth = 2.0;  // × the measured rate

    // `adaptive` false: the ceiling alone, never cut by throttles (for tests that pin the
    // retry backoff to the millisecond).
    explicit RateLimiter(std::optional<double> ceiling = std::nullopt, bool adaptive = true);
    // `clock` must outlive the limiter.
    RateLimiter(std::optional<double> ceiling, const MonotonicClock& clock, bool adaptive = true);

    // Blocks until a request may go. Returns false when a stop was requested first.
    bool acquire(StopFlag& stop);
    // Tells the limiter an answer came (any answer, or a failure to get one): `throttled`
    // when the service refused it for its rate.
    void on_answer(bool throttled);

    // Seconds that acquire() callers have spent waiting for a token, summed over callers.
    double waited_seconds() const;
    // The adaptive fill rate in requests/s; none until the service has throttled.
    std::optional<double> adaptive_rate() const;
    const std::optional<double>& ceiling() const { return ceiling_; }
    double measured_rate() const;

  private:
    // A token bucket: `rate` tokens a second, at most `capacity`.
    struct Bucket {
        double rate = 0.0;
        double capacity = 1.0;
        double tokens = 0.0;
        std::optional<double> last;  // the first refill only starts the clock
        void refill(double now);
        double wait_for_token() const { return tokens >= 1.0 ? 0.0 : (1.0 - tokens) / rate; }
    };
    void set_adaptive_rate(double rate, double now);  // REQUIRES: mutex_ held

    const SteadyClock steady_;
    const MonotonicClock& clock_;
    const std::optional<double> ceiling_;
    const bool may_adapt_;
    mutable std::mutex mutex_;
    Bucket ceiling_bucket_;  // used only with a ceiling
    Bucket adaptive_bucket_;
    bool adaptive_ = false;  // true from the first throttle on
    CubicRate cubic_;
    SendRateMeter meter_;
    std::chrono::duration<double> waited_{};
};

}  // namespace codeguru::aws
