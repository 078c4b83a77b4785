#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "report/report.hpp"

namespace codeguru::report {

enum class Format { kTable, kCsv, kJson };

// "table", "csv" or "json"; nullopt for anything else.
std::optional<Format> parse_format(std::string_view name);

// The report as text, ending with a newline. Pure: the same report gives the same bytes.
// Each line starts with the source and the scan (or project).
//   table  aligned columns for a terminal, times in UTC to the minute, ages like "2d 3h";
//   csv    RFC 4180 with a header line, times ISO 8601 UTC, ages in seconds;
//   json   {"generated_at", "sync_interval_s", "scans": [{"source", "scan", ...}]}, times
//          ISO 8601 UTC.
std::string format_report(const Report& report, Format format);

// A duration for a person, two units at most: "45s", "12m", "3h 5m", "2d 0h".
std::string describe_age(std::chrono::seconds age);

// "2026-11-25T08:33:07Z": UTC, whole seconds (truncated).
std::string iso8601(Timestamp at);

}  // namespace codeguru::report
