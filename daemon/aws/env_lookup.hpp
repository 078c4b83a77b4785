#pragma once

#include <functional>
#include <optional>
#include <string>

namespace codeguru::aws {

// Reads one environment variable; std::nullopt when it is unset. Injected into the
// credential providers so that tests need not touch the process environment.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment (getenv). Thread-safe as long as nothing calls setenv.
EnvLookup process_environment();

}  // namespace codeguru::aws
