#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace codeguru {

// PostgreSQL text holds neither NUL nor invalid UTF-8. These replace each offending
// byte sequence with U+FFFD in place and return how many replacements were made,
// so that callers can warn; valid text is left byte-for-byte as it was.

// Replaces invalid UTF-8 (overlongs, surrogates, code points above U+10FFFF,
// truncated sequences, stray continuation bytes): one U+FFFD per offending byte.
std::size_t replace_invalid_utf8(std::string& text);

// Replaces invalid UTF-8 as above and every NUL character.
std::size_t sanitize_text(std::string& text);

// Whether the functions above would leave `text` as it is; they copy nothing.
bool is_valid_utf8(std::string_view text);
bool is_clean_text(std::string_view text);

}  // namespace codeguru
