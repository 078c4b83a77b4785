#include "service/signal_watcher.hpp"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <ctime>

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

SignalWatcher::SignalWatcher(StopFlag& stop) : stop_(stop) {
    const sigset_t set = handled_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    thread_ = std::thread([this, set] {
        // A short timeout lets the destructor end the thread without a signal of its own.
        const timespec timeout{0, 200 * 1000 * 1000};
        while (!done_) {
            const int sig = sigtimedwait(&set, nullptr, &timeout);
            if (sig == SIGTERM || sig == SIGINT) {
                spdlog::info("received {}: finishing the page in flight, then stopping",
                             sig == SIGTERM ? "SIGTERM" : "SIGINT");
                stop_.request_stop();
            } else if (sig == SIGHUP) {
                spdlog::info("received SIGHUP: the configuration is reloaded before the next cycle");
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
