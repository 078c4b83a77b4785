#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "util/stop_flag.hpp"

namespace codeguru::service {

// Turns SIGTERM and SIGINT into a stop request and SIGHUP into a reload request.
// Construct it in main() before any other thread starts: it blocks those signals
// in the calling thread (and so in every thread started later) and receives them
// on a thread of its own.
// A second SIGTERM or SIGINT ends the process at once (exit status 128 + signal). A stop
// that has not ended the process `stop_deadline` after the first signal ends it with
// status 0: whatever still blocks is abandoned, and the leases of its runs expire.
class SignalWatcher {
  public:
    explicit SignalWatcher(
        StopFlag& stop, std::chrono::milliseconds stop_deadline = std::chrono::milliseconds(4500));
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

    // True once after each SIGHUP.
    bool take_reload_request() { return reload_.exchange(false); }

  private:
    StopFlag& stop_;
    std::atomic<bool> reload_{false};
    std::atomic<bool> done_{false};
    std::thread thread_;
};

}  // namespace codeguru::service
