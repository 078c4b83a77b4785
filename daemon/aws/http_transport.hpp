#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace codeguru {
class StopFlag;
}

namespace codeguru::aws {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;  // absolute, already percent-encoded as it goes on the wire
    HttpHeaders headers;
    std::string body;
    // When set, raising it aborts the request (TransportError kAborted); it is meant to be
    // linked to the transport's own stop, which aborts every request.
    const StopFlag* stop = nullptr;
};

// Capacity a transport leaves free after an answer's body: the page parsers read a body in
// place when simdjson's padding (64 bytes) fits after it, instead of copying it first
// (json_mapping/answer_text.hpp).
inline constexpr std::size_t kBodyReadAhead = 64;

struct HttpResponse {
    long status = 0;
    HttpHeaders headers;  // names lower-cased
    std::string body;     // a real transport leaves kBodyReadAhead of capacity after it

    // The first header with this (case-insensitive) name, if any.
    std::optional<std::string> header(std::string_view name) const;
};

// The request never produced an HTTP response.
class TransportError : public std::runtime_error {
  public:
    // kTimeout, kConnect: transient, worth a retry. kTls, kProtocol (the peer does not
    // speak HTTP), kResponseTooLarge, kAborted (a stop was requested), kOther: not.
    enum class Kind { kTimeout, kConnect, kTls, kProtocol, kResponseTooLarge, kAborted, kOther };

    TransportError(Kind kind, const std::string& message)
        : std::runtime_error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

  private:
    Kind kind_;
};

// Sends one HTTP request and returns the response, whatever its status.
// Throws TransportError when no response was received. Implementations are
// safe to call from several threads at once.
class HttpTransport {
  public:
    virtual ~HttpTransport() = default;
    virtual HttpResponse send(const HttpRequest& request) = 0;
};

}  // namespace codeguru::aws
