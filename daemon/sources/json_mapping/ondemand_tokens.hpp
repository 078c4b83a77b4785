#pragma once

#include <string>
#include <string_view>

#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/scalar_reader.hpp"
#include "sources/json_mapping/simdjson_ondemand.hpp"

namespace codeguru::json_mapping::ondemand {

// simdjson's tokens read as nlohmann reads them (json_lexer.hpp), for the On-Demand walker.
// `text_end`: the end of the body's text in the padded buffer simdjson reads.

// The value's first token, from its first character: a scalar up to the next structural
// character (whitespace and all), a container's opening bracket, or just the opening quote
// of a string, which simdjson has then stepped over. False when simdjson finds no value.
bool first_token(simdjson::ondemand::value& value, std::string_view& token);

// Reads the scalar `token` into `s` (a string's text into `text`, if given): false when it
// is not one JSON scalar followed by nothing but whitespace.
bool lex_token(std::string_view token, const char* text_end, Scalar& s, std::string* text);

// The member of `spec` named by the key starting at `raw_key` (just past its opening quote)
// in `found`, nullptr when none (or no `spec`). False when the key is not a JSON string;
// `scratch` holds a key spelled with escapes. REQUIRES: at least 8 readable bytes from
// `raw_key` (simdjson's padding after `text_end`).
bool find_member(const ObjectSpec* spec, const char* raw_key, const char* text_end,
                 std::string& scratch, const MemberSpec*& found);

}  // namespace codeguru::json_mapping::ondemand
