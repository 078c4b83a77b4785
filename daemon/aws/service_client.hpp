#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "aws/credentials/credentials.hpp"
#include "aws/http_transport.hpp"
#include "aws/rate_limiter.hpp"
#include "aws/retry_strategy.hpp"
#include "aws/sigv4_signer.hpp"
#include "util/clock.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::aws {

// A parsed endpoint: "https://host[:port][/base]".
struct Endpoint {
    std::string scheme;     // "https" or "http"
    std::string host;       // "host" or "host:port", as sent in the Host header
    std::string base_path;  // "" or "/base" (no trailing slash)
};

// Parses an endpoint URL; throws std::invalid_argument naming what is wrong.
Endpoint parse_endpoint(const std::string& url);

// One rest-json request: the method, the path as it goes on the wire (labels already
// percent-encoded with uri_encode), the decoded query parameters and, for POST, the JSON body.
struct ServiceRequest {
    std::string method = "GET";
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
    std::string body;  // sent with Content-Type: application/json when not empty
};

struct ServiceClientStats {
    std::atomic<long> requests{0};
    std::atomic<long> retries{0};
    std::atomic<long> throttles{0};
};

// Sends signed requests to one AWS service: rate limit, SigV4, transport, error
// parsing and retries with backoff (standard mode) in one place. Thread-safe;
// every collaborator must outlive it.
class ServiceClient {
  public:
    struct Dependencies {
        HttpTransport& transport;
        CredentialsProvider& credentials;
        const Clock& clock;
        RateLimiter& rate_limiter;
        RetryQuota& retry_quota;
        StopFlag& stop;
        // Optional: counters shared with other clients (one per process for metrics);
        // none: the client's own.
        ServiceClientStats* stats = nullptr;
    };

    ServiceClient(Endpoint endpoint, SigV4Signer signer, RetryPolicy policy, Dependencies deps,
                  std::uint64_t jitter_seed = std::random_device{}());

    // Sends the request, retrying retryable failures; a Retry-After the service sends is
    // waited for (capped at the policy's max_backoff) instead of the backoff when longer.
    // `accept` runs on each 2xx answer inside the retry loop: a MalformedResponseError from
    // it counts as a retryable failure. Throws ApiError (code "Aborted" when a stop was
    // requested). `stop`, when given, takes the place of the client's own for this call
    // (pass a flag linked to it).
    void send(const ServiceRequest& request, const std::function<void(const HttpResponse&)>& accept,
              StopFlag* stop = nullptr);
    void get(const ServiceRequest& request, const std::function<void(const HttpResponse&)>& accept,
             StopFlag* stop = nullptr) {
        send(request, accept, stop);
    }

    const ServiceClientStats& stats() const { return stats_; }

  private:
    HttpRequest build(const ServiceRequest& request) const;
    double next_jitter();

    Endpoint endpoint_;
    SigV4Signer signer_;
    RetryPolicy policy_;
    Dependencies deps_;
    std::mutex rng_mutex_;
    std::mt19937_64 rng_;
    ServiceClientStats own_stats_;
    ServiceClientStats& stats_;
};

}  // namespace codeguru::aws
