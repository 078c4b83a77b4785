#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace codeguru::json_mapping::ondemand {

// Where the walk is in an answer, for the paths its warnings name: a member's object or list
// (`label`: the member's name) or an element of a list, each node pointing to the one it is
// in. Nodes live on the walk's stack.
struct WalkNode {
    const WalkNode* parent;
    std::string_view label;
    std::size_t element = 0;
    bool is_element = false;
    bool is_entry = false;  // an entry (a finding): paths below it start there
};

// Paths as warnings name them: relative to the nearest entry at or above `node` (exclusive),
// "vulnerability.filePath", "findings", "resources[0].details".
std::string path_of(const WalkNode& node);
// "vulnerability.filePath.startLine"
std::string member_path(const WalkNode& node, std::string_view member);
// "findings[3]"
std::string element_path(const WalkNode& list, std::size_t index);

}  // namespace codeguru::json_mapping::ondemand
