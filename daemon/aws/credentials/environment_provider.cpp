#include "aws/credentials/environment_provider.hpp"

#include <utility>

namespace codeguru::aws {

namespace {

std::string variable(const EnvLookup& env, const std::string& name) {
    return env(name).value_or("");
}

}  // namespace

EnvironmentProvider::EnvironmentProvider(EnvLookup env) : env_(std::move(env)) {}

std::optional<Credentials> EnvironmentProvider::resolve() {
    Credentials credentials;
    credentials.access_key_id = variable(env_, "AWS_ACCESS_KEY_ID");
    credentials.secret_access_key = variable(env_, "AWS_SECRET_ACCESS_KEY");
    if (credentials.access_key_id.empty() && credentials.secret_access_key.empty()) {
        return std::nullopt;
    }
    if (credentials.secret_access_key.empty()) {
        throw CredentialsError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    }
    if (credentials.access_key_id.empty()) {
        throw CredentialsError("AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    }
    credentials.session_token = variable(env_, "AWS_SESSION_TOKEN");
    credentials.source = "environment";
    return credentials;
}

}  // namespace codeguru::aws
