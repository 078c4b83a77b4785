#include "aws/credentials/sts_client.hpp"

#include <spdlog/spdlog.h>
#include <pugixml.hpp>

#include <stdexcept>
#include <utility>
#include <vector>

#include "aws/endpoint_override.hpp"
#include "aws/iso8601_time.hpp"
#include "aws/service_client.hpp"
#include "aws/sigv4_signer.hpp"

namespace codeguru::aws {

namespace {

constexpr std::string_view kApiVersion = "2011-06-15";
constexpr std::string_view kFormContentType = "application/x-www-form-urlencoded; charset=utf-8";

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        body += (body.empty() ? "" : "&") + uri_encode(name) + "=" + uri_encode(value);
    }
    return body;
}

// The text of a child element of `node`, or "".
std::string child_text(const pugi::xml_node& node, const char* name) {
    return node.child(name).text().as_string();
}

}  // namespace

std::string sts_endpoint(const std::string& region, const EnvLookup& env) {
    if (auto configured = endpoint_from_environment("STS", env)) {
        return *configured;
    }
    const std::string suffix = region.rfind("cn-", 0) == 0 ? ".amazonaws.com.cn" : ".amazonaws.com";
    return "https://sts." + region + suffix;
}

Credentials parse_sts_credentials(std::string_view xml, std::string_view action) {
    const std::string what = "STS " + std::string(action) + " answer";
    pugi::xml_document document;
    if (!document.load_buffer(xml.data(), xml.size())) {
        throw CredentialsError(what + " is not XML");
    }
    const std::string response = std::string(action) + "Response";
    const std::string result = std::string(action) + "Result";
    const pugi::xml_node credentials_node =
        document.child(response.c_str()).child(result.c_str()).child("Credentials");
    if (!credentials_node) {
        throw CredentialsError(what + " has no " + response + "/" + result + "/Credentials");
    }
    Credentials credentials;
    credentials.access_key_id = child_text(credentials_node, "AccessKeyId");
    credentials.secret_access_key = child_text(credentials_node, "SecretAccessKey");
    credentials.session_token = child_text(credentials_node, "SessionToken");
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty() ||
        credentials.session_token.empty()) {
        throw CredentialsError(what + " lacks AccessKeyId, SecretAccessKey or SessionToken");
    }
    const std::string expiration = child_text(credentials_node, "Expiration");
    credentials.expiration = parse_iso8601_time(expiration);
    if (!credentials.expiration) {
        throw CredentialsError(what + " has no valid Expiration ('" + expiration + "')");
    }
    return credentials;
}

std::optional<std::string> parse_sts_error(std::string_view xml) {
    pugi::xml_document document;
    if (!document.load_buffer(xml.data(), xml.size())) {
        return std::nullopt;
    }
    const pugi::xml_node error = document.child("ErrorResponse").child("Error");
    const std::string code = child_text(error, "Code");
    if (code.empty()) {
        return std::nullopt;
    }
    const std::string message = child_text(error, "Message");
    return message.empty() ? code : code + ": " + message;
}

StsClient::StsClient(std::string endpoint, std::string region, HttpTransport& transport,
                     const Clock& clock)
    : endpoint_(std::move(endpoint)),
      region_(std::move(region)),
      transport_(transport),
      clock_(clock) {}

Credentials StsClient::assume_role(const AssumeRoleParams& params,
                                   const Credentials& caller) const {
    std::vector<std::pair<std::string, std::string>> fields = {
        {"Action", "AssumeRole"},
        {"Version", std::string(kApiVersion)},
        {"RoleArn", params.role_arn},
        {"RoleSessionName", params.session_name}};
    if (!params.external_id.empty()) {
        fields.emplace_back("ExternalId", params.external_id);
    }
    if (params.duration_seconds) {
        fields.emplace_back("DurationSeconds", std::to_string(*params.duration_seconds));
    }
    return call("AssumeRole", params.role_arn, form_body(fields), &caller);
}

Credentials StsClient::assume_role_with_web_identity(const WebIdentityParams& params) const {
    const std::vector<std::pair<std::string, std::string>> fields = {
        {"Action", "AssumeRoleWithWebIdentity"},
        {"Version", std::string(kApiVersion)},
        {"RoleArn", params.role_arn},
        {"RoleSessionName", params.session_name},
        {"WebIdentityToken", params.web_identity_token}};
    return call("AssumeRoleWithWebIdentity", params.role_arn, form_body(fields), nullptr);
}

Credentials StsClient::call(std::string_view action, const std::string& role_arn,
                            const std::string& form, const Credentials* caller) const {
    const std::string what = "STS " + std::string(action) + " of " + role_arn;
    Endpoint endpoint;
    try {
        endpoint = parse_endpoint(endpoint_);
    } catch (const std::invalid_argument& error) {
        throw CredentialsError(what + ": bad STS endpoint: " + error.what());
    }

    HttpRequest request;
    request.method = "POST";
    request.url = endpoint.scheme + "://" + endpoint.host + endpoint.base_path + "/";
    request.body = form;
    request.headers = {{"Host", endpoint.host},
                       {"Content-Type", std::string(kFormContentType)},
                       {"Accept", "application/xml"}};
    if (caller != nullptr) {
        SignableRequest signable;
        signable.method = request.method;
        signable.host = endpoint.host;
        signable.path = endpoint.base_path + "/";
        signable.headers = {{"Content-Type", std::string(kFormContentType)}};
        signable.body = form;
        const SigningResult signed_parts =
            SigV4Signer("sts", region_).sign(signable, *caller, clock_.now());
        for (const auto& header : signed_parts.headers) {
            request.headers.push_back(header);
        }
    }

    spdlog::debug("{} at {}", what, endpoint_);
    HttpResponse response;
    try {
        response = transport_.send(request);
    } catch (const TransportError& error) {
        throw CredentialsError(what + ": cannot reach " + endpoint_ + ": " + error.what());
    }
    if (response.status < 200 || response.status >= 300) {
        const auto error = parse_sts_error(response.body);
        throw CredentialsError(what + " failed: " + error.value_or("no STS error in the answer") +
                               " (HTTP " + std::to_string(response.status) + ")");
    }
    return parse_sts_credentials(response.body, action);
}

}  // namespace codeguru::aws
