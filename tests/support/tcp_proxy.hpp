#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace codeguru::test {

// A test-side TCP proxy: listens on 127.0.0.1:<ephemeral port> and forwards every accepted
// connection to a target (a TCP host:port or a unix socket path), one poll thread for all.
// Its modes imitate a network path that breaks:
//   stall()    half-open: every existing and new connection stays open, so the kernel keeps
//              accepting and acknowledging at the TCP level, but no byte moves either way
//              (nothing is read, nothing buffered is written, no new upstream connection);
//   resume()   forwards again; every connection open during the stall (including those
//              accepted while stalled) is reset (RST), as a NAT that lost its state answers,
//              so only new connections work after a stall;
//   drop_all() resets every open connection now, in any mode.
// Each mode call returns once the proxy thread has applied it. Thread-safe; the destructor
// closes everything and joins the thread. Throws std::runtime_error when it cannot listen.
class TcpProxy {
  public:
    static TcpProxy to_unix_socket(std::string path);
    static TcpProxy to_tcp(std::string host, std::uint16_t port);
    ~TcpProxy();
    TcpProxy(const TcpProxy&) = delete;
    TcpProxy& operator=(const TcpProxy&) = delete;

    std::uint16_t port() const { return port_; }
    // "host=127.0.0.1 port=<port>": the libpq address of the proxy.
    std::string libpq_address() const;

    void stall();
    void resume();
    void drop_all();

    // Connections accepted since construction, in any mode.
    std::size_t accepted_connections() const { return accepted_.load(); }
    // Client connections currently open (forwarding or held by a stall).
    std::size_t open_connections() const { return open_.load(); }

  private:
    enum class Command { kStall, kResume, kDropAll, kStop };
    struct Connection;

    TcpProxy(std::string unix_path, std::string host, std::uint16_t port);
    void request(Command command);
    void run();
    void apply(Command command, std::vector<Connection>& connections);
    void accept_all(std::vector<Connection>& connections);
    int connect_upstream() const;

    std::string unix_path_;
    std::string host_;
    std::uint16_t target_port_;
    int listen_fd_ = -1;
    int wake_read_fd_ = -1;
    int wake_write_fd_ = -1;
    std::uint16_t port_ = 0;
    bool stalled_ = false;  // owned by the proxy thread
    std::atomic<std::size_t> accepted_{0};
    std::atomic<std::size_t> open_{0};

    std::mutex mutex_;
    std::condition_variable applied_cv_;
    std::vector<Command> pending_;
    std::uint64_t requested_ = 0;
    std::uint64_t applied_ = 0;
    std::thread thread_;
};

}  // namespace codeguru::test
