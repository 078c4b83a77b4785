#pragma once

#include <optional>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"

namespace codeguru::aws {

// Credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
// Empty variables count as unset. std::nullopt when neither key variable is set;
// CredentialsError when only one of them is. Thread-safe if the lookup is.
class EnvironmentProvider final : public CredentialsProvider {
  public:
    explicit EnvironmentProvider(EnvLookup env = process_environment());

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "environment"; }

  private:
    EnvLookup env_;
};

}  // namespace codeguru::aws
