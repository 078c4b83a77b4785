#pragma once

#include "util/monotonic_clock.hpp"

namespace codeguru::test {

// A monotonic clock that stands still until the test moves it.
class ScriptedClock final : public MonotonicClock {
  public:
    explicit ScriptedClock(double now) : now_(now) {}
    double seconds() const override { return now_; }
    void set(double now) { now_ = now; }

  private:
    double now_;
};

}  // namespace codeguru::test

namespace codeguru::test {

// The steady clock, moved ahead by the test: time that passes at once.
class ShiftedSteadyClock final : public MonotonicClock {
  public:
    double seconds() const override { return steady_.seconds() + shift_; }
    void advance(double seconds) { shift_ += seconds; }

  private:
    SteadyClock steady_;
    double shift_ = 0.0;
};

}  // namespace codeguru::test
