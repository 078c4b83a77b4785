#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"
#include "aws/http_transport.hpp"

namespace codeguru::aws {

// Temporary credentials from the ECS (and EKS Pod Identity) container credentials
// endpoint: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on `relative_base`
// (http://169.254.170.2), else AWS_CONTAINER_CREDENTIALS_FULL_URI, which over plain http
// must name a loopback or the ECS/EKS link-local address. The Authorization header is the
// content of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read on every resolve()), else
// AWS_CONTAINER_AUTHORIZATION_TOKEN. std::nullopt when neither URI variable is set;
// CredentialsError when the endpoint fails or answers badly. Thread-safe if the transport
// is; the transport must outlive it.
class EcsProvider final : public CredentialsProvider {
  public:
    static constexpr std::string_view kDefaultRelativeBase = "http://169.254.170.2";

    explicit EcsProvider(HttpTransport& transport, EnvLookup env = process_environment(),
                         std::string relative_base = std::string(kDefaultRelativeBase));

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "ecs container"; }

  private:
    HttpTransport& transport_;
    EnvLookup env_;
    std::string relative_base_;
};

}  // namespace codeguru::aws
