#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

// Helpers shared by the fuzz targets. Checks stay live in every build (NDEBUG or not):
// a broken property is a crash that libFuzzer keeps and the corpus replay reports.

#define FUZZ_CHECK(condition)                                                             \
    do {                                                                                  \
        if (!(condition)) ::codeguru::fuzz::check_failed(#condition, __FILE__, __LINE__); \
    } while (false)

namespace codeguru::fuzz {

[[noreturn]] inline void check_failed(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: property violated: %s\n", file, line, condition);
    std::abort();
}

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, nothing
// above U+10FFFF, no truncated sequence); NUL is allowed. Written independently of
// util/text_sanitizer so that each checks the other.
inline bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto b0 = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        unsigned code_point = 0;
        if (b0 < 0x80) {
            ++i;
            continue;
        } else if ((b0 & 0xE0) == 0xC0) {
            length = 2;
            code_point = b0 & 0x1F;
        } else if ((b0 & 0xF0) == 0xE0) {
            length = 3;
            code_point = b0 & 0x0F;
        } else if ((b0 & 0xF8) == 0xF0) {
            length = 4;
            code_point = b0 & 0x07;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        for (std::size_t k = 1; k < length; ++k) {
            const auto b = static_cast<unsigned char>(text[i + k]);
            if ((b & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (b & 0x3F);
        }
        constexpr unsigned kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
        if (code_point < kMinimum[length] || code_point > 0x10FFFF ||
            (code_point >= 0xD800 && code_point <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

}  // namespace codeguru::fuzz
