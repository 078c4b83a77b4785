#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "config/settings.hpp"
#include "service/heartbeat.hpp"
#include "service/metrics.hpp"
#include "sync/scheduler.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::service {

class SignalWatcher;

// The running daemon: the API client stack and the scheduler, built from settings, with
// the metrics and the heartbeat they feed. run_forever() starts a cycle every interval
// (never overlapping), reloads the settings on SIGHUP between cycles, and reports to
// systemd: READY=1, STATUS= after each cycle, WATCHDOG=1 while there is progress,
// RELOADING=1 then READY=1 around a reload, STOPPING=1.
class SyncService {
  public:
    SyncService(Settings settings, StopFlag& stop);
    ~SyncService();
    SyncService(const SyncService&) = delete;
    SyncService& operator=(const SyncService&) = delete;

    // One cycle over every scan.
    sync::CycleSummary run_cycle();

    // Cycles until a stop is requested. `reload` returns the new settings, or
    // std::nullopt when they are invalid (it logs why; the old ones stay in force).
    void run_forever(SignalWatcher& signals,
                     const std::function<std::optional<Settings>()>& reload);

    // Lives as long as the service; thread-safe.
    const Metrics& metrics() const { return metrics_; }

  private:
    class Observer;
    struct Components;
    void build();

    Settings settings_;
    StopFlag& stop_;
    const std::string owner_id_;  // this instance in scan leases and runs
    SystemClock clock_;
    Heartbeat heartbeat_;
    Metrics metrics_;
    std::unique_ptr<Observer> observer_;
    std::unique_ptr<Components> components_;
};

// Opens a connection to the configured database with the daemon's connection defaults
// (store/conninfo.hpp), for one-shot commands (--migrate, --report, --check, health checks).
// Throws pqxx errors.
std::unique_ptr<pqxx::connection> connect_database(const DatabaseSettings& database);
std::unique_ptr<pqxx::connection> connect_database(const std::string& url);

// The systemd status line after a cycle: its summary and when the next one starts.
std::string cycle_status(const sync::CycleSummary& summary,
                         std::chrono::system_clock::time_point next_cycle);

}  // namespace codeguru::service
