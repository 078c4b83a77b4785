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

// How often systemd expects WATCHDOG=1 (half of WatchdogSec=), if it does.
std::optional<std::chrono::microseconds> watchdog_ping_interval();

}  // namespace codeguru::service
