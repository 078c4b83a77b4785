#pragma once

#include <chrono>

namespace codeguru {

// The wall clock, behind an interface so that tests can pin or advance time
// (request signing dates, credential expiry).
class Clock {
  public:
    virtual ~Clock() = default;
    virtual std::chrono::system_clock::time_point now() const = 0;
};

class SystemClock final : public Clock {
  public:
    std::chrono::system_clock::time_point now() const override {
        return std::chrono::system_clock::now();
    }
};

}  // namespace codeguru
