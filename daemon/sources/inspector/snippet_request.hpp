#pragma once

#include <string>

#include "util/timestamp.hpp"

namespace codeguru::inspector {

// A code snippet to fetch: the finding, and the stored version (updated_at) it is fetched for.
// Its outcome is stored only while the finding is still at that version.
struct SnippetRequest {
    std::string finding_arn;
    Timestamp version;

    bool operator==(const SnippetRequest&) const = default;
};

}  // namespace codeguru::inspector
