#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace codeguru::store {

// Builds the text form of a one-dimensional PostgreSQL array, such as {"a",NULL,"b\"c"}:
// how a page travels to apply_findings_page() as text[], bigint[] or timestamptz[]
// parameters. Every text element is quoted, so braces, commas, blanks and the word NULL
// inside values stay values.
class PgArrayLiteral {
  public:
    void add_text(std::string_view value);
    void add_integer(std::int64_t value);
    void add_null();

    void add_integer(const std::optional<std::int64_t>& value) {
        value ? add_integer(*value) : add_null();
    }

    std::size_t size() const { return size_; }

    // The finished literal; the builder is left empty.
    std::string take();

    // A copy of the finished literal; the builder is left as it is.
    std::string literal() const { return text_ + '}'; }

  private:
    void separate() {
        if (size_++ > 0) text_ += ',';
    }

    std::string text_ = "{";
    std::size_t size_ = 0;
};

}  // namespace codeguru::store
