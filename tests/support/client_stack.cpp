#include "client_stack.hpp"

namespace codeguru::test {

ClientStack::ClientStack(ClientStackOptions options)
    : credentials_(options.credentials),
      rate_limiter_(options.requests_per_second, options.adaptive_rate),
      options_(options) {
    aws::CurlTransportOptions transport;
    transport.request_timeout = options.request_timeout;
    transport.connect_timeout = std::chrono::milliseconds(2000);
    transport.stop = &stop_;
    transport_ = std::make_unique<aws::CurlTransport>(transport);
    policy_.max_attempts = options.max_attempts;
    policy_.base_delay = options.base_delay;
    policy_.max_backoff = options.max_backoff;
    const aws::RetryPolicy& policy = policy_;
    service_ = std::make_unique<aws::ServiceClient>(
        aws::parse_endpoint(options.endpoint), aws::SigV4Signer("codeguru-security", "us-east-1"),
        policy,
        aws::ServiceClient::Dependencies{*transport_, credentials_, clock_, rate_limiter_, quota_,
                                         stop_},
        /*jitter_seed=*/7);
    client_ = std::make_unique<CodeGuruClient>(*service_);
}

inspector::InspectorClient& ClientStack::inspector(const std::string& region) {
    std::lock_guard lock(inspector_mutex_);
    auto& client = inspector_clients_[region];
    if (!client) {
        auto& service = inspector_services_[region];
        service = std::make_unique<aws::ServiceClient>(
            aws::parse_endpoint(options_.endpoint), aws::SigV4Signer("inspector2", region), policy_,
            aws::ServiceClient::Dependencies{*transport_, credentials_, clock_, rate_limiter_,
                                             quota_, stop_, &inspector_stats_},
            /*jitter_seed=*/11);
        client = std::make_unique<inspector::InspectorClient>(*service, region);
    }
    return *client;
}

}  // namespace codeguru::test
