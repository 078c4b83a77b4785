#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace codeguru::aws {

// An ISO-8601 / RFC 3339 time as AWS writes credential expirations:
// "2025-09-16T05:20:00Z", with an optional fraction (dropped below the second) and "Z" or a
// "+hh:mm" / "-hh:mm" offset. std::nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_time(std::string_view text);

}  // namespace codeguru::aws
