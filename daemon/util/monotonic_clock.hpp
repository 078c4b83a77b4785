#pragma once

#include <chrono>

namespace codeguru {

// Seconds on a clock that never jumps, behind an interface so that tests can drive time
// (the adaptive request rate's measurements).
class MonotonicClock {
  public:
    virtual ~MonotonicClock() = default;
    virtual double seconds() const = 0;
};

class SteadyClock final : public MonotonicClock {
  public:
    double seconds() const override {
        return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace codeguru
