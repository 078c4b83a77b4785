#include <strings.h>

#include "aws/http_transport.hpp"

namespace codeguru::aws {

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) {
            return value;
        }
    }
    return std::nullopt;
}

}  // namespace codeguru::aws
