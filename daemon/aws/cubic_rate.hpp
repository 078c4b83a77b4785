#pragma once

namespace codeguru::aws {

// The CUBIC window (RFC 8312) the AWS SDKs' adaptive retry mode applies to request rates:
// a throttle cuts the rate to β = 0.7 of the rate it was sent at, and the rate then grows
// back along C·(t − K)³ + W_max, flat near the rate that was throttled, steep past it.
// Times are seconds on a monotonic clock. Not thread-safe: its owner serializes it.
class CubicRate {
  public:
    static constexpr double kScale = 0.4;  // C
    static constexpr double kBeta = 0.7;   // β

    explicit CubicRate(double start_time);

    // The rate the window allows at `now` after a request that was not throttled.
    double on_success(double now) const;
    // Records a throttle at `now` of requests sent at `rate`; returns the cut rate.
    double on_throttle(double rate, double now);

  private:
    double w_max_ = 0.0;  // the rate of the last throttle
    double k_ = 0.0;      // seconds from the last throttle until the window is back at w_max_
    double last_throttle_;
};

}  // namespace codeguru::aws
