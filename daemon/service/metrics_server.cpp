#include "service/metrics_server.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace codeguru::service {
namespace {

constexpr const char* kPrometheusText = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::size_t kServerThreads = 2;  // scrapes are rare and quick

}  // namespace

MetricsServer::MetricsServer(const std::string& host, int port, const Metrics& metrics)
    : server_(std::make_unique<httplib::Server>()) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
    server_->set_read_timeout(std::chrono::seconds(5));
    server_->set_write_timeout(std::chrono::seconds(5));
    server_->set_keep_alive_max_count(10);
    server_->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
        res.set_content(metrics.render(), kPrometheusText);
    });
    server_->Get("/healthz", [&metrics](const httplib::Request&, httplib::Response& res) {
        const Health health = metrics.health();
        res.status = health.ok ? 200 : 503;
        res.set_content(health.detail + "\n", "text/plain; charset=utf-8");
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
