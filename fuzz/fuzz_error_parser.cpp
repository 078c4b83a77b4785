// Fuzzes the API error parser (aws/error_parser) two ways on every input.
// Raw: the input is a whole HTTP answer (a status line of digits, header lines "name: value",
// an empty line, then the body: the shape of the seed files). Properties: it never throws;
// the code and the message are non-empty, valid UTF-8 without control characters and at
// most 512 input bytes long; a status of 429, 500, 502, 503 or 504 is retryable whatever
// the code says.
// Synthesized: the input's bytes choose an error answer that the harness builds itself: a
// code (one of SPEC §2's, or an unknown "Fuzz…" name), where it travels (x-amzn-ErrorType,
// bare or with a ":"-suffix, maybe beside a decoy code in the body; or the body's `__type`,
// bare or "namespace#"-prefixed; or `code`), a printable message (`message` or `Message`),
// and a status. Properties: the parser returns exactly that code, that message (its first
// 512 bytes) and that status, and calls it retryable exactly when SPEC §2 does
// (ThrottlingException, InternalServerException) or the status is one the parser's contract
// retries (429, 500, 502, 503, 504).
#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

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

bool retried_status(long status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

void check_text(const std::string& text) {
    FUZZ_CHECK(!text.empty());
    // Each of the first 512 bytes may have become a 3-byte U+FFFD.
    FUZZ_CHECK(text.size() <= 3 * kMaxTextBytes);
    FUZZ_CHECK(is_valid_utf8(text));
    FUZZ_CHECK(std::none_of(text.begin(), text.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
}

void check_raw(std::string_view input) {
    const HttpResponse response = response_from(input);
    const codeguru::aws::ApiError error = codeguru::aws::parse_error_response(response);
    check_text(error.code());
    check_text(error.message());
    if (retried_status(response.status)) FUZZ_CHECK(error.retryable());
}

// The input as a stream of choices; zeros once it is used up.
class Choices {
  public:
    explicit Choices(std::string_view bytes) : bytes_(bytes) {}

    unsigned next() { return at_ < bytes_.size() ? static_cast<unsigned char>(bytes_[at_++]) : 0U; }
    // A draw in [0, n) from two bytes.
    std::size_t below(std::size_t n) {
        const unsigned high = next();
        return ((high << 8) | next()) % n;
    }
    // `length` characters of `alphabet`.
    std::string text(std::size_t length, std::string_view alphabet) {
        std::string out;
        for (std::size_t i = 0; i < length; ++i) out += alphabet[next() % alphabet.size()];
        return out;
    }

  private:
    std::string_view bytes_;
    std::size_t at_ = 0;
};

struct KnownCode {
    const char* code;
    bool retryable;  // SPEC §2
};
constexpr std::array<KnownCode, 6> kSpecCodes = {{
    {"ThrottlingException", true},
    {"InternalServerException", true},
    {"AccessDeniedException", false},
    {"ResourceNotFoundException", false},
    {"ValidationException", false},
    {"ConflictException", false},
}};
constexpr std::array<long, 12> kStatuses = {400, 403, 404, 409, 413, 429,
                                            500, 501, 502, 503, 504, 505};
constexpr std::string_view kAlphanumeric =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

void check_synthesized(std::string_view input) {
    Choices choose(input);
    std::string code;
    bool spec_retryable = false;
    if (const std::size_t pick = choose.below(kSpecCodes.size() + 2); pick < kSpecCodes.size()) {
        code = kSpecCodes[pick].code;
        spec_retryable = kSpecCodes[pick].retryable;
    } else {
        // Prefixed so that no draw names a code the parser knows as retryable.
        code = "Fuzz" + choose.text(choose.below(24), kAlphanumeric);
    }
    std::string printable;
    for (char c = 0x20; c < 0x7f; ++c) printable += c;
    const std::string message = choose.text(1 + choose.below(2 * kMaxTextBytes), printable);
    const long status = choose.next() % 2 == 0 ? kStatuses[choose.below(kStatuses.size())]
                                               : static_cast<long>(400 + choose.below(200));

    HttpResponse response;
    response.status = status;
    nlohmann::json body = nlohmann::json::object();
    body[choose.next() % 2 == 0 ? "message" : "Message"] = message;
    switch (choose.below(5)) {
        case 0:
            response.headers.emplace_back("x-amzn-errortype", code);
            break;
        case 1:  // the service's ":"-suffix, which the parser strips
            response.headers.emplace_back("x-amzn-errortype",
                                          code + ":" + choose.text(choose.below(60), printable));
            if (choose.next() % 2 == 0) body["__type"] = "DecoyException";  // the header wins
            break;
        case 2:
            body["__type"] = code;
            break;
        case 3:
            body["__type"] = "com.amazonaws.codegurusecurity#" + code;
            break;
        default:
            body["code"] = code;
            break;
    }
    response.body = body.dump();

    const codeguru::aws::ApiError error = codeguru::aws::parse_error_response(response);
    FUZZ_CHECK(error.code() == code);
    FUZZ_CHECK(error.message() == message.substr(0, kMaxTextBytes));
    FUZZ_CHECK(error.http_status() == status);
    FUZZ_CHECK(error.retryable() == (spec_retryable || retried_status(status)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_raw(input);
    check_synthesized(input);
    return 0;
}
