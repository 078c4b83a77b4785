#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"
#include "aws/shared_config_files.hpp"

namespace codeguru::aws {

// Static keys (aws_access_key_id, aws_secret_access_key, aws_session_token) of the profile
// chosen by select_profile(), from the shared credentials and config files (credentials
// file first, key by key). std::nullopt when the profile has no static keys or no file has
// it and nobody chose it; CredentialsError when a chosen profile is missing, a file is
// unreadable or malformed, or a key pair is incomplete. Reads the files on every resolve().
class ProfileProvider final : public CredentialsProvider {
  public:
    explicit ProfileProvider(std::string explicit_profile = "",
                             EnvLookup env = process_environment());

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "profile"; }

  private:
    std::string explicit_profile_;
    EnvLookup env_;
};

// The static keys of `profile` in `files`, source left empty: std::nullopt when it has
// neither key; CredentialsError naming profile and file when it has only one.
std::optional<Credentials> static_profile_credentials(const SharedConfigFiles& files,
                                                      const std::string& profile);

}  // namespace codeguru::aws
