#pragma once

#include <atomic>
#include <chrono>

namespace codeguru::service {

// The time of the daemon's last sign of progress (a page committed, an API answer, a
// tick of the idle wait), for the systemd watchdog. Thread-safe and lock-free.
class Heartbeat {
  public:
    using SteadyClock = std::chrono::steady_clock;

    Heartbeat() { beat(); }

    void beat() { last_.store(SteadyClock::now().time_since_epoch().count()); }

    SteadyClock::duration age(SteadyClock::time_point now = SteadyClock::now()) const {
        return now - SteadyClock::time_point(SteadyClock::duration(last_.load()));
    }

  private:
    std::atomic<SteadyClock::rep> last_{0};
};

}  // namespace codeguru::service
