#pragma once

#include <cstddef>
#include <string>

namespace codeguru {

// PostgreSQL text holds neither NUL nor invalid UTF-8. These replace each offending
// byte sequence with U+FFFD in place and return how many replacements were made,
// so that callers can warn; valid text is left byte-for-byte as it was.

// Replaces invalid UTF-8 (overlongs, surrogates, code points above U+10FFFF,
// truncated sequences, stray continuation bytes): one U+FFFD per offending byte.
std::size_t replace_invalid_utf8(std::string& text);

// Replaces invalid UTF-8 as above and every NUL character.
std::size_t sanitize_text(std::string& text);

}  // namespace codeguru
