#include "aws/cubic_rate.hpp"

#include <cmath>

namespace codeguru::aws {

CubicRate::CubicRate(double start_time) : last_throttle_(start_time) {}

double CubicRate::on_success(double now) const {
    const double since = now - last_throttle_;
    return kScale * std::pow(since - k_, 3.0) + w_max_;
}

double CubicRate::on_throttle(double rate, double now) {
    w_max_ = rate;
    // pow(x, 1/3) rather than cbrt: the same arithmetic as the SDKs' (botocore's), to the bit.
    k_ = std::pow(w_max_ * (1.0 - kBeta) / kScale, 1.0 / 3.0);
    last_throttle_ = now;
    return rate * kBeta;
}

}  // namespace codeguru::aws
