#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "service/metrics.hpp"

namespace httplib {
class Server;
}

namespace codeguru::service {

// Serves `metrics` over HTTP on host:port: GET /metrics (Prometheus text) and GET /healthz
// (200 "ok..." or 503 "unhealthy..."), from threads of its own. The constructor binds and
// throws std::runtime_error naming the address when it cannot; the destructor stops
// serving. `metrics` must outlive the server.
class MetricsServer {
  public:
    MetricsServer(const std::string& host, int port, const Metrics& metrics);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

  private:
    std::unique_ptr<httplib::Server> server_;
    std::atomic<bool> listening_ended_{false};
    std::thread thread_;
};

}  // namespace codeguru::service
