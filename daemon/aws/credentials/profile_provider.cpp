#include "aws/credentials/profile_provider.hpp"

#include <utility>

#include "aws/shared_config_files.hpp"

namespace codeguru::aws {

namespace {

std::string describe(const std::filesystem::path& path) {
    return path.empty() ? std::string("(no path: HOME is unset)") : path.string();
}

}  // namespace

std::optional<Credentials> static_profile_credentials(const SharedConfigFiles& files,
                                                      const std::string& profile) {
    const auto key_id = files.value(profile, "aws_access_key_id");
    const auto secret = files.value(profile, "aws_secret_access_key");
    if (!key_id && !secret) {
        return std::nullopt;
    }
    if (!secret) {
        throw CredentialsError("AWS profile '" + profile + "' in " + key_id->file.string() +
                               " has aws_access_key_id but no aws_secret_access_key");
    }
    if (!key_id) {
        throw CredentialsError("AWS profile '" + profile + "' in " + secret->file.string() +
                               " has aws_secret_access_key but no aws_access_key_id");
    }

    Credentials credentials;
    credentials.access_key_id = key_id->value;
    credentials.secret_access_key = secret->value;
    if (const auto token = files.value(profile, "aws_session_token")) {
        credentials.session_token = token->value;
    }
    return credentials;
}

ProfileProvider::ProfileProvider(std::string explicit_profile, EnvLookup env)
    : explicit_profile_(std::move(explicit_profile)), env_(std::move(env)) {}

std::optional<Credentials> ProfileProvider::resolve() {
    const ProfileSelection profile = select_profile(explicit_profile_, env_);
    const SharedConfigFiles files = SharedConfigFiles::load(env_);
    if (!files.has_profile(profile.name)) {
        if (profile.chosen) {
            throw CredentialsError("AWS profile '" + profile.name + "' is in neither " +
                                   describe(files.credentials().path) + " nor " +
                                   describe(files.config().path));
        }
        return std::nullopt;
    }

    auto credentials = static_profile_credentials(files, profile.name);
    if (credentials) {
        credentials->source = "profile " + profile.name;
    }
    return credentials;
}

}  // namespace codeguru::aws
