#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "aws/env_lookup.hpp"

namespace codeguru::aws {

// The endpoint the environment sets for a service, as the SDKs read it: the service's own
// AWS_ENDPOINT_URL_<ID> (the service id upper-cased, spaces and hyphens as "_": "STS",
// "CODEGURU_SECURITY"), else the global AWS_ENDPOINT_URL. Empty variables count as unset.
std::optional<std::string> endpoint_from_environment(std::string_view service_id,
                                                     const EnvLookup& env);

}  // namespace codeguru::aws
