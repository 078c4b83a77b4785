#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/env_lookup.hpp"
#include "aws/http_transport.hpp"

namespace codeguru {
class StopFlag;
}

namespace codeguru::aws {

struct CurlTransportOptions {
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    std::size_t max_response_bytes = 64 * 1024 * 1024;
    const StopFlag* stop = nullptr;  // when set, a requested stop aborts transfers in flight
    bool bypass_proxy = false;  // true: never through a proxy (for link-local metadata services)
    // PEM file of the certificate authorities that verify TLS peers, instead of the system's
    // (AWS_CA_BUNDLE); empty: the system's. Verification stays on either way.
    std::string ca_bundle;
};

// AWS_CA_BUNDLE as the AWS SDKs read it: the path it names, or "" when unset or empty.
std::string ca_bundle_from_environment(const EnvLookup& env);

// HttpTransport over libcurl. TLS peer and host verification are always on;
// compressed responses are accepted; connections are reused through a pool of
// easy handles. A TransportError's message carries libcurl's detail (the CA file that
// cannot be read, the certificate problem). Thread-safe.
class CurlTransport final : public HttpTransport {
  public:
    explicit CurlTransport(CurlTransportOptions options);
    ~CurlTransport() override;

    HttpResponse send(const HttpRequest& request) override;

  private:
    struct Handle;
    std::unique_ptr<Handle> checkout();
    void checkin(std::unique_ptr<Handle> handle);

    CurlTransportOptions options_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Handle>> idle_;
};

}  // namespace codeguru::aws
