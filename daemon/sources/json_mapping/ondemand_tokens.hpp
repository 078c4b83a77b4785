#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sources/json_mapping/json_lexer.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/scalar_reader.hpp"
#include "sources/json_mapping/simdjson_ondemand.hpp"

namespace codeguru::json_mapping::ondemand {

// simdjson's tokens read as nlohmann reads them (json_lexer.hpp), for the On-Demand walker.
// `text_end`: the end of the body's text in the padded buffer simdjson reads.

// The value's first token, from its first character up to the next structural character
// (whitespace and all): a scalar, or a container's opening bracket. A string is then
// stepped over. False when simdjson finds no value.
inline bool first_token(simdjson::ondemand::value& value, std::string_view& token) {
    // The token is taken before a string is stepped over: left to itself, simdjson would
    // take a string followed by a colon for a key and step over both (its skip_child),
    // accepting `["a":1]`. What follows a closing quote is always a token of its own for
    // simdjson, checked as it moves on.
    token = value.raw_json_token();
    if (token.empty()) return false;
    if (token.front() != '"') return true;
    simdjson::ondemand::raw_json_string raw;
    return value.get_raw_json_string().get(raw) == simdjson::SUCCESS;
}

// The first backslash in the `size` bytes from `text`, nullptr when there is none.
// REQUIRES: 16 readable bytes after them (simdjson's padding after the body's text).
inline const char* find_backslash(const char* text, std::size_t size) {
#if defined(__SSE2__)
    const __m128i backslash = _mm_set1_epi8('\\');
    for (std::size_t at = 0;; at += 16) {
        const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + at));
        auto hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, backslash)));
        if (size - at <= 16) hits &= (1u << (size - at)) - 1;  // the last bytes read
        if (hits != 0) return text + at + std::countr_zero(hits);
        if (size - at <= 16) return nullptr;
    }
#else
    return static_cast<const char*>(std::memchr(text, '\\', size));
#endif
}

// The string whose token is `token` read on from `from` (a backslash inside it, `out`
// holding the text before it), as lex_token() would read the token.
bool read_escaped_string_rest(std::string_view token, const char* from, const char* text_end,
                              std::string& out);

// The string read_string_token() could not read as it stands: read by lex_token().
bool read_escaped_string_token(std::string_view token, const char* text_end, std::string& out);

// Reads the string whose first_token() is `token` into `out`, unescaped: false when it is
// not one JSON string followed by nothing but whitespace (as lex_token()).
inline bool read_string_token(std::string_view token, const char* text_end, std::string& out) {
    // Most strings hold no escape, and simdjson has already checked their UTF-8 and refused
    // any control character in them. Every opening quote it reads is a structural character,
    // where a token ends, and so is anything but whitespace after a closing quote: the token
    // is the string's quotes around its text, then whitespace, and any backslash in it is
    // inside the string, with nothing but text before it.
    std::size_t end = token.size();
    while (end > 1 && is_json_whitespace(token[end - 1])) --end;
    if (end < 2 || token[end - 1] != '"') return read_escaped_string_token(token, text_end, out);
    const char* const text = token.data() + 1;
    const char* const backslash = find_backslash(text, end - 2);
    if (backslash == nullptr) {
        out.assign(text, end - 2);
        return true;
    }
    out.assign(text, static_cast<std::size_t>(backslash - text));
    return read_escaped_string_rest(token, backslash, text_end, out);
}

// A number of the kinds APIs send, read without lex_token()'s calls: an integer of at most
// 18 digits, or a decimal of at most 15 digits with a fraction, neither with an exponent.
struct ShortNumber {
    bool decimal = false;  // `decimal_value` holds it; otherwise `integer`
    std::int64_t integer = 0;
    double decimal_value = 0;
};

// Whether `token` is a ShortNumber followed by nothing but whitespace, read into `number`
// exactly as lex_token() would read it: an integer as its kSigned or kUnsigned, a decimal as
// its kFloat. A decimal's digits and its power of ten are both exact doubles, so their
// quotient is the correctly rounded value (Clinger's fast path) that from_chars gives too.
// Anything else (more digits, an exponent, a leading zero, not a number) is left to
// lex_token().
inline bool short_number_token(std::string_view token, ShortNumber& number) {
    static constexpr double kPowersOfTen[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                              1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char* p = token.data();
    const char* const end = p + token.size();
    const bool negative = *p == '-';
    if (negative) ++p;
    const char* const digits = p;
    std::int64_t magnitude = 0;
    const auto digit = [&] { return p < end && *p >= '0' && *p <= '9'; };
    // At most 18 digits are read, 16 with a fraction: `magnitude` cannot overflow.
    while (digit() && p - digits < 18) magnitude = magnitude * 10 + (*p++ - '0');
    const std::ptrdiff_t whole = p - digits;
    if (whole == 0 || (*digits == '0' && whole > 1) || digit()) return false;
    std::ptrdiff_t places = 0;
    if (p < end && *p == '.') {
        const char* const fraction = ++p;
        while (digit() && whole + (p - fraction) < 16) magnitude = magnitude * 10 + (*p++ - '0');
        places = p - fraction;
        if (places == 0 || whole + places > 15) return false;
    }
    while (p < end && is_json_whitespace(*p)) ++p;
    if (p != end) return false;
    number.decimal = places != 0;
    if (number.decimal) {
        const double value = static_cast<double>(magnitude) / kPowersOfTen[places];
        number.decimal_value = negative ? -value : value;
    } else {
        number.integer = negative ? -magnitude : magnitude;
    }
    return true;
}

// Reads the scalar `token` into `s` (a string's text into `text`, if given): false when it
// is not one JSON scalar followed by nothing but whitespace.
bool lex_token(std::string_view token, const char* text_end, Scalar& s, std::string* text);

// Eight bytes of a key from `raw_key` on, for names_member(). REQUIRES: at least 8 readable
// bytes from `raw_key` (simdjson's padding after the body's text).
inline std::uint64_t key_word(const char* raw_key) {
    static_assert(std::endian::native == std::endian::little, "name_word() packs so");
    std::uint64_t word;
    std::memcpy(&word, raw_key, sizeof word);
    return word;
}

// Whether the key starting at `raw_key` (`head`: its key_word()) is `m`'s name as it stands
// in the body: the name followed by the closing quote. Names hold neither quotes nor
// backslashes, so that quote closes the key. REQUIRES: at least 16 readable bytes from
// `raw_key`.
inline bool names_member(const MemberSpec& m, std::uint64_t head, const char* raw_key,
                         const char* text_end) {
    const std::size_t size = m.name.size();
    return (head & m.head_mask) == m.head && size < static_cast<std::size_t>(text_end - raw_key) &&
           raw_key[size] == '"' &&
           (size <= 8 || (key_word(raw_key + 8) & m.second_mask) == m.second) &&
           (size <= 16 || std::memcmp(raw_key + 16, m.name.data() + 16, size - 16) == 0);
}

// The member of `spec` named by the key starting at `raw_key` (just past its opening quote)
// in `found`, nullptr when none (or no `spec`). False when the key is not a JSON string;
// `scratch` holds a key spelled with escapes. REQUIRES: at least 16 readable bytes from
// `raw_key` (simdjson's padding after `text_end`).
bool find_member(const ObjectSpec* spec, const char* raw_key, const char* text_end,
                 std::string& scratch, const MemberSpec*& found);

}  // namespace codeguru::json_mapping::ondemand
