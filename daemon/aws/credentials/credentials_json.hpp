#pragma once

#include <string>
#include <string_view>

#include "aws/credentials/credentials.hpp"

namespace codeguru::aws {

// Credentials from the JSON document of a metadata endpoint or a credential_process:
// "AccessKeyId" and "SecretAccessKey" (required), the session token under `token_field`
// ("Token" for ECS and IMDS, "SessionToken" for credential_process; optional) and
// "Expiration" (ISO-8601, optional). Throws CredentialsError starting with `what` when the
// body is not such a document; the message never quotes the body.
Credentials parse_credentials_json(std::string_view body, std::string_view token_field,
                                   const std::string& what);

}  // namespace codeguru::aws
