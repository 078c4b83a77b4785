#pragma once

#include <optional>
#include <string>

#include "aws/env_lookup.hpp"

namespace codeguru::aws {

// The `region` of the profile chosen by select_profile(explicit_profile, env) in the
// shared config file, or std::nullopt when it has none. Throws CredentialsError when
// a shared file is unreadable or malformed.
std::optional<std::string> profile_region(const std::string& explicit_profile,
                                          const EnvLookup& env = process_environment());

}  // namespace codeguru::aws
