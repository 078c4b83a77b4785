#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "aws/curl_transport.hpp"
#include "aws/service_client.hpp"
#include "sources/codeguru/codeguru_client.hpp"
#include "sources/inspector/inspector_client.hpp"
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
    std::optional<double> requests_per_second = 1000;  // none: adaptive only
    bool adaptive_rate = true;  // false: the ceiling alone (tests that pin the backoff)
    int max_attempts = 3;
    std::chrono::milliseconds base_delay{10};  // fast backoff for tests
    std::chrono::milliseconds request_timeout{5000};
    std::chrono::milliseconds max_backoff{20000};
    aws::Credentials credentials{"AKIDFAKEEXAMPLE", "fake/secret+key", "", std::nullopt, "test"};
};

// The production client stack (real libcurl transport, signer, retries, rate limit)
// pointed at a test endpoint: a CodeGuru client, and an Inspector client per region (signed
// for that region, sharing the transport, credentials, rate limit and retry quota).
class ClientStack {
  public:
    explicit ClientStack(ClientStackOptions options);

    CodeGuruClient& client() { return *client_; }
    aws::ServiceClient& service() { return *service_; }
    // Created on first use; thread-safe. Counters: shared by every Inspector client.
    inspector::InspectorClient& inspector(const std::string& region);
    const aws::ServiceClientStats& inspector_stats() const { return inspector_stats_; }
    StopFlag& stop() { return stop_; }
    const aws::RateLimiter& rate_limiter() const { return rate_limiter_; }
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
    ClientStackOptions options_;
    aws::RetryPolicy policy_;
    aws::ServiceClientStats inspector_stats_;
    std::mutex inspector_mutex_;
    std::map<std::string, std::unique_ptr<aws::ServiceClient>> inspector_services_;
    std::map<std::string, std::unique_ptr<inspector::InspectorClient>> inspector_clients_;
};

}  // namespace codeguru::test
