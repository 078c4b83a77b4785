#include "util/timestamp.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace codeguru {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

// Years 0001..9999: what ISO-8601 writes and PostgreSQL accepts without surprises.
constexpr std::int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr std::int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        out = out * 10 + (text[i] - '0');
    }
    return true;
}

}  // namespace

std::optional<Timestamp> timestamp_from_epoch_seconds(std::int64_t s) {
    if (s < kMinSeconds || s > kMaxSeconds) return std::nullopt;
    return Timestamp(seconds(s));
}

std::optional<Timestamp> timestamp_from_epoch_seconds(double value) {
    if (!std::isfinite(value)) return std::nullopt;
    const double whole = std::floor(value);
    if (whole < static_cast<double>(kMinSeconds) || whole > static_cast<double>(kMaxSeconds)) {
        return std::nullopt;
    }
    // Split before scaling: `value - whole` is exact, so only the decimal-to-binary
    // error of the input (far below half a microsecond) reaches the rounding.
    const auto s = static_cast<std::int64_t>(whole);
    const auto us = static_cast<std::int64_t>(std::llround((value - whole) * 1e6));
    return Timestamp(seconds(s)) + microseconds(us);
}

std::optional<Timestamp> timestamp_from_iso8601(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    int year, month, day, hour, minute, second;
    if (!parse_digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
        !parse_digits(text, 5, 2, month) || text[7] != '-' || !parse_digits(text, 8, 2, day) ||
        (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
        !parse_digits(text, 11, 2, hour) || text[13] != ':' || !parse_digits(text, 14, 2, minute) ||
        text[16] != ':' || !parse_digits(text, 17, 2, second)) {
        return std::nullopt;
    }
    const std::chrono::year_month_day ymd{std::chrono::year(year),
                                          std::chrono::month(static_cast<unsigned>(month)),
                                          std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;

    std::size_t pos = 19;
    std::int64_t micros = 0;
    if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
        ++pos;
        const std::size_t start = pos;
        std::int64_t scale = 100000;
        bool round_up = false;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            const int digit = text[pos] - '0';
            if (scale > 0) {
                micros += digit * scale;
                scale /= 10;
            } else if (pos - start == 6) {
                round_up = digit >= 5;  // the seventh digit decides the rounding
            }
            ++pos;
        }
        if (pos == start) return std::nullopt;
        if (round_up) ++micros;
    }

    int offset_minutes = 0;
    if (pos < text.size()) {
        const char sign = text[pos];
        if ((sign == 'Z' || sign == 'z') && pos + 1 == text.size()) {
            pos = text.size();
        } else if (sign == '+' || sign == '-') {
            int oh, om;
            std::string_view rest = text.substr(pos + 1);
            if (rest.size() == 5 && rest[2] == ':' && parse_digits(rest, 0, 2, oh) &&
                parse_digits(rest, 3, 2, om)) {
            } else if (rest.size() == 4 && parse_digits(rest, 0, 2, oh) &&
                       parse_digits(rest, 2, 2, om)) {
            } else if (rest.size() == 2 && parse_digits(rest, 0, 2, oh)) {
                om = 0;
            } else {
                return std::nullopt;
            }
            if (oh > 23 || om > 59) return std::nullopt;
            offset_minutes = (sign == '+' ? 1 : -1) * (oh * 60 + om);
        } else {
            return std::nullopt;
        }
    }

    const auto days = std::chrono::sys_days(ymd);
    const Timestamp t = Timestamp(days) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
                        seconds(second) + microseconds(micros) -
                        std::chrono::minutes(offset_minutes);
    // Year 0000, or an offset that crosses the first or last year, leaves the epoch range.
    if (t < Timestamp(seconds(kMinSeconds)) || t >= Timestamp(seconds(kMaxSeconds + 1))) {
        return std::nullopt;
    }
    return t;
}

std::string format_timestamp(Timestamp t) {
    const auto day = std::chrono::floor<std::chrono::days>(t);
    const std::chrono::year_month_day ymd{day};
    const std::chrono::hh_mm_ss hms{t - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {
        char out[48];
        std::snprintf(out, sizeof out, "%04d-%02u-%02u %02d:%02d:%02d.%06lld+00", year,
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                      static_cast<int>(hms.hours().count()),
                      static_cast<int>(hms.minutes().count()),
                      static_cast<int>(hms.seconds().count()),
                      static_cast<long long>(hms.subseconds().count()));
        return out;
    }
    // Written digit by digit: pages format two timestamps per finding, and snprintf showed
    // in profiles.
    std::string out = "0000-00-00 00:00:00.000000+00";
    const auto put = [&out](std::size_t end, long long value, int digits) {
        for (int i = 1; i <= digits; ++i, value /= 10)
            out[end - i] = static_cast<char>('0' + value % 10);
    };
    put(4, year, 4);
    put(7, static_cast<unsigned>(ymd.month()), 2);
    put(10, static_cast<unsigned>(ymd.day()), 2);
    put(13, hms.hours().count(), 2);
    put(16, hms.minutes().count(), 2);
    put(19, hms.seconds().count(), 2);
    put(26, hms.subseconds().count(), 6);
    return out;
}

}  // namespace codeguru
