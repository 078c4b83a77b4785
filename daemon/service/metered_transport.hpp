#pragma once

#include "aws/http_transport.hpp"
#include "service/heartbeat.hpp"
#include "service/metrics.hpp"

namespace codeguru::service {

// An HttpTransport that forwards to another one and, for every exchange that ends (with a
// response or a TransportError), counts it and its time in `metrics` and beats `heartbeat`.
// Thread-safe as `inner` is; every collaborator must outlive it.
class MeteredTransport final : public aws::HttpTransport {
  public:
    MeteredTransport(aws::HttpTransport& inner, Metrics& metrics, Heartbeat& heartbeat)
        : inner_(inner), metrics_(metrics), heartbeat_(heartbeat) {}

    aws::HttpResponse send(const aws::HttpRequest& request) override;

  private:
    aws::HttpTransport& inner_;
    Metrics& metrics_;
    Heartbeat& heartbeat_;
};

}  // namespace codeguru::service
