#include "tcp_proxy.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace codeguru::test {

namespace {

// A side stops reading while this much of its data waits for the other side.
constexpr std::size_t kMaxBuffered = 256 * 1024;
constexpr std::size_t kReadChunk = 64 * 1024;

std::runtime_error sys_error(const std::string& what) {
    return std::runtime_error("tcp proxy: " + what + ": " + std::strerror(errno));
}

void set_nonblocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

// Closes a TCP socket with an RST instead of a FIN (a unix socket simply closes).
void reset_close(int fd) {
    if (fd < 0) return;
    const linger abort_now{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    ::close(fd);
}

}  // namespace

// One proxied connection. upstream is -1 while a connection accepted during a stall waits.
struct TcpProxy::Connection {
    int client = -1;
    int upstream = -1;
    std::string to_upstream;
    std::string to_client;
    bool client_eof = false;
    bool upstream_eof = false;
    bool dead = false;
};

TcpProxy TcpProxy::to_unix_socket(std::string path) {
    return TcpProxy(std::move(path), "", 0);
}

TcpProxy TcpProxy::to_tcp(std::string host, std::uint16_t port) {
    return TcpProxy("", std::move(host), port);
}

TcpProxy::TcpProxy(std::string unix_path, std::string host, std::uint16_t port)
    : unix_path_(std::move(unix_path)), host_(std::move(host)), target_port_(port) {
    if (!unix_path_.empty() && unix_path_.size() >= sizeof(sockaddr_un{}.sun_path)) {
        throw std::runtime_error("tcp proxy: unix socket path too long: " + unix_path_);
    }
    int wake[2];
    if (::pipe2(wake, O_NONBLOCK | O_CLOEXEC) != 0) throw sys_error("pipe2");
    wake_read_fd_ = wake[0];
    wake_write_fd_ = wake[1];
    try {
        listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (listen_fd_ < 0) throw sys_error("socket");
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            throw sys_error("bind 127.0.0.1:0");
        }
        if (::listen(listen_fd_, 128) != 0) throw sys_error("listen");
        socklen_t len = sizeof addr;
        if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            throw sys_error("getsockname");
        }
        port_ = ntohs(addr.sin_port);
    } catch (...) {
        if (listen_fd_ >= 0) ::close(listen_fd_);
        ::close(wake_read_fd_);
        ::close(wake_write_fd_);
        throw;
    }
    thread_ = std::thread([this] { run(); });
}

TcpProxy::~TcpProxy() {
    request(Command::kStop);
    thread_.join();
    ::close(listen_fd_);
    ::close(wake_read_fd_);
    ::close(wake_write_fd_);
}

std::string TcpProxy::libpq_address() const {
    return "host=127.0.0.1 port=" + std::to_string(port_);
}

void TcpProxy::stall() {
    request(Command::kStall);
}
void TcpProxy::resume() {
    request(Command::kResume);
}
void TcpProxy::drop_all() {
    request(Command::kDropAll);
}

void TcpProxy::request(Command command) {
    std::unique_lock lock(mutex_);
    pending_.push_back(command);
    const std::uint64_t ticket = ++requested_;
    const char byte = 1;
    // A full pipe already holds a wake-up: nothing to do when this write fails.
    [[maybe_unused]] const auto written = ::write(wake_write_fd_, &byte, 1);
    applied_cv_.wait(lock, [&] { return applied_ >= ticket; });
}

int TcpProxy::connect_upstream() const {
    int fd = -1;
    if (!unix_path_.empty()) {
        fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return -1;
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, unix_path_.c_str(), unix_path_.size() + 1);
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            ::close(fd);
            return -1;
        }
    } else {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        if (::getaddrinfo(host_.c_str(), std::to_string(target_port_).c_str(), &hints, &found) !=
            0) {
            return -1;
        }
        for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
            fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
            if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
                ::close(fd);
                fd = -1;
            }
        }
        ::freeaddrinfo(found);
        if (fd < 0) return -1;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    // The target is local: a blocking connect returns at once; the traffic is non-blocking.
    set_nonblocking(fd);
    return fd;
}

void TcpProxy::accept_all(std::vector<Connection>& connections) {
    for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;  // EAGAIN: nothing more to accept (or a transient error)
        ++accepted_;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        Connection c;
        c.client = fd;
        if (!stalled_) {
            c.upstream = connect_upstream();
            if (c.upstream < 0) {
                reset_close(fd);
                continue;
            }
        }
        connections.push_back(std::move(c));
        ++open_;
    }
}

void TcpProxy::apply(Command command, std::vector<Connection>& connections) {
    const auto reset_all = [&] {
        for (Connection& c : connections) {
            reset_close(c.client);
            reset_close(c.upstream);
        }
        connections.clear();
        open_ = 0;
    };
    switch (command) {
        case Command::kStall:
            stalled_ = true;
            break;
        case Command::kResume:
            if (stalled_) reset_all();
            stalled_ = false;
            break;
        case Command::kDropAll:
        case Command::kStop:
            reset_all();
            break;
    }
}

namespace {

// Reads what `from` has into `buffer`; false when the socket failed.
bool read_into(int from, std::string& buffer, bool& eof) {
    char chunk[kReadChunk];
    while (buffer.size() < kMaxBuffered) {
        const ssize_t n = ::recv(from, chunk, sizeof chunk, 0);
        if (n > 0) {
            buffer.append(chunk, static_cast<std::size_t>(n));
        } else if (n == 0) {
            eof = true;
            return true;
        } else {
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        }
    }
    return true;
}

// Writes what it can of `buffer` to `to`; false when the socket failed.
bool write_from(int to, std::string& buffer) {
    while (!buffer.empty()) {
        const ssize_t n = ::send(to, buffer.data(), buffer.size(), MSG_NOSIGNAL);
        if (n > 0) {
            buffer.erase(0, static_cast<std::size_t>(n));
        } else {
            return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR);
        }
    }
    return true;
}

short wanted_events(const std::string& inbound, bool eof, const std::string& outbound) {
    short events = 0;
    if (!eof && inbound.size() < kMaxBuffered) events |= POLLIN;
    if (!outbound.empty()) events |= POLLOUT;
    return events;
}

// A socket with nothing to wait for is left out of the poll (a negative fd), so that a peer
// that hung up while the other side drains does not wake the loop again and again.
void add_poll(std::vector<pollfd>& fds, int fd, short events) {
    fds.push_back({events == 0 ? -1 : fd, events, 0});
}

}  // namespace

void TcpProxy::run() {
    std::vector<Connection> connections;
    std::vector<pollfd> fds;
    for (;;) {
        fds.clear();
        fds.push_back({wake_read_fd_, POLLIN, 0});
        fds.push_back({listen_fd_, POLLIN, 0});
        const bool forwarding = !stalled_;
        if (forwarding) {
            for (const Connection& c : connections) {
                add_poll(fds, c.client, wanted_events(c.to_upstream, c.client_eof, c.to_client));
                add_poll(fds, c.upstream,
                         wanted_events(c.to_client, c.upstream_eof, c.to_upstream));
            }
        }
        if (::poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR

        if (forwarding) {
            for (std::size_t i = 0; i < connections.size(); ++i) {
                Connection& c = connections[i];
                const short client_events = fds[2 + 2 * i].revents;
                const short upstream_events = fds[3 + 2 * i].revents;
                bool ok = true;
                if (client_events & (POLLIN | POLLHUP | POLLERR)) {
                    ok = ok && read_into(c.client, c.to_upstream, c.client_eof);
                }
                if (upstream_events & (POLLIN | POLLHUP | POLLERR)) {
                    ok = ok && read_into(c.upstream, c.to_client, c.upstream_eof);
                }
                ok = ok && write_from(c.upstream, c.to_upstream) &&
                     write_from(c.client, c.to_client);
                // Once a side has closed and what it sent has been delivered, close both.
                const bool finished = (c.client_eof && c.to_upstream.empty()) ||
                                      (c.upstream_eof && c.to_client.empty());
                if (!ok || finished) {
                    c.dead = true;
                    if (ok) {
                        ::close(c.client);
                        ::close(c.upstream);
                    } else {
                        reset_close(c.client);
                        reset_close(c.upstream);
                    }
                    --open_;
                }
            }
            std::erase_if(connections, [](const Connection& c) { return c.dead; });
        }

        if (fds[1].revents & POLLIN) accept_all(connections);

        if (fds[0].revents & POLLIN) {
            char drain[64];
            while (::read(wake_read_fd_, drain, sizeof drain) > 0) {
            }
            std::vector<Command> commands;
            {
                std::lock_guard lock(mutex_);
                commands.swap(pending_);
            }
            bool stop = false;
            for (Command command : commands) {
                apply(command, connections);
                stop = stop || command == Command::kStop;
            }
            {
                std::lock_guard lock(mutex_);
                applied_ += commands.size();
            }
            applied_cv_.notify_all();
            if (stop) return;
        }
    }
}

}  // namespace codeguru::test
