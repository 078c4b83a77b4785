#include "util/text_sanitizer.hpp"

#include <cstdint>
#include <cstring>

namespace codeguru {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// Length of the valid UTF-8 sequence starting at `i`, or 0 when it is invalid
// (RFC 3629 table: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t valid_sequence_length(std::string_view s, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    if (b0 < 0x80) return 1;
    std::size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    }
    return len;
}

// Offset of the first byte that must be replaced, or text.size() when there is none.
std::size_t first_offending(std::string_view text, bool replace_nul) {
    constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;
    constexpr std::uint64_t kLowBits = 0x0101010101010101ULL;
    std::size_t i = 0;
    while (i < text.size()) {
        // Through runs of ASCII without NUL, nearly all text: 32 bytes at a time while no
        // byte has its high bit set, then eight at a time.
        while (!replace_nul && i + 32 <= text.size()) {
            std::uint64_t words[4];
            std::memcpy(words, text.data() + i, sizeof words);
            if (((words[0] | words[1] | words[2] | words[3]) & kHighBits) != 0) break;
            i += 32;
        }
        while (i + 8 <= text.size()) {
            std::uint64_t word;
            std::memcpy(&word, text.data() + i, sizeof word);
            const bool has_zero = ((word - kLowBits) & ~word & kHighBits) != 0;
            if ((word & kHighBits) != 0 || (replace_nul && has_zero)) break;
            i += 8;
        }
        if (i >= text.size()) break;
        const unsigned char b = static_cast<unsigned char>(text[i]);
        if (b < 0x80) {
            if (replace_nul && b == 0) return i;
            ++i;
            continue;
        }
        const std::size_t len = valid_sequence_length(text, i);
        if (len == 0) return i;
        i += len;
    }
    return i;
}

std::size_t sanitize(std::string& text, bool replace_nul) {
    // Fast path: most text is valid; only copy once something must change.
    std::size_t i = first_offending(text, replace_nul);
    if (i == text.size()) return 0;

    std::size_t replaced = 0;
    std::string out;
    out.reserve(text.size() + 8);
    out.append(text, 0, i);
    while (i < text.size()) {
        if (replace_nul && text[i] == '\0') {
            out += kReplacement;
            ++replaced;
            ++i;
            continue;
        }
        const std::size_t len = valid_sequence_length(text, i);
        if (len != 0) {
            out.append(text, i, len);
            i += len;
        } else {
            // One U+FFFD per byte that cannot start a valid sequence.
            out += kReplacement;
            ++replaced;
            ++i;
        }
    }
    if (replaced != 0) text = std::move(out);
    return replaced;
}

}  // namespace

bool is_valid_utf8(std::string_view text) {
    return first_offending(text, false) == text.size();
}

bool is_clean_text(std::string_view text) {
    return first_offending(text, true) == text.size();
}

std::size_t replace_invalid_utf8(std::string& text) {
    return sanitize(text, false);
}

std::size_t sanitize_text(std::string& text) {
    return sanitize(text, true);
}

}  // namespace codeguru
