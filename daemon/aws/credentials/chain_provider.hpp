#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"
#include "aws/http_transport.hpp"
#include "util/clock.hpp"

namespace codeguru {
class StopFlag;
}

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

// What the default chain's providers need. Everything referenced must outlive the chain.
struct DefaultChainOptions {
    std::string profile;                // [aws] profile; empty: AWS_PROFILE or "default"
    std::string region;                 // the region of the STS endpoint
    HttpTransport& transport;           // STS
    HttpTransport& metadata_transport;  // ECS and IMDS: short timeouts, no proxy
    const Clock& clock;
    EnvLookup env = process_environment();
    const StopFlag* stop = nullptr;  // ends a credential_process that is still running
};

// The AWS default chain in the SDKs' order: environment, web identity, shared-file profile
// (assumed role, static keys, credential_process), ECS container, EC2 instance metadata.
// STS is at sts_endpoint(region, env).
std::unique_ptr<ChainProvider> make_default_chain(const DefaultChainOptions& options);

}  // namespace codeguru::aws
