#include "aws/credentials/imds_provider.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

#include "aws/credentials/credentials_json.hpp"

namespace codeguru::aws {

namespace {

constexpr std::string_view kCredentialsPath = "/latest/meta-data/iam/security-credentials/";

std::string to_lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

std::string first_line(const std::string& text) {
    const auto end = text.find_first_of("\r\n");
    std::string line = text.substr(0, end);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
        line.pop_back();
    }
    return line;
}

}  // namespace

ImdsProvider::ImdsProvider(HttpTransport& transport, EnvLookup env)
    : transport_(transport), env_(std::move(env)) {}

std::string ImdsProvider::base_url() const {
    std::string endpoint = env_("AWS_EC2_METADATA_SERVICE_ENDPOINT").value_or("");
    if (endpoint.empty()) {
        const bool ipv6 =
            to_lower(env_("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE").value_or("")) == "ipv6";
        endpoint = ipv6 ? "http://[fd00:ec2::254]" : "http://169.254.169.254";
    }
    while (!endpoint.empty() && endpoint.back() == '/') {
        endpoint.pop_back();
    }
    return endpoint;
}

std::optional<Credentials> ImdsProvider::resolve() {
    if (to_lower(env_("AWS_EC2_METADATA_DISABLED").value_or("")) == "true") {
        return std::nullopt;
    }
    const std::string base = base_url();
    const std::string what = "EC2 instance metadata at " + base;

    HttpRequest token_request;
    token_request.method = "PUT";
    token_request.url = base + "/latest/api/token";
    token_request.headers = {
        {"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(kTokenTtlSeconds)}};
    HttpResponse token_response;
    try {
        token_response = transport_.send(token_request);
    } catch (const TransportError& error) {
        spdlog::debug("{} is not reachable ({}): not on EC2", what, error.what());
        return std::nullopt;
    }
    if (token_response.status != 200 || token_response.body.empty()) {
        throw CredentialsError(what + ": no IMDSv2 token (HTTP " +
                               std::to_string(token_response.status) + ")");
    }
    const HttpHeaders token_header = {{"X-aws-ec2-metadata-token", token_response.body}};

    const auto get = [&](const std::string& path) {
        HttpRequest request;
        request.url = base + path;
        request.headers = token_header;
        try {
            return transport_.send(request);
        } catch (const TransportError& error) {
            throw CredentialsError(what + ": " + error.what());
        }
    };

    const HttpResponse roles = get(std::string(kCredentialsPath));
    if (roles.status == 404) {
        spdlog::debug("{}: the instance has no IAM role", what);
        return std::nullopt;
    }
    const std::string role = first_line(roles.body);
    if (roles.status != 200 || role.empty()) {
        throw CredentialsError(what + ": no instance role name (HTTP " +
                               std::to_string(roles.status) + ")");
    }

    const HttpResponse answer = get(std::string(kCredentialsPath) + role);
    if (answer.status != 200) {
        throw CredentialsError(what + ": no credentials for role " + role + " (HTTP " +
                               std::to_string(answer.status) + ")");
    }
    const std::string role_what = what + ", role " + role;
    const nlohmann::json document = nlohmann::json::parse(answer.body, nullptr, false);
    if (document.is_object() && document.contains("Code") && document["Code"] != "Success") {
        throw CredentialsError(role_what + ": Code is " + document["Code"].dump());
    }
    Credentials credentials = parse_credentials_json(answer.body, "Token", role_what);
    credentials.source = "ec2 instance role " + role;
    return credentials;
}

}  // namespace codeguru::aws
