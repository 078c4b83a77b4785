// Differential test: our signer against botocore's SigV4Auth (Debian's python3-botocore),
// request for request, over randomized GetFindings requests.
#include <stdlib.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "aws/sigv4_signer.hpp"

using codeguru::aws::Credentials;
using codeguru::aws::SignableRequest;
using codeguru::aws::SigV4Signer;
using codeguru::aws::uri_encode;
using nlohmann::json;

namespace {

constexpr int kRequestCount = 250;
constexpr std::uint32_t kSeed = 20150830;
constexpr const char* kPython = "/usr/bin/python3";
constexpr const char* kApiHost = "codeguru-security.us-east-1.amazonaws.com";

struct GeneratedRequest {
    std::string scheme;
    std::string host;
    std::string scan_name;
    int max_results = 0;
    std::string status;
    std::optional<std::string> next_token;
    Credentials credentials;
    std::chrono::system_clock::time_point when;
};

class Generator {
  public:
    explicit Generator(std::uint32_t seed) : random_(seed) {}

    GeneratedRequest next() {
        GeneratedRequest request;
        if (chance(2)) {
            request.scheme = "https";
            request.host = kApiHost;
        } else {
            request.scheme = "http";
            request.host = "127.0.0.1:" + std::to_string(between(1024, 65535));
        }
        request.scan_name = scan_name();
        request.max_results = between(1, 1000);
        request.status = std::array{"Open", "Closed", "All"}[between(0, 2)];
        if (!chance(4)) {
            request.next_token = next_token();
        }
        request.credentials.access_key_id = "AKIA" + pick(kUpperDigits, 16);
        request.credentials.secret_access_key = pick(kBase64, 40);
        if (chance(2)) {
            request.credentials.session_token = pick(kBase64, between(16, 400)) + "==";
        }
        // Any second from 2000 to 2037, with a fraction that the signature must drop.
        request.when = std::chrono::system_clock::from_time_t(between(946684800, 2145916799)) +
                       std::chrono::milliseconds(between(0, 999));
        return request;
    }

  private:
    static constexpr std::string_view kUpperDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    static constexpr std::string_view kBase64 =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    static constexpr std::string_view kScanNameChars =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_$:.";

    int between(int low, int high) { return std::uniform_int_distribution(low, high)(random_); }
    bool chance(int one_in) { return between(1, one_in) == 1; }

    std::string pick(std::string_view alphabet, int length) {
        std::string out;
        for (int i = 0; i < length; ++i) {
            out.push_back(alphabet[between(0, static_cast<int>(alphabet.size()) - 1)]);
        }
        return out;
    }

    // ^[a-zA-Z0-9-_$:.]{1,140}$, never only dots (a "." or ".." path segment).
    std::string scan_name() {
        for (;;) {
            std::string name = pick(kScanNameChars, chance(3) ? between(1, 4) : between(1, 140));
            if (name.find_first_not_of('.') != std::string::npos) {
                return name;
            }
        }
    }

    // Opaque tokens: base64 with + / =, and some non-ASCII UTF-8 and reserved characters.
    std::string next_token() {
        static const std::vector<std::string> kExtras = {"+",
                                                         "/",
                                                         "=",
                                                         "%",
                                                         "&",
                                                         "?",
                                                         "#",
                                                         " ",
                                                         "~",
                                                         "*",
                                                         "\xC3\xA9",
                                                         "\xC3\x9F",
                                                         "\xE1\x88\xB4",
                                                         "\xE4\xB8\xAD",
                                                         "\xF0\x9F\x98\x80",
                                                         "\xC2\xA0"};
        std::string token;
        const int length = between(1, 300);
        for (int i = 0; i < length; ++i) {
            if (chance(6)) {
                token += kExtras[between(0, static_cast<int>(kExtras.size()) - 1)];
            } else {
                token += pick(kBase64, 1);
            }
        }
        return token;
    }

    std::mt19937 random_;
};

// How the client puts a GetFindings request on the wire: the scanName label
// percent-encoded once, the query decoded here and encoded by the signer.
SignableRequest to_signable(const GeneratedRequest& generated) {
    SignableRequest request;
    request.method = "GET";
    request.host = generated.host;
    request.path = "/findings/" + uri_encode(generated.scan_name);
    request.query = {{"maxResults", std::to_string(generated.max_results)},
                     {"status", generated.status}};
    if (generated.next_token) {
        request.query.emplace_back("nextToken", *generated.next_token);
    }
    return request;
}

json to_json(const GeneratedRequest& generated) {
    json spec = {
        {"scheme", generated.scheme},
        {"host", generated.host},
        {"scan_name", generated.scan_name},
        {"max_results", generated.max_results},
        {"status", generated.status},
        {"access_key_id", generated.credentials.access_key_id},
        {"secret_access_key", generated.credentials.secret_access_key},
        {"session_token", generated.credentials.session_token},
        {"epoch_seconds", std::chrono::system_clock::to_time_t(
                              std::chrono::floor<std::chrono::seconds>(generated.when))},
    };
    if (generated.next_token) {
        spec["next_token"] = *generated.next_token;
    }
    return spec;
}

std::string header(const codeguru::aws::SigningResult& result, const std::string& name) {
    for (const auto& [key, value] : result.headers) {
        if (key == name) {
            return value;
        }
    }
    return "";
}

// A temporary file that is removed when it goes out of scope.
class TempFile {
  public:
    TempFile() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "codeguru-sigv4-XXXXXX.json").string();
        const int fd = ::mkstemps(pattern.data(), 5);
        REQUIRE(fd >= 0);
        ::close(fd);
        path_ = pattern;
    }
    ~TempFile() { std::filesystem::remove(path_); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// Runs the command and returns its standard output and exit status.
std::pair<std::string, int> run(const std::string& command) {
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    std::array<char, 65536> buffer;
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        output.append(buffer.data(), n);
    }
    return {output, ::pclose(pipe)};
}

}  // namespace

TEST_CASE("signs randomized GetFindings requests exactly as botocore does", "[sigv4][botocore]") {
    REQUIRE(std::filesystem::exists(kPython));
    const std::string script = std::string(CODEGURU_SOURCE_DIR) + "/tests/support/botocore_sign.py";

    Generator generator(kSeed);
    std::vector<GeneratedRequest> requests;
    json specs = json::array();
    for (int i = 0; i < kRequestCount; ++i) {
        requests.push_back(generator.next());
        specs.push_back(to_json(requests.back()));
    }
    TempFile file;
    std::ofstream(file.path()) << specs.dump();

    const auto [output, status] =
        run(std::string(kPython) + " '" + script + "' '" + file.path().string() + "'");
    INFO("botocore_sign.py output: " << output.substr(0, 2000));
    REQUIRE(status == 0);
    const json answers = json::parse(output);
    REQUIRE(answers.size() == requests.size());

    const SigV4Signer signer("codeguru-security", "us-east-1");
    int compared = 0;
    int disagreed = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        const SignableRequest request = to_signable(requests[i]);
        const auto ours = signer.sign(request, requests[i].credentials, requests[i].when);
        const json& theirs = answers[i];
        INFO("request " << i << ": " << specs[i].dump());
        const bool agree =
            request.path == theirs.at("path").get<std::string>() &&
            ours.canonical_request == theirs.at("canonical_request").get<std::string>() &&
            header(ours, "authorization") == theirs.at("authorization").get<std::string>() &&
            header(ours, "x-amz-date") == theirs.at("x_amz_date").get<std::string>();
        if (!agree) {
            ++disagreed;
            CHECK(request.path == theirs.at("path").get<std::string>());
            CHECK(ours.canonical_request == theirs.at("canonical_request").get<std::string>());
            CHECK(header(ours, "authorization") == theirs.at("authorization").get<std::string>());
            CHECK(header(ours, "x-amz-date") == theirs.at("x_amz_date").get<std::string>());
        }
        ++compared;
    }
    std::cout << "sigv4 vs botocore: compared " << compared << " requests, " << disagreed
              << " disagreed\n";
    CHECK(compared == kRequestCount);
    CHECK(disagreed == 0);
}
