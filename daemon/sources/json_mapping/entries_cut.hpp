#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "sources/json_mapping/member_table.hpp"

namespace codeguru::json_mapping {

// simdjson indexes a body's whole structure before the mapper reads its first entry: four
// bytes per bracket, comma, colon and quote, so a 60 MB body of `{},{},...` would cost
// about 240 MB before being refused for holding more than maxResults entries. For a body that
// large this finds, in one pass of a few instructions per byte, where its entries list (an
// answer-level kEntries member of `spec`, by its raw key) opens its (max_entries + 1)th
// element, and returns the body cut there: the text before that element, `{}` in its place,
// and the brackets then open, closed. Mapped, the cut body stops at that element exactly as
// the whole body would (the walker refuses an element past the limit at its first byte), so
// the mapper maps the cut instead and is spared the rest.
//
// Returns nothing when there is no such element, when it does not start with `{` (a scalar
// is read whole before it is refused, and might not be JSON), or when the body is not plainly
// an object whose keys are unescaped: then the body is mapped whole. The cut text is only a
// shortcut to an error: the mapper uses it only if mapping it ends with that error.
std::optional<std::string> cut_at_extra_entry(std::string_view body, const AnswerSpec& spec,
                                              std::size_t max_entries);

}  // namespace codeguru::json_mapping
