#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"
#include "aws/http_transport.hpp"

namespace codeguru::aws {

// Temporary credentials of the EC2 instance role through IMDSv2: a session token from
// PUT /latest/api/token, then the role name and its credentials under
// /latest/meta-data/iam/security-credentials/. The address is
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://[fd00:ec2::254] when
// AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE is IPv6, else http://169.254.169.254.
// std::nullopt when AWS_EC2_METADATA_DISABLED is "true", when the service cannot be
// reached (not on EC2) or when the instance has no role; CredentialsError when it answers
// badly. Give it a transport with short timeouts so that a machine without IMDS falls
// through quickly. Thread-safe if the transport is; the transport must outlive it.
class ImdsProvider final : public CredentialsProvider {
  public:
    static constexpr int kTokenTtlSeconds = 21600;

    explicit ImdsProvider(HttpTransport& transport, EnvLookup env = process_environment());

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "ec2 instance metadata"; }

  private:
    std::string base_url() const;

    HttpTransport& transport_;
    EnvLookup env_;
};

}  // namespace codeguru::aws
