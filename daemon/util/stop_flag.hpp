#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace codeguru {

// A shutdown request that long waits can observe: every pause in the daemon
// (backoff, rate limit, cycle interval) waits on it, so a stop wakes them at once.
// A flag may be linked to a parent: it is raised with the parent, and can also be raised
// alone (one run's work cancelled while the daemon goes on). Thread-safe.
class StopFlag {
  public:
    StopFlag() = default;
    // REQUIRES: `parent` outlives this flag.
    explicit StopFlag(StopFlag& parent) : parent_(&parent) {
        std::lock_guard lock(parent.mutex_);
        parent.children_.push_back(this);
        if (parent.stopped_) stopped_ = true;
    }
    ~StopFlag() {
        if (parent_ == nullptr) return;
        std::lock_guard lock(parent_->mutex_);
        std::erase(parent_->children_, this);
    }
    StopFlag(const StopFlag&) = delete;
    StopFlag& operator=(const StopFlag&) = delete;

    void request_stop() {
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
            // Children unlink under this mutex, so they are alive while it is held.
            for (StopFlag* child : children_) child->raise();
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
    // REQUIRES the parent's mutex (which keeps this flag alive).
    void raise() {
        {
            std::lock_guard lock(mutex_);
            stopped_ = true;
            for (StopFlag* child : children_) child->raise();
        }
        cv_.notify_all();
    }

    StopFlag* parent_ = nullptr;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::atomic<bool> stopped_{false};
    std::vector<StopFlag*> children_;  // linked flags, raised with this one
};

}  // namespace codeguru
