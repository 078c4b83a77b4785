#include "service/metered_transport.hpp"

namespace codeguru::service {

aws::HttpResponse MeteredTransport::send(const aws::HttpRequest& request) {
    try {
        aws::HttpResponse response = inner_.send(request);
        heartbeat_.beat();
        metrics_.record_response(response.status);
        return response;
    } catch (const aws::TransportError& e) {
        heartbeat_.beat();
        metrics_.record_transport_error(e.kind());
        throw;
    }
}

}  // namespace codeguru::service
