#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sources/json_mapping/json_text_writer.hpp"

namespace codeguru::json_mapping {

// Reads raw JSON text token by token exactly as nlohmann_json 3.11's parser does, without
// recursion (nesting is unlimited, as there). The On-Demand mapper uses it where simdjson
// would not check: values it skips, objects it keeps as JSON text, and, for a body simdjson
// refused, to find where nlohmann would have stopped. REQUIRES: the text is valid UTF-8 and
// 16 readable bytes follow its end (json_lexer.hpp). Not thread-safe; reusable.
class JsonSyntaxReader {
  public:
    // Reads the one value starting at `p` (its first character). Returns the position just
    // past it, or nullptr when it is not JSON. With `writer` (REQUIRES: started), writes the
    // value's events to it as they come.
    const char* read_value(const char* p, const char* end, JsonTextWriter* writer);

    // Where a whole body stops being what nlohmann accepts.
    struct DocumentCheck {
        bool valid = false;
        // valid: the length of the document's text (nlohmann ends its input at a NUL byte
        // outside strings, so text past one is never read).
        std::size_t length = 0;
        // Not valid, and some of the document complete: the length of the longest prefix
        // that ends just after a complete value or an opening bracket, and the brackets
        // closing what is open there (innermost first). nlohmann saw every event of that
        // prefix before it failed.
        bool has_prefix = false;
        std::size_t prefix_length = 0;
        std::string closers;
    };
    DocumentCheck check_document(std::string_view text);

  private:
    std::vector<char> open_;          // the brackets open, innermost last
    std::string text_;                // a string's unescaped text, for the writer
    const char* complete_ = nullptr;  // just past the last complete value or opening bracket
};

}  // namespace codeguru::json_mapping
