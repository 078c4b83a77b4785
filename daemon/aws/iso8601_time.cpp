#include "aws/iso8601_time.hpp"

#include <time.h>

#include <cctype>

namespace codeguru::aws {

namespace {

// Reads exactly `digits` decimal digits at `pos`, advancing it.
std::optional<int> read_number(std::string_view text, std::size_t& pos, std::size_t digits) {
    if (pos + digits > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        const char c = text[pos + i];
        if (!std::isdigit(static_cast<unsigned char>(c))) {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
    }
    pos += digits;
    return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_iso8601_time(std::string_view text) {
    std::size_t pos = 0;
    const auto year = read_number(text, pos, 4);
    if (!year || !expect(text, pos, '-')) return std::nullopt;
    const auto month = read_number(text, pos, 2);
    if (!month || !expect(text, pos, '-')) return std::nullopt;
    const auto day = read_number(text, pos, 2);
    if (!day || !(expect(text, pos, 'T') || expect(text, pos, 't'))) return std::nullopt;
    const auto hour = read_number(text, pos, 2);
    if (!hour || !expect(text, pos, ':')) return std::nullopt;
    const auto minute = read_number(text, pos, 2);
    if (!minute || !expect(text, pos, ':')) return std::nullopt;
    const auto second = read_number(text, pos, 2);
    if (!second) return std::nullopt;
    if (expect(text, pos, '.')) {
        const std::size_t start = pos;
        while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
            ++pos;
        }
        if (pos == start) return std::nullopt;
    }
    int offset_minutes = 0;
    if (!expect(text, pos, 'Z') && !expect(text, pos, 'z')) {
        if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        const auto offset_hours = read_number(text, pos, 2);
        if (!offset_hours || !expect(text, pos, ':')) return std::nullopt;
        const auto offset_mins = read_number(text, pos, 2);
        if (!offset_mins) return std::nullopt;
        offset_minutes = sign * (*offset_hours * 60 + *offset_mins);
    }
    if (pos != text.size() || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
        *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    std::tm fields{};
    fields.tm_year = *year - 1900;
    fields.tm_mon = *month - 1;
    fields.tm_mday = *day;
    fields.tm_hour = *hour;
    fields.tm_min = *minute;
    fields.tm_sec = *second;
    const time_t utc = timegm(&fields);
    return std::chrono::system_clock::from_time_t(utc) - std::chrono::minutes(offset_minutes);
}

}  // namespace codeguru::aws
