#include "service/sync_service.hpp"

#include <spdlog/spdlog.h>

#include "aws/cached_provider.hpp"
#include "aws/chain_provider.hpp"
#include "aws/curl_transport.hpp"
#include "aws/service_client.hpp"
#include "codeguru/codeguru_client.hpp"
#include "service/signal_watcher.hpp"
#include "service/systemd_notify.hpp"
#include "util/clock.hpp"

namespace codeguru::service {

std::unique_ptr<pqxx::connection> connect_database(const std::string& url) {
    return std::make_unique<pqxx::connection>(url);
}

struct SyncService::Components {
    SystemClock clock;
    std::unique_ptr<aws::CurlTransport> transport;
    std::unique_ptr<aws::CachedProvider> credentials;
    std::unique_ptr<aws::RateLimiter> rate_limiter;
    aws::RetryQuota retry_quota;
    std::unique_ptr<aws::ServiceClient> service;
    std::unique_ptr<CodeGuruClient> client;
    std::unique_ptr<sync::Scheduler> scheduler;
};

SyncService::SyncService(Settings settings, StopFlag& stop)
    : settings_(std::move(settings)), stop_(stop) {
    build();
}

SyncService::~SyncService() = default;

void SyncService::build() {
    auto c = std::make_unique<Components>();
    const AwsSettings& aws = settings_.aws;

    aws::CurlTransportOptions transport;
    transport.connect_timeout = aws.connect_timeout;
    transport.request_timeout = aws.request_timeout;
    transport.stop = &stop_;
    c->transport = std::make_unique<aws::CurlTransport>(transport);
    c->credentials =
        std::make_unique<aws::CachedProvider>(aws::make_default_chain(aws.profile), c->clock);
    c->rate_limiter = std::make_unique<aws::RateLimiter>(aws.requests_per_second);

    aws::RetryPolicy policy;
    policy.max_attempts = aws.max_attempts;
    const std::string endpoint =
        aws.endpoint.empty() ? default_codeguru_endpoint(aws.region) : aws.endpoint;
    c->service = std::make_unique<aws::ServiceClient>(
        aws::parse_endpoint(endpoint), aws::SigV4Signer("codeguru-security", aws.region), policy,
        aws::ServiceClient::Dependencies{*c->transport, *c->credentials, c->clock,
                                         *c->rate_limiter, c->retry_quota, stop_});
    c->client = std::make_unique<CodeGuruClient>(*c->service);
    const std::string url = settings_.database.url;
    c->scheduler = std::make_unique<sync::Scheduler>(
        *c->client, [url] { return connect_database(url); }, c->clock, stop_);
    components_ = std::move(c);
}

sync::CycleSummary SyncService::run_cycle() {
    auto summary = components_->scheduler->run_cycle(settings_);
    spdlog::info("cycle done: {}", summary.describe());
    return summary;
}

void SyncService::run_forever(SignalWatcher& signals,
                              const std::function<std::optional<Settings>()>& reload) {
    using SteadyClock = std::chrono::steady_clock;
    notify_ready();
    while (!stop_.stop_requested()) {
        const auto started = SteadyClock::now();
        const auto summary = run_cycle();
        const auto next = started + settings_.sync.interval;
        const auto wait_s =
            std::chrono::duration_cast<std::chrono::seconds>(next - SteadyClock::now()).count();
        notify_status("last cycle: " + summary.describe() + "; next in " +
                      std::to_string(std::max<long long>(0, wait_s)) + " s");
        // A cycle that overran its interval delays the next one instead of overlapping.
        // The wait wakes every second to act on a reload request.
        while (!stop_.stop_requested() && SteadyClock::now() < next) {
            if (signals.take_reload_request()) {
                notify_reloading();
                if (auto fresh = reload()) {
                    settings_ = std::move(*fresh);
                    build();
                    spdlog::info("configuration reloaded; it applies from the next cycle");
                }
                notify_ready();
            }
            stop_.wait_for(std::min<SteadyClock::duration>(next - SteadyClock::now(),
                                                           std::chrono::seconds(1)));
        }
    }
    notify_stopping();
}

}  // namespace codeguru::service
