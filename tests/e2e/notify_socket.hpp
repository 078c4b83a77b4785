#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace codeguru::test {

// One sd_notify datagram as received.
struct NotifyMessage {
    std::chrono::steady_clock::time_point received_at;
    std::string text;  // e.g. "READY=1", "STATUS=..."
};

// A NOTIFY_SOCKET for a daemon under test: an AF_UNIX datagram socket bound to `path`,
// read by a thread of its own that records every message. Thread-safe.
class NotifySocket {
  public:
    explicit NotifySocket(std::filesystem::path path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::vector<NotifyMessage> messages() const;

    // Waits up to `timeout` until `condition` holds for the messages so far.
    bool wait_for(const std::function<bool(const std::vector<NotifyMessage>&)>& condition,
                  std::chrono::milliseconds timeout) const;

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    mutable std::mutex mutex_;
    std::vector<NotifyMessage> messages_;
    bool done_ = false;
    std::thread thread_;
};

// daemon_environment() plus NOTIFY_SOCKET for `socket`, and WATCHDOG_USEC when
// `watchdog` is not zero, as systemd sets them for a Type=notify service.
std::vector<std::pair<std::string, std::string>> systemd_environment(
    const NotifySocket& socket, std::chrono::microseconds watchdog = {});

// How many messages are exactly `text`.
long count_messages(const std::vector<NotifyMessage>& messages, const std::string& text);
// The index of the first message that starts with `prefix`, or -1.
long first_message(const std::vector<NotifyMessage>& messages, const std::string& prefix,
                   std::size_t from = 0);

}  // namespace codeguru::test
