#include "store/pg_array_literal.hpp"

#include <charconv>
#include <cstring>

namespace codeguru::store {

void PgArrayLiteral::add_text(std::string_view value) {
    separate();
    text_.reserve(text_.size() + value.size() + 2);
    text_ += '"';
    // Inside double quotes only the quote and the backslash need a backslash; most values
    // have neither, and memchr finds that out fast.
    if (std::memchr(value.data(), '"', value.size()) == nullptr &&
        std::memchr(value.data(), '\\', value.size()) == nullptr) {
        text_.append(value);
        text_ += '"';
        return;
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '"' || value[i] == '\\') {
            text_.append(value, start, i - start);
            text_ += '\\';
            start = i;
        }
    }
    text_.append(value, start);
    text_ += '"';
}

void PgArrayLiteral::add_integer(std::int64_t value) {
    separate();
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    text_.append(digits, result.ptr);
}

void PgArrayLiteral::add_null() {
    separate();
    text_ += "NULL";
}

std::string PgArrayLiteral::take() {
    std::string literal = std::move(text_);
    literal += '}';
    text_ = "{";
    size_ = 0;
    return literal;
}

}  // namespace codeguru::store
