#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace codeguru {

// A shutdown request that long waits can observe: every pause in the daemon
// (backoff, rate limit, cycle interval) waits on it, so a stop wakes them at once.
// Thread-safe.
class StopFlag {
  public:
    void request_stop() {
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
        }
        cv_.notify_all();
    }

    bool stop_requested() const { return stopped_.load(); }

    // Sleeps for `duration` unless a stop is requested first.
    // Returns true when the full duration elapsed, false when woken by a stop.
    template <class Rep, class Period>
    bool wait_for(std::chrono::duration<Rep, Period> duration) {
        std::unique_lock lock(mutex_);
        return !cv_.wait_for(lock, duration, [this] { return stopped_.load(); });
    }

  private:
    std::mutex mutex_;
    std::condition_variable cv_;
    std::atomic<bool> stopped_{false};
};

}  // namespace codeguru
