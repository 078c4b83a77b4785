#include "store/text_cleaner.hpp"

#include <algorithm>

#include "util/text_sanitizer.hpp"

namespace codeguru::store {

std::string_view TextCleaner::clean(std::string_view text, std::string_view member) {
    if (is_clean_text(text)) return text;  // nearly all text: no copy
    scratch_.assign(text);
    count(sanitize_text(scratch_), member);
    return scratch_;
}

void TextCleaner::add_json(PgArrayLiteral& array, const std::optional<std::string>& json,
                           std::string_view member) {
    if (!json) return array.add_null();
    if (json->find("\\u0000") == std::string::npos) return add(array, json, member);
    scratch_.assign(*json);
    count(sanitize_text(scratch_) + replace_nul_escapes(scratch_), member);
    array.add_text(scratch_);
}

std::string TextCleaner::members() const {
    std::string joined;
    for (const auto member : members_) {
        if (!joined.empty()) joined += ", ";
        joined += member;
    }
    return joined;
}

void TextCleaner::count(std::size_t replaced, std::string_view member) {
    if (replaced == 0) return;
    replaced_ += replaced;
    if (std::find(members_.begin(), members_.end(), member) == members_.end()) {
        members_.push_back(member);
    }
}

// Backslashes occur in JSON text only as escapes, so skipping each escaped character keeps an
// escaped backslash followed by "u0000" intact.
std::size_t replace_nul_escapes(std::string& json) {
    std::size_t replaced = 0;
    for (std::size_t i = 0; i + 1 < json.size(); ++i) {
        if (json[i] != '\\') continue;
        if (json[i + 1] == 'u' && json.compare(i + 2, 4, "0000") == 0) {
            json.replace(i + 2, 4, "fffd");
            ++replaced;
        }
        ++i;  // the escaped character
    }
    return replaced;
}

void add_timestamp(PgArrayLiteral& array, const std::optional<Timestamp>& value) {
    value ? array.add_text(format_timestamp(*value)) : array.add_null();
}

}  // namespace codeguru::store
