#include "sources/json_mapping/ondemand_tokens.hpp"

#include "sources/json_mapping/json_lexer.hpp"

namespace codeguru::json_mapping::ondemand {

bool read_escaped_string_token(std::string_view token, const char* text_end, std::string& out) {
    out.clear();
    Scalar s{Scalar::Kind::kString};
    return lex_token(token, text_end, s, &out);
}

bool read_escaped_string_rest(std::string_view token, const char* from, const char* text_end,
                              std::string& out) {
    const char* end = lex_string_rest(from, text_end, &out);
    if (end == nullptr) return false;
    const char* token_end = token.data() + token.size();
    return skip_json_whitespace(end, token_end) >= token_end;
}

bool lex_token(std::string_view token, const char* text_end, Scalar& s, std::string* text) {
    const char* end = lex_scalar(token.data(), text_end, s, text);
    if (end == nullptr) return false;
    const char* token_end = token.data() + token.size();
    return skip_json_whitespace(end, token_end) >= token_end;
}

bool find_member(const ObjectSpec* spec, const char* raw_key, const char* text_end,
                 std::string& scratch, const MemberSpec*& found) {
    found = nullptr;
    if (spec != nullptr) {
        // Compared as the key stands in the body: a member's name followed by the closing
        // quote. Names hold neither quotes nor backslashes, so that quote closes the key.
        const std::uint64_t word = key_word(raw_key);
        for (const MemberSpec& m : spec->members) {
            if (names_member(m, word, raw_key, text_end)) {
                found = &m;
                return true;
            }
        }
    }
    // Unknown as it stands: maybe a name spelled with escapes, and then checked as nlohmann
    // checks every key.
    const char* end = raw_key;
    while (end < text_end && *end != '"' && *end != '\\') ++end;
    if (end >= text_end) return false;
    if (*end == '"') return true;
    scratch.clear();
    if (lex_string(raw_key - 1, text_end, &scratch) == nullptr) return false;
    if (spec == nullptr) return true;
    for (const MemberSpec& m : spec->members) {
        if (m.name == scratch) {
            found = &m;
            break;
        }
    }
    return true;
}

}  // namespace codeguru::json_mapping::ondemand
