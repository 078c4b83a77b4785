// AnswerWalker's lists: a member's list of objects or of text, and an answer's entries.
#include "sources/json_mapping/ondemand_walker.hpp"

#include "sources/json_mapping/ondemand_tokens.hpp"

namespace codeguru::json_mapping::ondemand {

using simdjson::SUCCESS;
using Value = simdjson::ondemand::value;

bool AnswerWalker::object_list(Value& value, const MemberSpec& m, void* field,
                               const WalkNode& list_node, bool in_kept) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) != SUCCESS) return syntax();
    // Counted first, as text_list does, so that the list is allocated once.
    std::size_t count = 0;
    if (array.count_elements().get(count) != SUCCESS) return syntax();
    void* list = m.start(field, count);
    std::size_t index = 0;
    for (auto element_result : array) {
        Value element;
        if (std::move(element_result).get(element) != SUCCESS) return syntax();
        std::string_view token;
        if (!first_token(element, token)) return syntax();
        if (token.front() == '{') {
            const WalkNode element_node{&list_node, {}, index++, true};
            if (!map_object(element, m.child, m.append(list), element_node, in_kept)) {
                return false;
            }
            continue;
        }
        Shape shape;
        if (!skip(token, shape, in_kept)) return false;
        warn_element(list_node, index++, shape, "an object");
    }
    return true;
}

bool AnswerWalker::text_list(Value& value, std::vector<std::string>& list,
                             const WalkNode& list_node) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) != SUCCESS) return syntax();
    // Counted first (a pass over the structure only) so that the list is allocated once.
    std::size_t count = 0;
    if (array.count_elements().get(count) != SUCCESS) return syntax();
    list.reserve(count);
    std::size_t index = 0;
    for (auto element_result : array) {
        Value element;
        if (std::move(element_result).get(element) != SUCCESS) return syntax();
        std::string_view token;
        if (!first_token(element, token)) return syntax();
        if (token.front() == '"') {
            Scalar s{Scalar::Kind::kString};
            if (!lex_token(token, text_end_, s, &list.emplace_back())) return syntax();
            ++index;
            continue;
        }
        Shape shape;
        if (!skip(token, shape, false)) return false;
        warn_element(list_node, index++, shape, "a string");
    }
    return true;
}

bool AnswerWalker::entry_list(Value& value, const MemberSpec& m, void* list,
                              const WalkNode& list_node, bool in_kept) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) != SUCCESS) return syntax();
    std::size_t index = 0;
    for (auto element_result : array) {
        Value element;
        if (std::move(element_result).get(element) != SUCCESS) return syntax();
        std::string_view token;
        if (!first_token(element, token)) return syntax();
        const char first = token.front();
        if (first != '{') {
            // nlohmann reports a scalar once read whole, a container at its first byte.
            Scalar s{Scalar::Kind::kNull};
            if (first != '[' && !lex_token(token, text_end_, s, nullptr)) return syntax();
            if (!entry_allowed(m, index)) return false;
            const Shape shape = first == '[' ? Shape::kArray : s.shape();
            if (warnings_.fits()) {
                warnings_.add(element_path(list_node, index) + " is " + shape_name(shape) +
                              ", not an object; left out");
            }
            ++index;
            Shape skipped;
            if (first == '[' && !skip(token, skipped, in_kept)) return false;
            continue;
        }
        if (!entry_allowed(m, index)) return false;
        warnings_.begin_entry();
        void* entry = m.append(list);
        const WalkNode entry_node{&list_node, {}, index, true, true};
        if (!map_object(element, m.child, entry, entry_node, in_kept)) return false;
        end_entry(m, list, entry, list_node, index);
        ++index;
    }
    return true;
}

// Puts the entry's warnings under its name; leaves it out if it lacks a required key.
void AnswerWalker::end_entry(const MemberSpec& m, void* list, void* entry,
                             const WalkNode& list_node, std::size_t index) {
    const ObjectSpec& spec = *m.child;
    const std::string* key = spec.key != nullptr ? spec.key(entry) : nullptr;
    if (warnings_.entry_has_warnings()) {
        warnings_.end_entry(
            std::string(spec.noun) + " " +
            (key != nullptr ? "\"" + *key + "\"" : "without " + std::string(spec.key_name)));
    } else {
        warnings_.end_entry({});
    }
    if (spec.key_required && (key == nullptr || key->empty())) {
        m.drop_last(list);  // `entry`, and `key`, are gone now
        if (warnings_.fits()) {
            warnings_.add(path_of(list_node) + "[" + std::to_string(index) + "] has no " +
                          std::string(spec.key_name) + "; left out");
        }
    }
}

// Before each element of an entries list: stops at the first element past the limit, so
// that a page of millions of entries never becomes millions of entries.
bool AnswerWalker::entry_allowed(const MemberSpec& m, std::size_t index) {
    if (max_entries_ == 0 || index < max_entries_) return true;
    end_ = WalkEnd::kOversized;
    const std::string limit = std::to_string(max_entries_);
    error_ = std::string(answer_.operation) + " returned more than " + limit + " " +
             std::string(m.name) + " (maxResults=" + limit + ")";
    return false;
}

}  // namespace codeguru::json_mapping::ondemand
