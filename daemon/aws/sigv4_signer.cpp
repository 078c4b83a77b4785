#include "aws/sigv4_signer.hpp"

#include <time.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <stdexcept>
#include <vector>

#include "aws/crypto.hpp"

namespace codeguru::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

// Headers the signer sets itself; a caller's copy of them is ignored.
bool is_signer_owned(std::string_view lower_name) {
    return lower_name == "host" || lower_name == "x-amz-date" ||
           lower_name == "x-amz-security-token" || lower_name == "authorization";
}

std::string to_lower(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower;
}

std::string to_upper(std::string_view text) {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return upper;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Trimall: no leading or trailing whitespace, every inner run of it one space.
std::string trim_all(std::string_view value) {
    std::string out;
    bool pending_space = false;
    for (const char c : value) {
        if (is_space(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) {
            out.push_back(' ');
            pending_space = false;
        }
        out.push_back(c);
    }
    return out;
}

// RFC 3986 section 5.2.4 dot-segment removal, with empty segments (consecutive
// slashes) dropped as well, as AWS services and botocore expect.
std::string normalize_path(std::string_view path) {
    if (path.empty()) {
        return "/";
    }
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = std::min(path.find('/', start), path.size());
        const std::string_view segment = path.substr(start, slash - start);
        if (segment == "..") {
            if (!segments.empty()) {
                segments.pop_back();
            }
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        start = slash + 1;
    }
    std::string normalized = path.front() == '/' ? "/" : "";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i > 0) {
            normalized.push_back('/');
        }
        normalized.append(segments[i]);
    }
    if (path.back() == '/' && !segments.empty()) {
        normalized.push_back('/');
    }
    return normalized.empty() ? "/" : normalized;
}

// The path as signed: normalized, then encoded a second time (non-S3 services).
std::string canonical_uri(std::string_view path) {
    return uri_encode(normalize_path(path), /*keep_slash=*/true);
}

std::string canonical_query(const std::vector<std::pair<std::string, std::string>>& query) {
    std::vector<std::pair<std::string, std::string>> encoded;
    encoded.reserve(query.size());
    for (const auto& [name, value] : query) {
        encoded.emplace_back(uri_encode(name), uri_encode(value));
    }
    std::sort(encoded.begin(), encoded.end());
    std::string out;
    for (const auto& [name, value] : encoded) {
        if (!out.empty()) {
            out.push_back('&');
        }
        out.append(name).append("=").append(value);
    }
    return out;
}

struct CanonicalHeaders {
    std::string block;         // "name:value\n" per header, sorted by name
    std::string signed_names;  // "name;name;..."
};

CanonicalHeaders canonical_headers(const SignableRequest& request, const std::string& amz_date,
                                   const Credentials& credentials) {
    // Repeated names are joined with "," in the order they were given.
    std::map<std::string, std::string> headers;
    const auto add = [&headers](std::string name, std::string_view value) {
        auto [it, inserted] = headers.try_emplace(std::move(name), trim_all(value));
        if (!inserted) {
            it->second.append(",").append(trim_all(value));
        }
    };
    add("host", request.host);
    add("x-amz-date", amz_date);
    if (!credentials.session_token.empty()) {
        add("x-amz-security-token", credentials.session_token);
    }
    for (const auto& [name, value] : request.headers) {
        std::string lower = to_lower(trim_all(name));
        if (!is_signer_owned(lower)) {
            add(std::move(lower), value);
        }
    }
    CanonicalHeaders canonical;
    for (const auto& [name, value] : headers) {
        canonical.block.append(name).append(":").append(value).append("\n");
        if (!canonical.signed_names.empty()) {
            canonical.signed_names.push_back(';');
        }
        canonical.signed_names.append(name);
    }
    return canonical;
}

// "YYYYMMDDTHHMMSSZ" in UTC, to the second.
std::string format_amz_date(std::chrono::system_clock::time_point when) {
    const std::time_t seconds =
        std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
    std::tm utc{};
    if (::gmtime_r(&seconds, &utc) == nullptr) {
        throw std::runtime_error("cannot format the signing time");
    }
    char buffer[32];
    const std::size_t length = std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &utc);
    return std::string(buffer, length);
}

std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service) {
    const std::string date_key = hmac_sha256("AWS4" + std::string(secret), date);
    const std::string region_key = hmac_sha256(date_key, region);
    const std::string service_key = hmac_sha256(region_key, service);
    return hmac_sha256(service_key, "aws4_request");
}

}  // namespace

std::string uri_encode(std::string_view value, bool keep_slash) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (const char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                                (byte >= '0' && byte <= '9') || byte == '-' || byte == '_' ||
                                byte == '.' || byte == '~';
        if (unreserved || (keep_slash && byte == '/')) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0x0f]);
        }
    }
    return out;
}

SigV4Signer::SigV4Signer(std::string service, std::string region)
    : service_(std::move(service)), region_(std::move(region)) {}

SigningResult SigV4Signer::sign(const SignableRequest& request, const Credentials& credentials,
                                std::chrono::system_clock::time_point when) const {
    const std::string amz_date = format_amz_date(when);
    const std::string date = amz_date.substr(0, 8);
    const std::string scope = date + "/" + region_ + "/" + service_ + "/aws4_request";

    SigningResult result;

    // 1. Canonical request.
    const CanonicalHeaders headers = canonical_headers(request, amz_date, credentials);
    result.canonical_request = to_upper(request.method) + "\n" + canonical_uri(request.path) +
                               "\n" + canonical_query(request.query) + "\n" + headers.block + "\n" +
                               headers.signed_names + "\n" + sha256_hex(request.body);

    // 2. String to sign.
    result.string_to_sign = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" +
                            sha256_hex(result.canonical_request);

    // 3. Signing key, 4. signature.
    const std::string key = signing_key(credentials.secret_access_key, date, region_, service_);
    result.signature = hex_encode(hmac_sha256(key, result.string_to_sign));

    result.headers.emplace_back("x-amz-date", amz_date);
    if (!credentials.session_token.empty()) {
        result.headers.emplace_back("x-amz-security-token", credentials.session_token);
    }
    result.headers.emplace_back(
        "authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id +
                             "/" + scope + ", SignedHeaders=" + headers.signed_names +
                             ", Signature=" + result.signature);
    return result;
}

}  // namespace codeguru::aws
