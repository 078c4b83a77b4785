#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
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

// The first eight bytes of the key starting at `raw_key`, for names_member(). REQUIRES: at
// least 8 readable bytes from `raw_key` (simdjson's padding after the body's text).
inline std::uint64_t key_head(const char* raw_key) {
    static_assert(std::endian::native == std::endian::little, "name_head() packs so");
    std::uint64_t head;
    std::memcpy(&head, raw_key, sizeof head);
    return head;
}

// Whether the key starting at `raw_key` (`head`: its key_head()) is `m`'s name as it stands
// in the body: the name followed by the closing quote. Names hold neither quotes nor
// backslashes, so that quote closes the key.
inline bool names_member(const MemberSpec& m, std::uint64_t head, const char* raw_key,
                         const char* text_end) {
    const std::size_t size = m.name.size();
    return (head & m.head_mask) == m.head && size < static_cast<std::size_t>(text_end - raw_key) &&
           raw_key[size] == '"' &&
           (size <= 8 || std::memcmp(raw_key + 8, m.name.data() + 8, size - 8) == 0);
}

// The member of `spec` named by the key starting at `raw_key` (just past its opening quote)
// in `found`, nullptr when none (or no `spec`). False when the key is not a JSON string;
// `scratch` holds a key spelled with escapes. REQUIRES: at least 8 readable bytes from
// `raw_key` (simdjson's padding after `text_end`).
bool find_member(const ObjectSpec* spec, const char* raw_key, const char* text_end,
                 std::string& scratch, const MemberSpec*& found);

}  // namespace codeguru::json_mapping::ondemand
