#include "aws/credentials/ecs_provider.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "aws/credentials/credentials_json.hpp"
#include "aws/credentials/secret_file.hpp"
#include "aws/service_client.hpp"

namespace codeguru::aws {

namespace {

// The host of a "host", "host:port", "[v6]" or "[v6]:port" authority.
std::string host_name(const std::string& authority) {
    if (!authority.empty() && authority.front() == '[') {
        return authority.substr(0, authority.find(']') + 1);
    }
    return authority.substr(0, authority.find(':'));
}

// Whether plain http may reach `host`: loopback, or the ECS and EKS credential addresses.
bool allowed_over_http(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]" ||
           host == "169.254.170.2" || host == "169.254.170.23" || host == "[fd00:ec2::23]";
}

std::string full_uri(const std::string& uri) {
    Endpoint endpoint;
    try {
        endpoint = parse_endpoint(uri);
    } catch (const std::invalid_argument& error) {
        throw CredentialsError(std::string("AWS_CONTAINER_CREDENTIALS_FULL_URI: ") + error.what());
    }
    if (endpoint.scheme == "http" && !allowed_over_http(host_name(endpoint.host))) {
        throw CredentialsError("AWS_CONTAINER_CREDENTIALS_FULL_URI " + uri +
                               " uses plain http to a host that is not loopback nor the "
                               "ECS/EKS credential address; use https");
    }
    return uri;
}

// The service's own error message in a JSON answer, if any.
std::string error_detail(const std::string& body) {
    const nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
    if (!document.is_object()) {
        return "";
    }
    std::string detail;
    for (const char* field : {"code", "Code", "message", "Message"}) {
        const auto it = document.find(field);
        if (it != document.end() && it->is_string()) {
            detail += (detail.empty() ? "" : ": ") + it->get<std::string>();
        }
    }
    return detail.empty() ? "" : " (" + detail + ")";
}

}  // namespace

EcsProvider::EcsProvider(HttpTransport& transport, EnvLookup env, std::string relative_base)
    : transport_(transport), env_(std::move(env)), relative_base_(std::move(relative_base)) {}

std::optional<Credentials> EcsProvider::resolve() {
    const std::string relative = env_("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").value_or("");
    const std::string full = env_("AWS_CONTAINER_CREDENTIALS_FULL_URI").value_or("");
    if (relative.empty() && full.empty()) {
        return std::nullopt;
    }
    HttpRequest request;
    request.url = relative.empty() ? full_uri(full) : relative_base_ + relative;
    request.headers = {{"Accept", "application/json"}};
    const std::string token_file = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");
    std::string token = env_("AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
    if (!token_file.empty()) {
        token = read_secret_file(token_file, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    }
    if (!token.empty()) {
        request.headers.emplace_back("Authorization", token);
    }

    const std::string what = "ECS container credentials from " + request.url;
    spdlog::debug("{}{}", what, token.empty() ? "" : " with an authorization token");
    HttpResponse response;
    try {
        response = transport_.send(request);
    } catch (const TransportError& error) {
        throw CredentialsError(what + ": " + error.what());
    }
    if (response.status != 200) {
        throw CredentialsError(what + ": HTTP " + std::to_string(response.status) +
                               error_detail(response.body));
    }
    Credentials credentials = parse_credentials_json(response.body, "Token", what);
    credentials.source = "ecs container";
    return credentials;
}

}  // namespace codeguru::aws
