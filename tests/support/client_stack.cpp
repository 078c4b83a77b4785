#include "client_stack.hpp"

namespace codeguru::test {

ClientStack::ClientStack(ClientStackOptions options)
    : credentials_(options.credentials), rate_limiter_(options.requests_per_second) {
    aws::CurlTransportOptions transport;
    transport.request_timeout = options.request_timeout;
    transport.connect_timeout = std::chrono::milliseconds(2000);
    transport.stop = &stop_;
    transport_ = std::make_unique<aws::CurlTransport>(transport);
    aws::RetryPolicy policy;
    policy.max_attempts = options.max_attempts;
    policy.base_delay = options.base_delay;
    service_ = std::make_unique<aws::ServiceClient>(
        aws::parse_endpoint(options.endpoint), aws::SigV4Signer("codeguru-security", "us-east-1"),
        policy,
        aws::ServiceClient::Dependencies{*transport_, credentials_, clock_, rate_limiter_, quota_,
                                         stop_},
        /*jitter_seed=*/7);
    client_ = std::make_unique<CodeGuruClient>(*service_);
}

}  // namespace codeguru::test
