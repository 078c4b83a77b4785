#pragma once

#include <string>
#include <string_view>

#include "sources/json_mapping/scalar_reader.hpp"

namespace codeguru::json_mapping {

// JSON scalars read from raw text exactly as nlohmann_json 3.11's lexer reads them, for the
// On-Demand mapper (ondemand_mapper.hpp), which accepts and rejects the JSON nlohmann does
// (simdjson alone would accept more). Each lex_* reads the lexeme starting at `p` (its first
// character) and returns the position just past it, or nullptr when nlohmann's parser would stop
// there with an error. REQUIRES: [p, end) is valid UTF-8 (the mapper repairs the body first) and at
// least 16 readable bytes follow `end` (the padding simdjson needs anyway).

// A string: `p` at its opening quote. Escapes are checked (\uXXXX with surrogate pairs only
// in order, no other escape letters) and so are unescaped control characters. With `out`,
// appends the unescaped text to it.
const char* lex_string(const char* p, const char* end, std::string* out);

// A string at `p` (its opening quote) that holds no escape: true, with its text between the
// quotes in `text` (what lex_string() would append, byte for byte). False when it holds a
// backslash or a control character or is not closed: lex_string() then reads it.
bool plain_string(const char* p, const char* end, std::string_view& text);

// The rest of a string from `p` on, inside it (past its opening quote and any text already
// read), as lex_string() reads it.
const char* lex_string_rest(const char* p, const char* end, std::string* out);

// A number (RFC 8259 grammar; the lexeme ends where the grammar does, "01" is "0"), kept as
// nlohmann keeps it: a non-negative integer within 64 bits is kUnsigned, a negative one
// within 64 bits kSigned, anything else kFloat (strtod's value; one that overflows to
// infinity is an error). `number_text` is left unset.
const char* lex_number(const char* p, const char* end, Scalar& out);

// `true`, `false` or `null`.
const char* lex_literal(const char* p, const char* end, Scalar& out);

// Any scalar: dispatches on the first character; nullptr when none starts there.
const char* lex_scalar(const char* p, const char* end, Scalar& out, std::string* text);

// The first '"', '\\' or control character in [p, end), or `end` when there is none. Unlike
// the lex_* functions it reads nothing past `end`.
const char* find_special_within(const char* p, const char* end);

// Whitespace as JSON (and nlohmann) knows it: space, tab, line feed, carriage return.
inline bool is_json_whitespace(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

inline const char* skip_json_whitespace(const char* p, const char* end) {
    while (p < end && is_json_whitespace(*p)) ++p;
    return p;
}

}  // namespace codeguru::json_mapping
