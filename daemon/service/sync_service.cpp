#include "service/sync_service.hpp"

#include <malloc.h>

#include <spdlog/spdlog.h>

#include <ctime>

#include "aws/credentials/cached_provider.hpp"
#include "aws/credentials/chain_provider.hpp"
#include "aws/curl_transport.hpp"
#include "aws/endpoint_override.hpp"
#include "aws/service_client.hpp"
#include "config/settings_printer.hpp"
#include "service/api_client_options.hpp"
#include "service/metered_transport.hpp"
#include "service/signal_watcher.hpp"
#include "service/systemd_notify.hpp"
#include "service/watchdog.hpp"
#include "sources/codeguru/codeguru_client.hpp"
#include "sources/inspector/inspector_client.hpp"
#include "store/conninfo.hpp"
#include "store/database.hpp"
#include "sync/owner_id.hpp"

namespace codeguru::service {

std::unique_ptr<pqxx::connection> connect_database(const DatabaseSettings& database) {
    bool server_timeout = true;
    for (;;) {
        try {
            return std::make_unique<pqxx::connection>(store::effective_conninfo(
                database.url, database.statement_timeout, server_timeout));
        } catch (const pqxx::broken_connection& e) {
            if (!server_timeout || !store::rejects_startup_options(e.what())) throw;
            server_timeout = false;  // a pooler that refuses `options`: see store::Database
        }
    }
}

std::unique_ptr<pqxx::connection> connect_database(const std::string& url) {
    DatabaseSettings database;
    database.url = url;
    return connect_database(database);
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

    void scan_started(const std::string& scan) override {
        heartbeat_.beat();
        metrics_.record_run_started(scan);
    }
    void page_applied(const std::string& scan, const store::PageCounts& counts,
                      double apply_seconds) override {
        heartbeat_.beat();
        metrics_.record_page(scan, counts, apply_seconds);
    }
    void database_reconnected(const std::string& scan) override {
        heartbeat_.beat();
        metrics_.record_database_reconnect(scan);
    }
    void database_error(const std::string& /*scan*/, const std::string& sqlstate) override {
        metrics_.record_database_error(sqlstate);
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
    std::unique_ptr<store::Database> database;  // first: every other part may use it
    std::unique_ptr<aws::CurlTransport> transport;
    std::unique_ptr<aws::CurlTransport> metadata_transport;  // ECS and IMDS credentials
    std::unique_ptr<MeteredTransport> metered;
    std::unique_ptr<aws::CachedProvider> credentials;
    std::unique_ptr<aws::RateLimiter> rate_limiter;
    aws::RetryQuota retry_quota;
    aws::ServiceClientStats stats;  // of every client below, for metrics
    std::unique_ptr<aws::ServiceClient> service;
    std::unique_ptr<CodeGuruClient> client;
    // Inspector: a signer and a client per region (SigV4 signs for one region).
    std::vector<std::unique_ptr<aws::ServiceClient>> inspector_services;
    std::vector<std::unique_ptr<inspector::InspectorClient>> inspector_clients;
    std::unique_ptr<sync::Scheduler> scheduler;
};

SyncService::SyncService(Settings settings, StopFlag& stop)
    : settings_(std::move(settings)),
      stop_(stop),
      owner_id_(sync::make_owner_id()),
      metrics_(clock_),
      observer_(std::make_unique<Observer>(heartbeat_, metrics_)) {
    build();
}

SyncService::~SyncService() {
    metrics_.watch_client({});
}

void SyncService::build() {
    auto c = std::make_unique<Components>();
    const AwsSettings& aws = settings_.aws;

    const aws::EnvLookup env = aws::process_environment();
    c->transport = std::make_unique<aws::CurlTransport>(api_transport_options(aws, stop_, env));
    c->metered = std::make_unique<MeteredTransport>(*c->transport, metrics_, heartbeat_);
    c->metadata_transport =
        std::make_unique<aws::CurlTransport>(metadata_transport_options(stop_, env));
    c->credentials = std::make_unique<aws::CachedProvider>(
        aws::make_default_chain(
            {aws.profile, aws.region, *c->transport, *c->metadata_transport, clock_, env, &stop_}),
        clock_);
    c->rate_limiter = std::make_unique<aws::RateLimiter>(aws.requests_per_second);

    aws::RetryPolicy policy;
    policy.max_attempts = aws.max_attempts;
    const aws::ServiceClient::Dependencies deps{
        *c->metered, *c->credentials, clock_, *c->rate_limiter, c->retry_quota, stop_, &c->stats};
    c->service = std::make_unique<aws::ServiceClient>(
        aws::parse_endpoint(codeguru_endpoint(aws, env)),
        aws::SigV4Signer(kCodeGuruSigningName, aws.region), policy, deps);
    c->client = std::make_unique<CodeGuruClient>(*c->service);
    sync::InspectorClients inspector;
    for (const auto& region : settings_.inspector.regions) {
        c->inspector_services.push_back(std::make_unique<aws::ServiceClient>(
            aws::parse_endpoint(inspector_endpoint(settings_.inspector, region, env)),
            aws::SigV4Signer(kInspectorSigningName, region), policy, deps));
        c->inspector_clients.push_back(
            std::make_unique<inspector::InspectorClient>(*c->inspector_services.back(), region));
        inspector[region] = c->inspector_clients.back().get();
    }
    store::DatabaseOptions database;
    database.url = settings_.database.url;
    database.statement_timeout = settings_.database.statement_timeout;
    c->database = std::make_unique<store::Database>(database, stop_);
    c->scheduler = std::make_unique<sync::Scheduler>(*c->client, *c->database, clock_, stop_,
                                                     owner_id_, observer_.get(), inspector);

    // The previous client is still alive here, as watch_client requires.
    metrics_.watch_client(
        {&c->stats, c->credentials.get(), &c->retry_quota, c->rate_limiter.get()});
    // /healthz probes on a connection of its own, from a thread that may outlive the
    // service: the factory holds copies only.
    std::vector<std::string> watched = settings_.sync.scans;
    for (const auto& region : settings_.inspector.regions) watched.push_back("inspector:" + region);
    metrics_.set_health_scope(
        watched, settings_.sync.interval, settings_.database.schema,
        [database = settings_.database] { return connect_database(database); });
    components_ = std::move(c);
}

sync::CycleSummary SyncService::run_cycle() {
    auto summary = components_->scheduler->run_cycle(settings_);
    // Between cycles the daemon idles: what the cycle's small allocations left free on the
    // heap goes back to the system.
    malloc_trim(0);
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
