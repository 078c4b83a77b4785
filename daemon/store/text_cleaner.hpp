#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/pg_array_literal.hpp"
#include "util/timestamp.hpp"

namespace codeguru::store {

// Sanitizes one finding's text on its way into a page's arrays (NUL and invalid UTF-8
// become U+FFFD, SPEC §5) and remembers which members needed it, so that the finding gets a
// single warning naming them all. One cleaner per finding; not thread-safe.
class TextCleaner {
  public:
    // `text` itself when it is clean, else a sanitized copy held until the next call.
    std::string_view clean(std::string_view text, std::string_view member);

    void add(PgArrayLiteral& array, const std::optional<std::string>& text,
             std::string_view member) {
        text ? array.add_text(clean(*text, member)) : array.add_null();
    }

    // JSON text for a jsonb element: sanitized as text, and \u0000 escapes (which jsonb
    // refuses) as \ufffd.
    void add_json(PgArrayLiteral& array, const std::optional<std::string>& json,
                  std::string_view member);

    std::size_t replaced() const { return replaced_; }
    std::string members() const;  // "title, description": the members that were replaced

  private:
    void count(std::size_t replaced, std::string_view member);

    std::string scratch_;
    std::size_t replaced_ = 0;
    std::vector<std::string_view> members_;
};

// Replaces every \u0000 escape in JSON text with \ufffd and returns how many.
std::size_t replace_nul_escapes(std::string& json);

// A timestamptz element, or NULL.
void add_timestamp(PgArrayLiteral& array, const std::optional<Timestamp>& value);

}  // namespace codeguru::store
