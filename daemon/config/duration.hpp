#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace codeguru {

// Parses "900" (seconds), "900s", "15m", "1h", "500ms", "1d", or a sequence of such parts
// with units in decreasing order ("1h30m", as format_duration writes); surrounding spaces
// are ignored. Throws std::invalid_argument on empty, negative, overflowing or other text.
std::chrono::milliseconds parse_duration(std::string_view text);

// Writes a duration in the shortest form parse_duration reads back: "15m", "1h30m",
// "500ms", "0s".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace codeguru
