#include "aws/send_rate_meter.hpp"

#include <cmath>

namespace codeguru::aws {

// The first bucket starts at the whole second, as the SDKs' does.
SendRateMeter::SendRateMeter(double start_time) : last_bucket_(std::floor(start_time)) {}

double SendRateMeter::record(double now) {
    const double bucket = std::floor(now * kBucketsPerSecond) / kBucketsPerSecond;
    ++count_;
    if (bucket > last_bucket_) {
        const double current = static_cast<double>(count_) / (bucket - last_bucket_);
        rate_ = current * kSmoothing + rate_ * (1.0 - kSmoothing);
        count_ = 0;
        last_bucket_ = bucket;
    }
    return rate_;
}

}  // namespace codeguru::aws
