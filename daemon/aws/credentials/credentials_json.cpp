#include "aws/credentials/credentials_json.hpp"

#include <nlohmann/json.hpp>

#include "aws/iso8601_time.hpp"

namespace codeguru::aws {

namespace {

// A string member, or "" when it is absent; CredentialsError when it is not a string.
std::string string_member(const nlohmann::json& document, std::string_view field,
                          const std::string& what) {
    const auto it = document.find(field);
    if (it == document.end() || it->is_null()) {
        return "";
    }
    if (!it->is_string()) {
        throw CredentialsError(what + ": \"" + std::string(field) + "\" is not a string");
    }
    return it->get<std::string>();
}

}  // namespace

Credentials parse_credentials_json(std::string_view body, std::string_view token_field,
                                   const std::string& what) {
    const nlohmann::json document = nlohmann::json::parse(body, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        throw CredentialsError(what + ": the answer is not a JSON object");
    }
    Credentials credentials;
    credentials.access_key_id = string_member(document, "AccessKeyId", what);
    credentials.secret_access_key = string_member(document, "SecretAccessKey", what);
    credentials.session_token = string_member(document, token_field, what);
    if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
        throw CredentialsError(what + ": the answer lacks AccessKeyId or SecretAccessKey");
    }
    const std::string expiration = string_member(document, "Expiration", what);
    if (!expiration.empty()) {
        credentials.expiration = parse_iso8601_time(expiration);
        if (!credentials.expiration) {
            throw CredentialsError(what + ": Expiration '" + expiration + "' is not ISO-8601");
        }
    }
    return credentials;
}

}  // namespace codeguru::aws
