#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "service/heartbeat.hpp"

namespace codeguru::service {

// Pings the systemd watchdog (WATCHDOG=1) every `timeout` / 2 from a thread of its own,
// but only while `heartbeat` is younger than `timeout`: a wedged sync stops the pings and
// systemd restarts the service. The first check is at once. `ping` is the notification
// (notify_watchdog in the daemon). Stops and joins its thread on destruction.
class Watchdog {
  public:
    Watchdog(const Heartbeat& heartbeat, std::chrono::microseconds timeout,
             std::function<void()> ping);
    ~Watchdog();
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

  private:
    void run();

    const Heartbeat& heartbeat_;
    const std::chrono::microseconds timeout_;
    const std::function<void()> ping_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::thread thread_;
};

}  // namespace codeguru::service
