#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "config/settings.hpp"
#include "sync/scheduler.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::service {

class SignalWatcher;

// The running daemon: the API client stack and the scheduler, built from settings.
// run_forever() starts a cycle every interval (never overlapping), reloads the settings
// on SIGHUP between cycles, and reports to systemd.
class SyncService {
public:
    SyncService(Settings settings, StopFlag& stop);
    ~SyncService();

    // One cycle over every scan.
    sync::CycleSummary run_cycle();

    // Cycles until a stop is requested. `reload` returns the new settings, or
    // std::nullopt when they are invalid (it logs why; the old ones stay in force).
    void run_forever(SignalWatcher& signals,
                     const std::function<std::optional<Settings>()>& reload);

private:
    struct Components;
    void build();

    Settings settings_;
    StopFlag& stop_;
    std::unique_ptr<Components> components_;
};

// Opens a connection to the configured database. Throws pqxx errors.
std::unique_ptr<pqxx::connection> connect_database(const std::string& url);

}  // namespace codeguru::service
