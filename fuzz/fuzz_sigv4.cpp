// Fuzzes SigV4 canonicalization and signing (aws/sigv4_signer) on requests built from the
// input. Input lines: method, host, path, query ("a=1&b=2", decoded), then header lines
// "name: value" up to an empty line, then the body (the shape of the seed files).
// Properties: uri_encode keeps only unreserved bytes and %XX and decodes back to its input;
// signing never throws and is deterministic; the signature is 64 lower-case hex digits; the
// canonical request has the documented six parts, an encoded path and query, sorted
// lower-case signed headers that include host and x-amz-date, and the body's hash; the order
// of query parameters does not matter.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aws/crypto.hpp"
#include "aws/sigv4_signer.hpp"
#include "fuzz_support.hpp"

namespace {

using codeguru::aws::SignableRequest;
using codeguru::aws::uri_encode;

std::string_view next_line(std::string_view& text) {
    const std::size_t eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
    return line;
}

bool is_unreserved(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

// RFC 9110 tchar: what a header name is made of.
bool is_token_char(char c) {
    return is_unreserved(c) || std::string_view("!#$%&'*+^`|").find(c) != std::string_view::npos;
}

bool is_upper_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

int hex_value(char c) {
    return c <= '9' ? c - '0' : c - 'A' + 10;
}

// Decodes what uri_encode wrote, checking its alphabet on the way: unreserved bytes,
// "%XX" with upper-case hex, and (when allowed) '/'.
std::string checked_decode(std::string_view encoded, bool slash_allowed) {
    std::string decoded;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        const char c = encoded[i];
        if (c == '%') {
            FUZZ_CHECK(i + 2 < encoded.size());
            FUZZ_CHECK(is_upper_hex(encoded[i + 1]) && is_upper_hex(encoded[i + 2]));
            decoded.push_back(
                static_cast<char>(hex_value(encoded[i + 1]) * 16 + hex_value(encoded[i + 2])));
            i += 2;
        } else {
            FUZZ_CHECK(is_unreserved(c) || (slash_allowed && c == '/'));
            decoded.push_back(c);
        }
    }
    return decoded;
}

SignableRequest request_from(std::string_view input) {
    SignableRequest request;
    request.method = std::string(next_line(input));
    request.host = std::string(next_line(input));
    request.path = std::string(next_line(input));
    std::string_view query = next_line(input);
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        request.query.emplace_back(
            std::string(pair.substr(0, eq)),
            eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    }
    for (std::string_view line = next_line(input); !line.empty(); line = next_line(input)) {
        const std::size_t colon = line.find(':');
        const std::string_view name = line.substr(0, colon);
        // HTTP carries only token names; the signer's callers pass constants.
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) continue;
        request.headers.emplace_back(std::string(name), colon == std::string_view::npos
                                                            ? std::string()
                                                            : std::string(line.substr(colon + 1)));
    }
    request.body = std::string(input);
    return request;
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t eol = text.find('\n'); eol != std::string_view::npos;
         eol = text.find('\n', start)) {
        lines.push_back(text.substr(start, eol - start));
        start = eol + 1;
    }
    lines.push_back(text.substr(start));
    return lines;
}

void check_uri_encode(std::string_view text) {
    FUZZ_CHECK(checked_decode(uri_encode(text), false) == text);
    FUZZ_CHECK(checked_decode(uri_encode(text, /*keep_slash=*/true), true) == text);
}

void check_signing(const SignableRequest& request) {
    using namespace std::chrono;
    const codeguru::aws::SigV4Signer signer("codeguru-security", "us-east-1");
    const codeguru::aws::Credentials credentials{
        "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token", {}, "fuzz"};
    const system_clock::time_point when = sys_days(year(2025) / September / 16) + hours(5);

    const auto result = signer.sign(request, credentials, when);
    FUZZ_CHECK(result.signature.size() == 64);
    FUZZ_CHECK(std::all_of(result.signature.begin(), result.signature.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }));

    const auto again = signer.sign(request, credentials, when);
    FUZZ_CHECK(again.canonical_request == result.canonical_request);
    FUZZ_CHECK(again.signature == result.signature);

    SignableRequest reordered = request;
    std::reverse(reordered.query.begin(), reordered.query.end());
    FUZZ_CHECK(signer.sign(reordered, credentials, when).signature == result.signature);

    // The canonical request's tail is: signed names, body hash; before them the header block
    // ends with an empty line. Header values may not hold '\n', so the count is exact.
    const auto lines = split_lines(result.canonical_request);
    FUZZ_CHECK(lines.size() >= 7);
    std::string method = request.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    FUZZ_CHECK(lines[0] == method);
    checked_decode(lines[1], /*slash_allowed=*/true);
    FUZZ_CHECK(!lines[1].empty());
    for (std::string_view query = lines[2]; !query.empty();) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        FUZZ_CHECK(eq != std::string_view::npos);
        checked_decode(pair.substr(0, eq), false);
        checked_decode(pair.substr(eq + 1), false);
    }
    FUZZ_CHECK(lines[lines.size() - 1] == codeguru::aws::sha256_hex(request.body));
    FUZZ_CHECK(lines[lines.size() - 3].empty());
    const std::string_view signed_names = lines[lines.size() - 2];
    std::vector<std::string_view> names;
    for (std::size_t start = 0;;) {
        const std::size_t semicolon = signed_names.find(';', start);
        names.push_back(signed_names.substr(start, semicolon - start));
        if (semicolon == std::string_view::npos) break;
        start = semicolon + 1;
    }
    FUZZ_CHECK(std::is_sorted(names.begin(), names.end()));
    FUZZ_CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
    FUZZ_CHECK(std::binary_search(names.begin(), names.end(), "host"));
    FUZZ_CHECK(std::binary_search(names.begin(), names.end(), "x-amz-date"));
    FUZZ_CHECK(std::binary_search(names.begin(), names.end(), "x-amz-security-token"));
    for (const std::string_view name : names) {
        FUZZ_CHECK(
            std::none_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    }
    FUZZ_CHECK(lines.size() - 3 - 3 == names.size());  // one header line per signed name

    const auto& authorization = result.headers.back();
    FUZZ_CHECK(authorization.first == "authorization");
    FUZZ_CHECK(authorization.second.ends_with(", Signature=" + result.signature));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check_uri_encode(input);
    check_signing(request_from(input));
    return 0;
}
