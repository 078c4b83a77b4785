#include "report/html_escape.hpp"

#include <cstdint>

namespace codeguru::report {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
constexpr char kEllipsis[] = "\xE2\x80\xA6";     // U+2026

// The code point starting at text[at] and its length in bytes; length 1 and code point
// -1 for an invalid sequence (overlong, surrogate, above U+10FFFF, truncated, stray byte).
struct Decoded {
    std::int32_t code_point;
    std::size_t length;
};

Decoded decode(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(at);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    std::int32_t code_point = 0, minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, code_point = lead & 0x1F, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, code_point = lead & 0x0F, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, code_point = lead & 0x07, minimum = 0x10000;
    } else {
        return {-1, 1};
    }
    if (at + length > text.size()) return {-1, 1};
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return {-1, 1};
        code_point = (code_point << 6) | (byte(at + i) & 0x3F);
    }
    if (code_point < minimum || code_point > 0x10FFFF ||
        (code_point >= 0xD800 && code_point <= 0xDFFF)) {
        return {-1, 1};
    }
    return {code_point, length};
}

bool removed(std::int32_t c) {
    const bool control = (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7F && c <= 0x9F);
    const bool bidi = (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
    return control || bidi;
}

}  // namespace

std::string clean_text(std::string_view raw, std::size_t max_code_points) {
    std::string out;
    if (max_code_points == 0) return out;
    // Where the text stands after max_code_points - 1 code points: the cut, should one more
    // than max_code_points follow.
    std::size_t kept = 0, cut_at = 0;
    for (std::size_t at = 0; at < raw.size();) {
        const Decoded d = decode(raw, at);
        if (d.code_point >= 0 && removed(d.code_point)) {
            at += d.length;
            continue;
        }
        if (kept == max_code_points) {  // one more: the text is too long
            out.resize(cut_at);
            out += kEllipsis;
            return out;
        }
        if (d.code_point < 0) {
            out += kReplacement;
        } else {
            out.append(raw.substr(at, d.length));
        }
        at += d.length;
        if (++kept == max_code_points - 1) cut_at = out.size();
    }
    return out;
}

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string html(std::string_view raw, std::size_t max_code_points) {
    return escape_html(clean_text(raw, max_code_points));
}

}  // namespace codeguru::report
