#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "aws/api_error.hpp"
#include "aws/http_transport.hpp"

namespace codeguru::aws {

// Turns a non-2xx rest-json answer into an ApiError: the code from the
// x-amzn-ErrorType header (anything after ':' removed), else the body's `__type`,
// `code` or `errorCode`; the message from the body's `message` (or `Message`),
// else the start of the body. Never throws; any body, even binary junk, yields an error.
// A Retry-After header (delta-seconds) goes to ApiError::retry_after.
ApiError parse_error_response(const HttpResponse& response);

// Retry-After as delta-seconds ("3"); nullopt for anything else (an HTTP-date included:
// AWS services send seconds).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

// Whether an error is worth retrying, AWS "standard" mode: throttling codes,
// HTTP 429, 500, 502, 503, 504 and transient transport failures.
bool is_retryable_error(const std::string& code, long http_status);

// Whether the service refused a request for its rate (HTTP 429 or a throttling code, as
// the SDKs' adaptive mode decides): what cuts the client's request rate.
bool is_throttling_error(const std::string& code, long http_status);

// An ApiError for a request that got no HTTP response.
ApiError error_from_transport(const TransportError& error);

}  // namespace codeguru::aws
