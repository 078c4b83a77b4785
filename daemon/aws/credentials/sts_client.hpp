#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"
#include "aws/http_transport.hpp"
#include "util/clock.hpp"

namespace codeguru::aws {

struct AssumeRoleParams {
    std::string role_arn;
    std::string session_name;
    std::string external_id;  // empty: none
    std::optional<int> duration_seconds;
};

struct WebIdentityParams {
    std::string role_arn;
    std::string session_name;
    std::string web_identity_token;  // a secret: never logged
};

// The STS endpoint for `region`: AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the
// regional https://sts.{region}.amazonaws.com (".amazonaws.com.cn" in China regions).
std::string sts_endpoint(const std::string& region, const EnvLookup& env);

// The credentials in an STS answer to `action` ("AssumeRole", "AssumeRoleWithWebIdentity"):
// <{action}Response><{action}Result><Credentials>. Throws CredentialsError when the XML is
// not such an answer; the message never quotes it.
Credentials parse_sts_credentials(std::string_view xml, std::string_view action);

// "Code: Message" of an STS <ErrorResponse>, or std::nullopt when `xml` is not one.
std::optional<std::string> parse_sts_error(std::string_view xml);

// STS's AssumeRole (SigV4-signed with the caller's credentials) and
// AssumeRoleWithWebIdentity (unsigned) as form POSTs to one endpoint. Failures, HTTP or
// transport, throw CredentialsError naming the action, the role and STS's error code and
// message, never a secret. Stateless and thread-safe; transport and clock must outlive it.
class StsClient {
  public:
    StsClient(std::string endpoint, std::string region, HttpTransport& transport,
              const Clock& clock);

    Credentials assume_role(const AssumeRoleParams& params, const Credentials& caller) const;
    Credentials assume_role_with_web_identity(const WebIdentityParams& params) const;

    const std::string& endpoint() const { return endpoint_; }

  private:
    Credentials call(std::string_view action, const std::string& role_arn, const std::string& form,
                     const Credentials* caller) const;

    std::string endpoint_;
    std::string region_;
    HttpTransport& transport_;
    const Clock& clock_;
};

}  // namespace codeguru::aws
