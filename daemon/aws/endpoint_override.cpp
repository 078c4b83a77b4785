#include "aws/endpoint_override.hpp"

#include <cctype>

namespace codeguru::aws {

std::optional<std::string> endpoint_from_environment(std::string_view service_id,
                                                     const EnvLookup& env) {
    std::string variable = "AWS_ENDPOINT_URL_";
    for (const char c : service_id) {
        variable += (c == ' ' || c == '-')
                        ? '_'
                        : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    for (const std::string& name : {variable, std::string("AWS_ENDPOINT_URL")}) {
        const std::string value = env(name).value_or("");
        if (!value.empty()) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace codeguru::aws
