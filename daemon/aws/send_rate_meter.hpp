#pragma once

namespace codeguru::aws {

// The rate requests are sent at, as the SDKs' adaptive mode measures it: requests counted in
// half-second buckets, each closed bucket folded into an exponentially smoothed rate (0.8 on
// the newest). Times are seconds on a monotonic clock. Not thread-safe: its owner serializes it.
class SendRateMeter {
  public:
    static constexpr double kSmoothing = 0.8;
    static constexpr double kBucketsPerSecond = 2.0;

    explicit SendRateMeter(double start_time);

    // Counts one request answered at `now`; returns the smoothed rate.
    double record(double now);
    double rate() const { return rate_; }

  private:
    double rate_ = 0.0;
    double last_bucket_;
    long count_ = 0;
};

}  // namespace codeguru::aws
