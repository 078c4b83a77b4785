#include "service/signal_watcher.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <ctime>
#include <optional>

namespace codeguru::service {
namespace {

sigset_t handled_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return set;
}

}  // namespace

SignalWatcher::SignalWatcher(StopFlag& stop, std::chrono::milliseconds stop_deadline)
    : stop_(stop) {
    const sigset_t set = handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    thread_ = std::thread([this, set, stop_deadline] {
        // A short timeout lets the destructor end the thread without a signal of its own.
        const timespec timeout{0, 100 * 1000 * 1000};
        std::optional<std::chrono::steady_clock::time_point> stopping_since;
        while (!done_) {
            const int sig = sigtimedwait(&set, nullptr, &timeout);
            if (stopping_since &&
                std::chrono::steady_clock::now() - *stopping_since > stop_deadline) {
                spdlog::error("still not stopped {} ms after the signal; exiting now",
                              stop_deadline.count());
                spdlog::default_logger()->flush();
                std::_Exit(0);
            }
            if ((sig == SIGTERM || sig == SIGINT) && stopping_since) {
                spdlog::warn("received a second {}: exiting at once",
                             sig == SIGTERM ? "SIGTERM" : "SIGINT");
                spdlog::default_logger()->flush();
                std::_Exit(128 + sig);
            }
            if (sig == SIGTERM || sig == SIGINT) {
                spdlog::info("received {}: finishing the page in flight, then stopping",
                             sig == SIGTERM ? "SIGTERM" : "SIGINT");
                stopping_since = std::chrono::steady_clock::now();
                stop_.request_stop();
            } else if (sig == SIGHUP) {
                spdlog::info(
                    "received SIGHUP: the configuration is reloaded before the next cycle");
                reload_ = true;
            }
        }
    });
}

SignalWatcher::~SignalWatcher() {
    done_ = true;
    thread_.join();
}

}  // namespace codeguru::service
