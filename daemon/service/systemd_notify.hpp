#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace codeguru::service {

// The sd_notify(3) protocol. Every call is a no-op outside systemd (no NOTIFY_SOCKET).
void notify_ready();
void notify_reloading();
void notify_stopping();
void notify_status(const std::string& status);
void notify_watchdog();

// The watchdog timeout systemd set for this process (WatchdogSec=, from WATCHDOG_USEC and
// WATCHDOG_PID), if any: WATCHDOG=1 must come more often than that.
std::optional<std::chrono::microseconds> watchdog_timeout();

}  // namespace codeguru::service
