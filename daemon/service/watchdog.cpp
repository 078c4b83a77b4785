#include "service/watchdog.hpp"

#include <spdlog/spdlog.h>

namespace codeguru::service {

Watchdog::Watchdog(const Heartbeat& heartbeat, std::chrono::microseconds timeout,
                   std::function<void()> ping)
    : heartbeat_(heartbeat), timeout_(timeout), ping_(std::move(ping)) {
    thread_ = std::thread([this] { run(); });
}

Watchdog::~Watchdog() {
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Watchdog::run() {
    using std::chrono::duration_cast;
    using std::chrono::seconds;
    bool withheld = false;
    std::unique_lock lock(mutex_);
    while (!done_) {
        const auto age = heartbeat_.age();
        if (age < timeout_) {
            ping_();
            if (withheld) spdlog::info("progress again: watchdog pings resumed");
            withheld = false;
        } else if (!withheld) {
            withheld = true;
            spdlog::error(
                "no progress for {} s: watchdog pings withheld, systemd will restart "
                "the service",
                duration_cast<seconds>(age).count());
        }
        wake_.wait_for(lock, timeout_ / 2, [this] { return done_; });
    }
}

}  // namespace codeguru::service
