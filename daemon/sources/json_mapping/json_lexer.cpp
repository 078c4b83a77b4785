#include "sources/json_mapping/json_lexer.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace codeguru::json_mapping {
namespace {

#if defined(__SSE2__)
// Which of the 16 bytes at `p` are '"', '\\' or a control character, a bit each.
unsigned special_mask(const char* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
        _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
    return static_cast<unsigned>(_mm_movemask_epi8(hit));
}
#endif

bool is_special(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '"' || byte == '\\' || byte < 0x20;
}

// The first '"', '\\' or control character at or after `p`, or `end` when there is none
// before it. Sixteen bytes at a time where SSE2 is there (every x86-64): nearly all of a
// page's bytes are inside strings, and most strings hold none of the three. Reads up to 15
// bytes past `end`.
const char* find_special(const char* p, const char* end) {
#if defined(__SSE2__)
    for (; p < end; p += 16) {
        if (const unsigned mask = special_mask(p); mask != 0) {
            const char* found = p + __builtin_ctz(mask);
            return found < end ? found : end;
        }
    }
    return end;
#else
    return find_special_within(p, end);
#endif
}

}  // namespace

const char* find_special_within(const char* p, const char* end) {
#if defined(__SSE2__)
    for (; end - p >= 16; p += 16) {
        if (const unsigned mask = special_mask(p); mask != 0) return p + __builtin_ctz(mask);
    }
#endif
    for (; p < end; ++p) {
        if (is_special(*p)) return p;
    }
    return end;
}

namespace {

// Four hex digits at `p`, or -1.
int hex4(const char* p, const char* end) {
    if (end - p < 4) return -1;
    int value = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        int digit;
        if (c >= '0' && c <= '9') {
            digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            digit = c - 'A' + 10;
        } else {
            return -1;
        }
        value = value * 16 + digit;
    }
    return value;
}

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        const char bytes[] = {static_cast<char>(0xC0 | (cp >> 6)),
                              static_cast<char>(0x80 | (cp & 0x3F))};
        out.append(bytes, 2);
    } else if (cp < 0x10000) {
        const char bytes[] = {static_cast<char>(0xE0 | (cp >> 12)),
                              static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                              static_cast<char>(0x80 | (cp & 0x3F))};
        out.append(bytes, 3);
    } else {
        const char bytes[] = {
            static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
            static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
        out.append(bytes, 4);
    }
}

// One escape, `p` just past its backslash: returns the position after it, or nullptr.
const char* unescape(const char* p, const char* end, std::string* out) {
    if (p >= end) return nullptr;
    char simple;
    switch (*p) {
        case '"':
            simple = '"';
            break;
        case '\\':
            simple = '\\';
            break;
        case '/':
            simple = '/';
            break;
        case 'b':
            simple = '\b';
            break;
        case 'f':
            simple = '\f';
            break;
        case 'n':
            simple = '\n';
            break;
        case 'r':
            simple = '\r';
            break;
        case 't':
            simple = '\t';
            break;
        case 'u': {
            const int first = hex4(p + 1, end);
            if (first < 0) return nullptr;
            p += 5;
            unsigned cp = static_cast<unsigned>(first);
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                // A high surrogate must be followed at once by an escaped low one.
                if (end - p < 2 || p[0] != '\\' || p[1] != 'u') return nullptr;
                const int second = hex4(p + 2, end);
                if (second < 0xDC00 || second > 0xDFFF) return nullptr;
                cp = (cp << 10) + static_cast<unsigned>(second) - 0x35FDC00u;
                p += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return nullptr;
            }
            if (out != nullptr) append_utf8(*out, cp);
            return p;
        }
        default:
            return nullptr;
    }
    if (out != nullptr) out->push_back(simple);
    return p + 1;
}

bool is_digit(const char* p, const char* end) {
    return p < end && *p >= '0' && *p <= '9';
}

const char* skip_digits(const char* p, const char* end) {
    while (is_digit(p, end)) ++p;
    return p;
}

// strtod, as nlohmann calls it, on the lexeme [begin, end).
double strtod_of(const char* begin, const char* end) {
    const std::string text(begin, end);
    return std::strtod(text.c_str(), nullptr);
}

}  // namespace

const char* lex_string(const char* p, const char* end, std::string* out) {
    return lex_string_rest(p + 1, end, out);  // past the opening quote
}

bool plain_string(const char* p, const char* end, std::string_view& text) {
    const char* special = find_special(p + 1, end);
    if (special >= end || *special != '"') return false;
    text = std::string_view(p + 1, static_cast<std::size_t>(special - p - 1));
    return true;
}

const char* lex_string_rest(const char* p, const char* end, std::string* out) {
    while (true) {
        const char* special = find_special(p, end);
        if (special >= end) return nullptr;  // no closing quote
        if (out != nullptr) out->append(p, special);
        if (*special == '"') return special + 1;
        if (*special != '\\') return nullptr;  // a control character
        p = unescape(special + 1, end, out);
        if (p == nullptr) return nullptr;
    }
}

const char* lex_number(const char* p, const char* end, Scalar& out) {
    const char* const begin = p;
    const bool negative = *p == '-';
    if (negative) ++p;
    if (!is_digit(p, end)) return nullptr;
    p = *p == '0' ? p + 1 : skip_digits(p, end);
    bool integral = true;
    if (p < end && *p == '.') {
        ++p;
        if (!is_digit(p, end)) return nullptr;
        p = skip_digits(p, end);
        integral = false;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-')) ++p;
        if (!is_digit(p, end)) return nullptr;
        p = skip_digits(p, end);
        integral = false;
    }
    if (integral) {
        if (negative) {
            std::int64_t value = 0;
            if (std::from_chars(begin, p, value).ec == std::errc()) {
                out.kind = Scalar::Kind::kSigned;
                out.signed_value = value;
                return p;
            }
        } else {
            std::uint64_t value = 0;
            if (std::from_chars(begin, p, value).ec == std::errc()) {
                out.kind = Scalar::Kind::kUnsigned;
                out.unsigned_value = value;
                return p;
            }
        }
    }
    // A fraction, an exponent or an integer beyond 64 bits. from_chars rounds correctly, as
    // glibc's strtod does; only out of range (where it leaves the value) is strtod asked.
    double value = 0;
    if (std::from_chars(begin, p, value).ec != std::errc()) value = strtod_of(begin, p);
    if (!std::isfinite(value)) return nullptr;  // nlohmann: "number overflow"
    out.kind = Scalar::Kind::kFloat;
    out.float_value = value;
    return p;
}

const char* lex_literal(const char* p, const char* end, Scalar& out) {
    const auto is = [&](const char* word, std::size_t size) {
        return static_cast<std::size_t>(end - p) >= size && std::memcmp(p, word, size) == 0;
    };
    if (is("true", 4)) {
        out.kind = Scalar::Kind::kBoolean;
        out.boolean = true;
        return p + 4;
    }
    if (is("false", 5)) {
        out.kind = Scalar::Kind::kBoolean;
        out.boolean = false;
        return p + 5;
    }
    if (is("null", 4)) {
        out.kind = Scalar::Kind::kNull;
        return p + 4;
    }
    return nullptr;
}

const char* lex_scalar(const char* p, const char* end, Scalar& out, std::string* text) {
    if (p >= end) return nullptr;
    switch (*p) {
        case '"':
            out.kind = Scalar::Kind::kString;
            out.text = text;
            if (text != nullptr) text->clear();
            return lex_string(p, end, text);
        case 't':
        case 'f':
        case 'n':
            return lex_literal(p, end, out);
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
            return lex_number(p, end, out);
        default:
            return nullptr;
    }
}

}  // namespace codeguru::json_mapping
