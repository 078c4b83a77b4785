#include "sources/json_mapping/walk_path.hpp"

#include <vector>

namespace codeguru::json_mapping::ondemand {

std::string path_of(const WalkNode& node) {
    std::vector<const WalkNode*> chain;
    for (const WalkNode* n = &node; n != nullptr && !n->is_entry; n = n->parent) {
        chain.push_back(n);
    }
    std::string path;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        if ((*it)->is_element) {
            path += "[" + std::to_string((*it)->element) + "]";
        } else {
            if (!path.empty()) path += '.';
            path += (*it)->label;
        }
    }
    return path;
}

std::string member_path(const WalkNode& node, std::string_view member) {
    std::string path = path_of(node);
    if (!path.empty()) path += '.';
    return path += member;
}

std::string element_path(const WalkNode& list, std::size_t index) {
    return path_of(list) + "[" + std::to_string(index) + "]";
}

}  // namespace codeguru::json_mapping::ondemand
