#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace codeguru::report {

// Text from scanned code (titles, paths, rule ids, errors) made inert for an HTML page.
// Untrusted bytes go through clean_text, then escape_html; `html` does both.

// The longest text a report shows by default, in code points.
inline constexpr std::size_t kDefaultTextLimit = 160;

// `raw` as valid UTF-8 for display: invalid UTF-8 becomes U+FFFD; NUL, the other C0
// controls (tab and newline kept), DEL and the C1 controls are removed; so are the bidi
// embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which could reorder
// the text around them. More than `max_code_points` code points (after removal) are cut to
// max_code_points - 1 and an ellipsis (U+2026); max_code_points 0 gives "". Reads at most
// the bytes it keeps plus one code point: a 10 MB input costs what its prefix costs.
std::string clean_text(std::string_view raw, std::size_t max_code_points);

// `text` with & < > " ' as character references: safe in HTML text, in a double- or
// single-quoted attribute value and in SVG text inside HTML (the same parser rules).
std::string escape_html(std::string_view text);

// escape_html(clean_text(raw, max_code_points)).
std::string html(std::string_view raw, std::size_t max_code_points = kDefaultTextLimit);

}  // namespace codeguru::report
