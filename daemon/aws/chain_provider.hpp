#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials.hpp"
#include "aws/env_lookup.hpp"

namespace codeguru::aws {

// Asks its providers in order; the first that yields credentials wins. A provider's
// CredentialsError (configured but broken) stops the chain and propagates. When none
// yields, throws CredentialsError listing what was tried; never returns std::nullopt.
// Thread-safe if its providers are.
class ChainProvider final : public CredentialsProvider {
  public:
    explicit ChainProvider(std::vector<std::unique_ptr<CredentialsProvider>> providers);

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "default chain"; }

  private:
    std::vector<std::unique_ptr<CredentialsProvider>> providers_;
};

// The AWS default chain as far as it is built: environment, then shared-file profile
// (`profile` from the [aws] section; empty means AWS_PROFILE or "default").
std::unique_ptr<ChainProvider> make_default_chain(const std::string& profile,
                                                  EnvLookup env = process_environment());

}  // namespace codeguru::aws
