#include <catch2/catch.hpp>

#include "aws/error_parser.hpp"

using namespace codeguru::aws;

namespace {
HttpResponse answer(long status, std::string type_header, std::string body) {
    HttpResponse r;
    r.status = status;
    if (!type_header.empty()) r.headers.emplace_back("x-amzn-errortype", type_header);
    r.body = std::move(body);
    return r;
}
}  // namespace

TEST_CASE("the error code comes from x-amzn-ErrorType with its suffix stripped") {
    const auto e = parse_error_response(
        answer(429, "ThrottlingException:http://internal.amazon.com/coral/com.amazonaws.x/",
               R"({"message":"Rate exceeded"})"));
    CHECK(e.code() == "ThrottlingException");
    CHECK(e.message() == "Rate exceeded");
    CHECK(e.http_status() == 429);
    CHECK(e.retryable());
}

TEST_CASE("without the header the body's __type, code or errorCode names the error") {
    CHECK(parse_error_response(
              answer(400, "", R"({"__type":"aws#ValidationException","message":"m"})"))
              .code() == "ValidationException");
    CHECK(
        parse_error_response(answer(409, "", R"({"errorCode":"ConflictException","message":"m"})"))
            .code() == "ConflictException");
    CHECK(parse_error_response(answer(403, "", R"({"Message":"denied"})")).message() == "denied");
}

TEST_CASE("retryable and non-retryable errors are told apart") {
    struct Case {
        long status;
        const char* code;
        bool retryable;
    };
    const Case cases[] = {
        {429, "ThrottlingException", true},
        {400, "TooManyRequestsException", true},
        {400, "Throttling", true},
        {500, "InternalServerException", true},
        {502, "", true},
        {503, "", true},
        {504, "", true},
        {403, "AccessDeniedException", false},
        {404, "ResourceNotFoundException", false},
        {400, "ValidationException", false},
        {409, "ConflictException", false},
        {501, "", false},
    };
    for (const auto& c : cases) {
        INFO(c.status << " " << c.code);
        CHECK(parse_error_response(answer(c.status, c.code, "{}")).retryable() == c.retryable);
    }
}

TEST_CASE("an error body that is not JSON still yields a readable one-line error") {
    const auto e = parse_error_response(answer(503, "", "<html>\nService\x01 Unavailable</html>"));
    CHECK(e.code() == "ServiceUnavailable");
    CHECK(e.message().find('\n') == std::string::npos);
    CHECK(e.message().find("Service") != std::string::npos);
    CHECK(e.retryable());
    const auto empty = parse_error_response(answer(418, "", ""));
    CHECK(empty.code() == "HttpError418");
    CHECK(empty.message() == "HTTP 418");
}

TEST_CASE("transport failures map to retryable or final errors") {
    using Kind = TransportError::Kind;
    CHECK(error_from_transport(TransportError(Kind::kTimeout, "t")).retryable());
    CHECK(error_from_transport(TransportError(Kind::kConnect, "c")).retryable());
    CHECK_FALSE(error_from_transport(TransportError(Kind::kTls, "x")).retryable());
    CHECK_FALSE(error_from_transport(TransportError(Kind::kProtocol, "x")).retryable());
    CHECK(error_from_transport(TransportError(Kind::kAborted, "x")).code() == "Aborted");
}

TEST_CASE("a Retry-After header in seconds is kept with the error, anything else is ignored") {
    HttpResponse r = answer(429, "ThrottlingException", R"({"message":"slow down"})");
    r.headers.emplace_back("Retry-After", " 7 ");
    const auto e = parse_error_response(r);
    REQUIRE(e.retry_after().has_value());
    CHECK(e.retry_after()->count() == 7);
    CHECK(e.retryable());

    CHECK_FALSE(parse_error_response(answer(500, "InternalServerException", "{}")).retry_after());
    CHECK(parse_retry_after("0") == std::chrono::seconds(0));
    CHECK(parse_retry_after("120") == std::chrono::seconds(120));
    CHECK_FALSE(parse_retry_after(""));
    CHECK_FALSE(parse_retry_after("-1"));
    CHECK_FALSE(parse_retry_after("1.5"));
    CHECK_FALSE(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
    CHECK_FALSE(parse_retry_after("99999999999"));
}
