#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials/credentials.hpp"
#include "aws/credentials/sts_client.hpp"
#include "aws/env_lookup.hpp"
#include "aws/shared_config_files.hpp"
#include "util/clock.hpp"

namespace codeguru {
class StopFlag;
}

namespace codeguru::aws {

// Temporary credentials from STS AssumeRole for a profile with `role_arn` (chosen by
// select_profile()), signed with the credentials of its `source_profile`: that profile's
// static keys, else its own role (chains of roles), else its credential_process. Honours
// `role_session_name`, `external_id` and `duration_seconds`. std::nullopt when the profile
// is absent or has no role_arn; CredentialsError for a cycle of source profiles, a missing
// source, unsupported settings (credential_source, mfa_serial) or a refusal by STS.
// Reads the files on every resolve(). Thread-safe if the lookup is.
class AssumeRoleProvider final : public CredentialsProvider {
  public:
    AssumeRoleProvider(std::string explicit_profile, std::shared_ptr<const StsClient> sts,
                       const Clock& clock, EnvLookup env = process_environment(),
                       std::chrono::milliseconds process_timeout = std::chrono::seconds(60),
                       const StopFlag* stop = nullptr);

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "assume role"; }

  private:
    // The credentials of `profile` as the source of another's role; `visited` holds the
    // profiles on the way, for cycle detection.
    Credentials source_credentials(const SharedConfigFiles& files, const std::string& profile,
                                   std::vector<std::string>& visited) const;
    // Assumes the role of `profile`, which has a role_arn.
    Credentials assume(const SharedConfigFiles& files, const std::string& profile,
                       std::vector<std::string>& visited) const;

    std::string explicit_profile_;
    std::shared_ptr<const StsClient> sts_;
    const Clock& clock_;
    EnvLookup env_;
    std::chrono::milliseconds process_timeout_;
    const StopFlag* stop_;  // ends a source profile's credential_process
};

}  // namespace codeguru::aws
