#include "service/metered_transport.hpp"

#include <chrono>

namespace codeguru::service {

aws::HttpResponse MeteredTransport::send(const aws::HttpRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    const auto seconds = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    try {
        aws::HttpResponse response = inner_.send(request);
        heartbeat_.beat();
        metrics_.record_request_duration(seconds());
        metrics_.record_response(response.status);
        return response;
    } catch (const aws::TransportError& e) {
        heartbeat_.beat();
        metrics_.record_request_duration(seconds());
        metrics_.record_transport_error(e.kind());
        throw;
    }
}

}  // namespace codeguru::service
