#include "aws/error_parser.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string_view>

#include "util/text_sanitizer.hpp"

namespace codeguru::aws {
namespace {

constexpr std::size_t kMaxMessageBytes = 512;

std::string strip_suffix(std::string code) {
    // "ThrottlingException:http://internal.amazon.com/..." and "aws.protocols#Foo" forms.
    if (const auto colon = code.find(':'); colon != std::string::npos) code.resize(colon);
    if (const auto hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
    while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.pop_back();
    return code;
}

std::string printable(std::string text) {
    if (text.size() > kMaxMessageBytes) text.resize(kMaxMessageBytes);
    replace_invalid_utf8(text);
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return text;
}

std::string string_member(const nlohmann::json& body, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        const auto it = body.find(name);
        if (it != body.end() && it->is_string()) return it->get<std::string>();
    }
    return {};
}

std::string default_code(long status) {
    if (status == 429) return "TooManyRequestsException";
    if (status == 500) return "InternalServerException";
    if (status == 502 || status == 503 || status == 504) return "ServiceUnavailable";
    if (status == 403) return "AccessDeniedException";
    if (status == 404) return "ResourceNotFoundException";
    return "HttpError" + std::to_string(status);
}

// The error codes the SDKs treat as throttling (botocore's standard retry mode).
constexpr std::array<std::string_view, 14> kThrottling = {"ThrottlingException",
                                                          "TooManyRequestsException",
                                                          "Throttling",
                                                          "ThrottledException",
                                                          "RequestThrottledException",
                                                          "ProvisionedThroughputExceededException",
                                                          "TransactionInProgressException",
                                                          "RequestLimitExceeded",
                                                          "BandwidthLimitExceeded",
                                                          "LimitExceededException",
                                                          "RequestThrottled",
                                                          "SlowDown",
                                                          "PriorRequestNotComplete",
                                                          "EC2ThrottledException"};

}  // namespace

bool is_throttling_error(const std::string& code, long http_status) {
    if (http_status == 429) return true;
    return std::find(kThrottling.begin(), kThrottling.end(), code) != kThrottling.end();
}

bool is_retryable_error(const std::string& code, long http_status) {
    static constexpr std::array<std::string_view, 4> kTransient = {
        "RequestTimeout", "RequestTimeoutException", "InternalServerException",
        "ServiceUnavailable"};
    if (is_throttling_error(code, http_status)) return true;
    for (auto c : kTransient) {
        if (code == c) return true;
    }
    return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
}

ApiError parse_error_response(const HttpResponse& response) {
    std::string code;
    std::string message;
    if (auto header = response.header("x-amzn-ErrorType")) code = strip_suffix(*header);

    const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_object()) {
        if (code.empty()) code = strip_suffix(string_member(body, {"__type", "code", "errorCode"}));
        message = string_member(body, {"message", "Message", "errorMessage"});
    } else if (!response.body.empty()) {
        message = response.body;
    }
    if (code.empty()) code = default_code(response.status);
    if (message.empty()) message = "HTTP " + std::to_string(response.status);
    code = printable(std::move(code));
    ApiError error(code, printable(std::move(message)), response.status,
                   is_retryable_error(code, response.status));
    if (auto header = response.header("Retry-After")) {
        if (auto seconds = parse_retry_after(*header)) error.set_retry_after(*seconds);
    }
    return error;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.empty() || value.size() > 9) return std::nullopt;
    long seconds = 0;
    for (const char c : value) {
        if (c < '0' || c > '9') return std::nullopt;
        seconds = seconds * 10 + (c - '0');
    }
    return std::chrono::seconds(seconds);
}

ApiError error_from_transport(const TransportError& error) {
    using Kind = TransportError::Kind;
    switch (error.kind()) {
        case Kind::kTimeout:
            return ApiError("RequestTimeout", error.what(), 0, true);
        case Kind::kConnect:
            return ApiError("ConnectionError", error.what(), 0, true);
        case Kind::kTls:
            return ApiError("TlsError", error.what(), 0, false);
        case Kind::kProtocol:
            return ApiError("ProtocolError",
                            std::string(error.what()) + " (is the endpoint an HTTP server?)", 0,
                            false);
        case Kind::kResponseTooLarge:
            return ApiError("ResponseTooLarge", error.what(), 0, false);
        case Kind::kAborted:
            return ApiError("Aborted", "stop requested", 0, false);
        case Kind::kOther:
            break;
    }
    return ApiError("TransportError", error.what(), 0, false);
}

}  // namespace codeguru::aws
