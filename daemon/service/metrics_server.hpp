#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "service/health_check.hpp"
#include "service/metrics.hpp"
#include "util/clock.hpp"

namespace httplib {
class Server;
}

namespace codeguru::service {

// Serves `metrics` over HTTP on host:port, from threads of its own: GET /metrics
// (Prometheus text) and GET /healthz (JSON, see health_json; 200 when healthy, else 503),
// which asks `health_source` about the scope that `metrics` holds. The constructor binds
// and throws std::runtime_error naming the address when it cannot; the destructor stops
// serving. `metrics` must outlive the server.
class MetricsServer {
  public:
    MetricsServer(const std::string& host, int port, const Metrics& metrics,
                  std::shared_ptr<HealthSource> health_source,
                  HealthCheckOptions health_options = {});
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

  private:
    SystemClock clock_;
    HealthCheck health_;
    std::unique_ptr<httplib::Server> server_;
    std::atomic<bool> listening_ended_{false};
    std::thread thread_;
};

}  // namespace codeguru::service
