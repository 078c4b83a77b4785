#include "aws/credentials/assume_role_provider.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "aws/credentials/process_provider.hpp"
#include "aws/credentials/profile_provider.hpp"
#include "aws/credentials/web_identity_provider.hpp"

namespace codeguru::aws {

namespace {

constexpr int kMinDurationSeconds = 900;
constexpr int kMaxDurationSeconds = 43200;

std::string profile_label(const std::string& profile) {
    return "AWS profile '" + profile + "'";
}

std::string describe_cycle(const std::vector<std::string>& visited, const std::string& again) {
    std::string path;
    for (const auto& profile : visited) {
        path += profile + " -> ";
    }
    return path + again;
}

std::optional<int> duration_of(const SharedConfigFiles& files, const std::string& profile) {
    const auto value = files.value(profile, "duration_seconds");
    if (!value) {
        return std::nullopt;
    }
    int seconds = 0;
    const char* end = value->value.data() + value->value.size();
    const auto [ptr, error] = std::from_chars(value->value.data(), end, seconds);
    if (error != std::errc() || ptr != end || seconds < kMinDurationSeconds ||
        seconds > kMaxDurationSeconds) {
        throw CredentialsError(profile_label(profile) + " in " + value->file.string() +
                               ": duration_seconds '" + value->value +
                               "' is not a number of seconds from 900 to 43200");
    }
    return seconds;
}

}  // namespace

AssumeRoleProvider::AssumeRoleProvider(std::string explicit_profile,
                                       std::shared_ptr<const StsClient> sts, const Clock& clock,
                                       EnvLookup env, std::chrono::milliseconds process_timeout,
                                       const StopFlag* stop)
    : explicit_profile_(std::move(explicit_profile)),
      sts_(std::move(sts)),
      clock_(clock),
      env_(std::move(env)),
      process_timeout_(process_timeout),
      stop_(stop) {}

std::optional<Credentials> AssumeRoleProvider::resolve() {
    const ProfileSelection profile = select_profile(explicit_profile_, env_);
    const SharedConfigFiles files = SharedConfigFiles::load(env_);
    if (!files.value(profile.name, "role_arn")) {
        return std::nullopt;
    }
    std::vector<std::string> visited;
    Credentials credentials = assume(files, profile.name, visited);
    credentials.source = "assumed role of profile " + profile.name;
    return credentials;
}

Credentials AssumeRoleProvider::assume(const SharedConfigFiles& files, const std::string& profile,
                                       std::vector<std::string>& visited) const {
    visited.push_back(profile);

    for (const char* unsupported : {"credential_source", "mfa_serial"}) {
        if (const auto value = files.value(profile, unsupported)) {
            throw CredentialsError(
                profile_label(profile) + " in " + value->file.string() + " sets " + unsupported +
                ", which codeguru-syncd does not support" + " (use source_profile, without MFA)");
        }
    }
    const auto source = files.value(profile, "source_profile");
    if (!source) {
        throw CredentialsError(profile_label(profile) + " has role_arn but no source_profile");
    }

    Credentials caller;
    if (source->value == profile) {
        // A profile may be its own source: its static keys assume its role.
        auto own = static_profile_credentials(files, profile);
        if (!own) {
            throw CredentialsError(profile_label(profile) +
                                   " is its own source_profile but has no static keys");
        }
        caller = std::move(*own);
    } else {
        caller = source_credentials(files, source->value, visited);
    }

    AssumeRoleParams params;
    params.role_arn = files.value(profile, "role_arn")->value;
    params.session_name = files.value(profile, "role_session_name")
                              .value_or(SharedValue{default_session_name(clock_), {}})
                              .value;
    if (const auto external_id = files.value(profile, "external_id")) {
        params.external_id = external_id->value;
    }
    params.duration_seconds = duration_of(files, profile);
    spdlog::debug("assume role: profile {} assumes {} as session {} with credentials of {}",
                  profile, params.role_arn, params.session_name, source->value);
    return sts_->assume_role(params, caller);
}

Credentials AssumeRoleProvider::source_credentials(const SharedConfigFiles& files,
                                                   const std::string& profile,
                                                   std::vector<std::string>& visited) const {
    if (std::find(visited.begin(), visited.end(), profile) != visited.end()) {
        throw CredentialsError("AWS profiles form a cycle of source_profile: " +
                               describe_cycle(visited, profile));
    }
    if (!files.has_profile(profile)) {
        throw CredentialsError("source_profile '" + profile + "' of " +
                               profile_label(visited.back()) + " does not exist");
    }
    if (auto keys = static_profile_credentials(files, profile)) {
        return std::move(*keys);
    }
    if (files.value(profile, "role_arn")) {
        return assume(files, profile, visited);
    }
    if (const auto command = files.value(profile, "credential_process")) {
        return run_credential_process(command->value, process_timeout_,
                                      "credential_process of " + profile_label(profile), stop_);
    }
    throw CredentialsError("source_profile '" + profile + "' of " + profile_label(visited.back()) +
                           " has no credentials (static keys, role_arn or credential_process)");
}

}  // namespace codeguru::aws
