#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/credentials/sts_client.hpp"
#include "aws/env_lookup.hpp"
#include "util/clock.hpp"

namespace codeguru::aws {

// Temporary credentials from STS AssumeRoleWithWebIdentity (EKS service accounts):
// AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN, with AWS_ROLE_SESSION_NAME (default
// "codeguru-syncd-<epoch ms>"). The token file is read again on every resolve(), since
// the platform rotates it. std::nullopt unless both variables are set; CredentialsError
// when the token file is unreadable or empty, or STS refuses. Thread-safe.
class WebIdentityProvider final : public CredentialsProvider {
  public:
    WebIdentityProvider(std::shared_ptr<const StsClient> sts, const Clock& clock,
                        EnvLookup env = process_environment());

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "web identity"; }

  private:
    std::shared_ptr<const StsClient> sts_;
    const Clock& clock_;
    EnvLookup env_;
};

// "codeguru-syncd-<epoch ms>": a role session name for when none is configured.
std::string default_session_name(const Clock& clock);

}  // namespace codeguru::aws
