#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace codeguru::json_mapping {

// Writes one JSON object or array as compact text from a parser's events, in the order they
// come (members as sent), into a string it does not own. For objects kept whole in jsonb
// columns. PostgreSQL's jsonb holds no NUL, not even as the escape \u0000: a NUL in a string
// or key becomes U+FFFD, the same rule as for text columns. REQUIRES: strings are valid
// UTF-8 (the mapper's pre-pass sees to it); events form one well-nested value.
class JsonTextWriter {
  public:
    // Begins a value in `out` (replacing its content), written until it is closed.
    void start(std::string& out);

    void open(bool array);  // `{` or `[`
    // `}` or `]`.
    void close();
    void key(std::string_view name);
    void null();
    void boolean(bool value);
    void integer(std::int64_t value);
    void integer(std::uint64_t value);
    void number(std::string_view as_written);  // a JSON number, kept as written
    void string(std::string_view text);
    // A key or string whose text needs no escape (no '"', '\\' or control character, as
    // plain_string() finds it), written as it is.
    void plain_key(std::string_view text);
    void plain_string(std::string_view text);

    // NULs replaced with U+FFFD since start().
    std::size_t nuls_replaced() const { return nuls_; }

  private:
    struct Level {
        bool array;
        bool has_member;  // a comma precedes the next member or element
    };
    void before_value();  // the comma between elements of an array
    void before_key();    // the comma between members of an object
    void quoted(std::string_view text);
    void plain_quoted(std::string_view text);

    std::string* out_ = nullptr;
    std::vector<Level> levels_;
    std::size_t nuls_ = 0;
};

}  // namespace codeguru::json_mapping
