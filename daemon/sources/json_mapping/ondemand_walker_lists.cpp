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
    void* list = m.start(field, 0);
    std::size_t index = 0;
    std::size_t filled = 0;  // elements of `list` filled: what it held past them goes below
    for (auto element_result : array) {
        Value element;
        if (std::move(element_result).get(element) != SUCCESS) return syntax();
        std::string_view token;
        if (!first_token(element, token)) return syntax();
        if (token.front() == '{') {
            const WalkNode element_node{&list_node, {}, index++, true};
            if (!map_object(element, m.child, m.element(list, filled++), element_node, in_kept)) {
                return false;
            }
            continue;
        }
        Shape shape;
        if (!skip(token, shape, in_kept)) return false;
        warn_element(list_node, index++, shape, "an object");
    }
    m.truncate(list, filled);
    return true;
}

bool AnswerWalker::text_list(Value& value, std::vector<std::string>& list,
                             const WalkNode& list_node) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) != SUCCESS) return syntax();
    // What `list` held before is reused: strings overwritten, the rest cut off below.
    std::size_t index = 0;
    std::size_t filled = 0;
    for (auto element_result : array) {
        Value element;
        if (std::move(element_result).get(element) != SUCCESS) return syntax();
        std::string_view token;
        if (!first_token(element, token)) return syntax();
        if (token.front() == '"') {
            std::string& text = filled < list.size() ? list[filled] : list.emplace_back();
            if (!read_string_token(token, text_end_, text)) return syntax();
            fit_text(text);
            ++filled;
            ++index;
            continue;
        }
        Shape shape;
        if (!skip(token, shape, false)) return false;
        warn_element(list_node, index++, shape, "a string");
    }
    list.resize(filled);
    // A hostile page's long list leaves no more room behind than fit_list() would keep.
    if (list.capacity() > detail::kKeptListCapacity && list.capacity() / 4 > filled) {
        list.shrink_to_fit();
    }
    return true;
}

bool AnswerWalker::entry_list(Value& value, const MemberSpec& m, void* list,
                              const WalkNode& list_node, bool in_kept) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) != SUCCESS) return syntax();
    std::size_t index = 0;
    std::size_t kept = 0;  // entries of `list` kept: what it held past them goes below
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
        void* entry = m.element(list, kept);
        const WalkNode entry_node{&list_node, {}, index, true, true};
        if (!map_object(element, m.child, entry, entry_node, in_kept)) return false;
        if (end_entry(m, entry, list_node, index)) ++kept;
        ++index;
    }
    m.truncate(list, kept);
    return true;
}

// Puts the entry's warnings under its name; false (the entry is left out, its place taken
// by the next) if it lacks a required key.
bool AnswerWalker::end_entry(const MemberSpec& m, void* entry, const WalkNode& list_node,
                             std::size_t index) {
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
        if (warnings_.fits()) {
            warnings_.add(path_of(list_node) + "[" + std::to_string(index) + "] has no " +
                          std::string(spec.key_name) + "; left out");
        }
        return false;
    }
    return true;
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
