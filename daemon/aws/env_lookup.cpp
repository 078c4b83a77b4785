#include "aws/env_lookup.hpp"

#include <cstdlib>

namespace codeguru::aws {

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    };
}

}  // namespace codeguru::aws
