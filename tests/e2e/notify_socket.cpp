#include "notify_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "daemon_process.hpp"

namespace codeguru::test {

NotifySocket::NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path_.string();
    if (text.size() >= sizeof address.sun_path) throw std::runtime_error("path too long: " + text);
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        ::close(fd_);
        throw std::system_error(error, std::generic_category(), "bind " + text);
    }
    thread_ = std::thread([this] {
        char buffer[4096];
        for (;;) {
            {
                std::lock_guard lock(mutex_);
                if (done_) return;
            }
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) continue;
            std::lock_guard lock(mutex_);
            messages_.push_back({std::chrono::steady_clock::now(), std::string(buffer, n)});
        }
    });
}

NotifySocket::~NotifySocket() {
    {
        std::lock_guard lock(mutex_);
        done_ = true;
    }
    thread_.join();
    ::close(fd_);
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

std::vector<NotifyMessage> NotifySocket::messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
}

bool NotifySocket::wait_for(const std::function<bool(const std::vector<NotifyMessage>&)>& condition,
                            std::chrono::milliseconds timeout) const {
    return wait_until([&] { return condition(messages()); }, timeout);
}

std::vector<std::pair<std::string, std::string>> systemd_environment(
    const NotifySocket& socket, std::chrono::microseconds watchdog) {
    auto env = daemon_environment();
    env.emplace_back("NOTIFY_SOCKET", socket.path().string());
    if (watchdog.count() > 0) env.emplace_back("WATCHDOG_USEC", std::to_string(watchdog.count()));
    return env;
}

long count_messages(const std::vector<NotifyMessage>& messages, const std::string& text) {
    long count = 0;
    for (const auto& m : messages) count += m.text == text;
    return count;
}

long first_message(const std::vector<NotifyMessage>& messages, const std::string& prefix,
                   std::size_t from) {
    for (std::size_t i = from; i < messages.size(); ++i) {
        if (messages[i].text.starts_with(prefix)) return static_cast<long>(i);
    }
    return -1;
}

}  // namespace codeguru::test
