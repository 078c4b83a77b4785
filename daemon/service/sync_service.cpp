#include "service/sync_service.hpp"

#include <spdlog/spdlog.h>

#include <ctime>

#include "aws/cached_provider.hpp"
#include "aws/chain_provider.hpp"
#include "aws/curl_transport.hpp"
#include "aws/endpoint_override.hpp"
#include "aws/service_client.hpp"
#include "codeguru/codeguru_client.hpp"
#include "config/settings_printer.hpp"
#include "service/metered_transport.hpp"
#include "service/signal_watcher.hpp"
#include "service/systemd_notify.hpp"
#include "service/watchdog.hpp"

namespace codeguru::service {

std::unique_ptr<pqxx::connection> connect_database(const std::string& url) {
    return std::make_unique<pqxx::connection>(url);
}

std::string cycle_status(const sync::CycleSummary& summary,
                         std::chrono::system_clock::time_point next_cycle) {
    const std::time_t next = std::chrono::system_clock::to_time_t(next_cycle);
    std::tm local{};
    ::localtime_r(&next, &local);
    char at[32];
    std::strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S", &local);
    return "last cycle: " + summary.describe() + "; next cycle at " + at;
}

// Turns sync progress into heartbeats and metrics.
class SyncService::Observer final : public sync::SyncObserver {
  public:
    Observer(Heartbeat& heartbeat, Metrics& metrics) : heartbeat_(heartbeat), metrics_(metrics) {}

    void page_applied(const std::string& scan, const store::PageCounts& counts) override {
        heartbeat_.beat();
        metrics_.record_page(scan, counts);
    }
    void scan_finished(const sync::ScanResult& result) override {
        heartbeat_.beat();
        metrics_.record_run(result);
    }

  private:
    Heartbeat& heartbeat_;
    Metrics& metrics_;
};

struct SyncService::Components {
    std::unique_ptr<aws::CurlTransport> transport;
    std::unique_ptr<aws::CurlTransport> metadata_transport;  // ECS and IMDS credentials
    std::unique_ptr<MeteredTransport> metered;
    std::unique_ptr<aws::CachedProvider> credentials;
    std::unique_ptr<aws::RateLimiter> rate_limiter;
    aws::RetryQuota retry_quota;
    std::unique_ptr<aws::ServiceClient> service;
    std::unique_ptr<CodeGuruClient> client;
    std::unique_ptr<sync::Scheduler> scheduler;
};

SyncService::SyncService(Settings settings, StopFlag& stop)
    : settings_(std::move(settings)),
      stop_(stop),
      metrics_(clock_),
      observer_(std::make_unique<Observer>(heartbeat_, metrics_)) {
    build();
}

SyncService::~SyncService() {
    metrics_.watch_client(nullptr);
}

void SyncService::build() {
    auto c = std::make_unique<Components>();
    const AwsSettings& aws = settings_.aws;

    aws::CurlTransportOptions transport;
    transport.connect_timeout = aws.connect_timeout;
    transport.request_timeout = aws.request_timeout;
    transport.stop = &stop_;
    c->transport = std::make_unique<aws::CurlTransport>(transport);
    c->metered = std::make_unique<MeteredTransport>(*c->transport, metrics_, heartbeat_);
    aws::CurlTransportOptions metadata;
    metadata.connect_timeout = std::chrono::seconds(1);
    metadata.request_timeout = std::chrono::seconds(3);
    metadata.stop = &stop_;
    metadata.bypass_proxy = true;
    c->metadata_transport = std::make_unique<aws::CurlTransport>(metadata);
    c->credentials = std::make_unique<aws::CachedProvider>(
        aws::make_default_chain({aws.profile, aws.region, *c->transport, *c->metadata_transport,
                                 clock_, aws::process_environment()}),
        clock_);
    c->rate_limiter = std::make_unique<aws::RateLimiter>(aws.requests_per_second);

    aws::RetryPolicy policy;
    policy.max_attempts = aws.max_attempts;
    // [aws] endpoint wins over AWS_ENDPOINT_URL_CODEGURU_SECURITY and AWS_ENDPOINT_URL.
    const std::string endpoint =
        !aws.endpoint.empty()
            ? aws.endpoint
            : aws::endpoint_from_environment("CODEGURU_SECURITY", aws::process_environment())
                  .value_or(default_codeguru_endpoint(aws.region));
    c->service = std::make_unique<aws::ServiceClient>(
        aws::parse_endpoint(endpoint), aws::SigV4Signer("codeguru-security", aws.region), policy,
        aws::ServiceClient::Dependencies{*c->metered, *c->credentials, clock_, *c->rate_limiter,
                                         c->retry_quota, stop_});
    c->client = std::make_unique<CodeGuruClient>(*c->service);
    const std::string url = settings_.database.url;
    c->scheduler = std::make_unique<sync::Scheduler>(
        *c->client, [url] { return connect_database(url); }, clock_, stop_, observer_.get());

    // The previous client is still alive here, as watch_client requires.
    metrics_.watch_client(&c->service->stats());
    metrics_.set_interval(settings_.sync.interval);
    components_ = std::move(c);
}

sync::CycleSummary SyncService::run_cycle() {
    auto summary = components_->scheduler->run_cycle(settings_);
    metrics_.record_cycle(summary);
    spdlog::info("cycle done: {}", summary.describe());
    return summary;
}

void SyncService::run_forever(SignalWatcher& signals,
                              const std::function<std::optional<Settings>()>& reload) {
    using SteadyClock = std::chrono::steady_clock;
    notify_ready();
    notify_status("running the first cycle");
    std::optional<Watchdog> watchdog;
    // The idle wait beats the heartbeat at least 4 times per watchdog timeout.
    SteadyClock::duration tick = std::chrono::seconds(1);
    if (const auto timeout = watchdog_timeout()) {
        tick = std::min<SteadyClock::duration>(tick, *timeout / 4);
        spdlog::info("systemd watchdog: {} ms without progress restarts the service",
                     std::chrono::duration_cast<std::chrono::milliseconds>(*timeout).count());
        watchdog.emplace(heartbeat_, *timeout, [] { notify_watchdog(); });
    }

    while (!stop_.stop_requested()) {
        const auto started = SteadyClock::now();
        heartbeat_.beat();
        const auto summary = run_cycle();
        const auto next_cycle = [&] { return started + settings_.sync.interval; };
        const auto update_status = [&] {
            notify_status(
                cycle_status(summary, clock_.now() + (next_cycle() - SteadyClock::now())));
        };
        update_status();
        // A cycle that overran its interval delays the next one instead of overlapping.
        // The wait wakes every tick to beat the heartbeat and act on a reload request.
        while (!stop_.stop_requested() && SteadyClock::now() < next_cycle()) {
            heartbeat_.beat();
            if (signals.take_reload_request()) {
                notify_reloading();
                if (auto fresh = reload()) {
                    if (fresh->metrics.host != settings_.metrics.host ||
                        fresh->metrics.port != settings_.metrics.port) {
                        spdlog::warn(
                            "metrics.listen changed to \"{}\": it takes effect at the "
                            "next start; still serving \"{}\"",
                            format_listen_address(fresh->metrics),
                            format_listen_address(settings_.metrics));
                        fresh->metrics = settings_.metrics;
                    }
                    settings_ = std::move(*fresh);
                    build();
                    spdlog::info("configuration reloaded; it applies from the next cycle");
                }
                notify_ready();
                update_status();
            }
            stop_.wait_for(std::min(next_cycle() - SteadyClock::now(), tick));
        }
    }
    watchdog.reset();
    notify_stopping();
}

}  // namespace codeguru::service
