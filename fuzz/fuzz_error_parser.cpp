// Fuzzes the API error parser (aws/error_parser) on whole HTTP answers.
// Input: a status line of digits, header lines "name: value", an empty line, then the body
// (the shape of the seed files). Properties: parse_error_response never throws; the code and
// the message are non-empty, valid UTF-8 without control characters and at most 512
// input bytes long;
// what() is "code: message"; the status is kept; retryable agrees with is_retryable_error.
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/error_parser.hpp"
#include "fuzz_support.hpp"

namespace {

using codeguru::aws::HttpResponse;
using codeguru::fuzz::is_valid_utf8;

constexpr std::size_t kMaxTextBytes = 512;

// Splits off the first line ("\n"-terminated, a trailing "\r" dropped).
std::string_view next_line(std::string_view& text) {
    const std::size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

HttpResponse response_from(std::string_view input) {
    HttpResponse response;
    const std::string_view status = next_line(input);
    for (const char c : status.substr(0, 6)) {
        if (c >= '0' && c <= '9') response.status = response.status * 10 + (c - '0');
    }
    for (std::string_view line = next_line(input); !line.empty(); line = next_line(input)) {
        const std::size_t colon = line.find(':');
        std::string name(line.substr(0, colon));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        std::string_view value =
            colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        response.headers.emplace_back(std::move(name), std::string(value));
    }
    response.body = std::string(input);
    return response;
}

void check_text(const std::string& text) {
    FUZZ_CHECK(!text.empty());
    // Each of the first 512 bytes may have become a 3-byte U+FFFD.
    FUZZ_CHECK(text.size() <= 3 * kMaxTextBytes);
    FUZZ_CHECK(is_valid_utf8(text));
    FUZZ_CHECK(std::none_of(text.begin(), text.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const HttpResponse response =
        response_from(std::string_view(reinterpret_cast<const char*>(data), size));
    const codeguru::aws::ApiError error = codeguru::aws::parse_error_response(response);
    check_text(error.code());
    check_text(error.message());
    FUZZ_CHECK(error.what() == error.code() + ": " + error.message());
    FUZZ_CHECK(error.http_status() == response.status);
    FUZZ_CHECK(error.retryable() ==
               codeguru::aws::is_retryable_error(error.code(), response.status));
    return 0;
}
