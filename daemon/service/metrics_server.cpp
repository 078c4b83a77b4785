#include "service/metrics_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace codeguru::service {
namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
// Scrapes are rare and quick, but a /healthz may wait for a slow database (up to its
// deadline): /metrics still has threads while two of them wait.
constexpr std::size_t kServerThreads = 4;

}  // namespace

MetricsServer::MetricsServer(const std::string& host, int port, const Metrics& metrics,
                             std::shared_ptr<HealthSource> health_source,
                             HealthCheckOptions health_options)
    : health_(
          std::move(health_source), clock_, [&metrics] { return metrics.health_scope(); },
          health_options),
      server_(std::make_unique<httplib::Server>()) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    server_->set_read_timeout(std::chrono::seconds(5));
    server_->set_write_timeout(std::chrono::seconds(5));
    server_->set_keep_alive_max_count(10);
    server_->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics.render(), kPrometheusText);
    });
    server_->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
        const HealthReport report = health_.check();
        res.status = report.ok() ? 200 : 503;
        res.set_content(health_json(report) + "\n", "application/json");
    });

    const std::string address = (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                                ":" + std::to_string(port);
    errno = 0;
    if (!server_->bind_to_port(host, port)) {
        const int error = errno;
        throw std::runtime_error(
            "metrics.listen " + address + ": cannot listen" +
            (error != 0 ? std::string(" (") + std::strerror(error) + ")" : std::string()));
    }
    thread_ = std::thread([this] {
        server_->listen_after_bind();
        listening_ended_ = true;
    });
    // stop() is a no-op until the accept loop runs: wait for it, so that the destructor
    // cannot miss it.
    while (!server_->is_running() && !listening_ended_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    spdlog::info("serving /metrics and /healthz on http://{}", address);
}

MetricsServer::~MetricsServer() {
    server_->stop();
    thread_.join();
}

}  // namespace codeguru::service
