#pragma once

#include <memory>

#include "aws/curl_transport.hpp"
#include "aws/service_client.hpp"
#include "codeguru/codeguru_client.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::test {

// Always the same credentials: the fake API's by default.
class StaticCredentialsProvider final : public aws::CredentialsProvider {
public:
    explicit StaticCredentialsProvider(aws::Credentials credentials)
        : credentials_(std::move(credentials)) {}
    std::optional<aws::Credentials> resolve() override { return credentials_; }
    std::string_view name() const override { return "static"; }

private:
    aws::Credentials credentials_;
};

struct ClientStackOptions {
    std::string endpoint;
    double requests_per_second = 1000;
    int max_attempts = 3;
    std::chrono::milliseconds base_delay{10};  // fast backoff for tests
    std::chrono::milliseconds request_timeout{5000};
    aws::Credentials credentials{"AKIDFAKEEXAMPLE", "fake/secret+key", "", std::nullopt, "test"};
};

// The production client stack (real libcurl transport, signer, retries, rate limit)
// pointed at a test endpoint.
class ClientStack {
public:
    explicit ClientStack(ClientStackOptions options);

    CodeGuruClient& client() { return *client_; }
    aws::ServiceClient& service() { return *service_; }
    StopFlag& stop() { return stop_; }
    const Clock& clock() const { return clock_; }

private:
    SystemClock clock_;
    StopFlag stop_;
    std::unique_ptr<aws::CurlTransport> transport_;
    StaticCredentialsProvider credentials_;
    aws::RateLimiter rate_limiter_;
    aws::RetryQuota quota_;
    std::unique_ptr<aws::ServiceClient> service_;
    std::unique_ptr<CodeGuruClient> client_;
};

}  // namespace codeguru::test
