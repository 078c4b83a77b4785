#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace codeguru {

// Microsecond precision, UTC: what PostgreSQL's timestamptz holds.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Epoch seconds (integer or fractional) to the nearest microsecond:
// 1758000000.872 is .872000, never .871999. nullopt when not finite or out of range.
std::optional<Timestamp> timestamp_from_epoch_seconds(double seconds);
std::optional<Timestamp> timestamp_from_epoch_seconds(std::int64_t seconds);

// ISO-8601 / RFC 3339: "2025-09-16T05:20:00Z", with optional fraction (rounded to
// the microsecond) and "Z", "+hh:mm", "+hhmm" or no offset (UTC). nullopt when malformed
// or, as for epoch seconds, outside years 0001..9999 once converted to UTC.
std::optional<Timestamp> timestamp_from_iso8601(std::string_view text);

// "2025-09-16 05:20:00.872000+00": exactly six fractional digits, UTC, as
// PostgreSQL's timestamptz input reads it without loss.
std::string format_timestamp(Timestamp t);

}  // namespace codeguru
