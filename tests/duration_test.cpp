#include "config/duration.hpp"

#include <catch2/catch.hpp>
#include <limits>
#include <stdexcept>
#include <string>

using codeguru::format_duration;
using codeguru::parse_duration;
using std::chrono::milliseconds;

namespace {

constexpr milliseconds::rep kSecond = 1'000;
constexpr milliseconds::rep kMinute = 60 * kSecond;
constexpr milliseconds::rep kHour = 60 * kMinute;
constexpr milliseconds::rep kDay = 24 * kHour;

}  // namespace

TEST_CASE("parse_duration reads bare seconds, unit suffixes and compound durations") {
    struct Case {
        const char* text;
        milliseconds::rep ms;
    };
    const Case cases[] = {
        {"900", 900 * kSecond},
        {"900s", 900 * kSecond},
        {"15m", 15 * kMinute},
        {"1h", kHour},
        {"500ms", 500},
        {"1d", kDay},
        {"90d", 90 * kDay},      // retention.runs' default
        {"3650d", 3650 * kDay},  // and its upper bound
        {"7d", 7 * kDay},        // sync.interval's upper bound
        {"0", 0},
        {"0s", 0},
        {" 15m ", 15 * kMinute},
        {"\t1h\t", kHour},
        {"1h30m", kHour + 30 * kMinute},
        {"1m500ms", kMinute + 500},
        {"1d2h3m4s5ms", kDay + 2 * kHour + 3 * kMinute + 4 * kSecond + 5},
        {"007s", 7 * kSecond},
        {"9223372036854775807ms", 9223372036854775807},
        {"106751991167d", 106751991167 * kDay},
    };
    for (const Case& c : cases) {
        CAPTURE(c.text);
        CHECK(parse_duration(c.text).count() == c.ms);
    }
}

TEST_CASE("parse_duration rejects empty, negative, overflowing and malformed text") {
    const char* const cases[] = {
        "",
        "   ",
        "-5",
        "-1s",
        "+5",
        "15x",
        "15M",
        "15S",
        "1.5h",
        "h",
        "ms",
        "15 m",
        "1h 30m",
        "1h1h",
        "30m1h",
        "1h30",
        "0x10",
        "1e3",
        "5s junk",
        "99999999999999999999",
        "9223372036854775808ms",
        "9223372036854775807s",
        "106751991168d",
        "106751991167d1d",
    };
    for (const char* text : cases) {
        CAPTURE(text);
        CHECK_THROWS_AS(parse_duration(text), std::invalid_argument);
    }
}

TEST_CASE("format_duration writes the largest units first and omits zero parts") {
    struct Case {
        milliseconds::rep ms;
        const char* text;
    };
    const Case cases[] = {
        {0, "0s"},
        {15 * kMinute, "15m"},
        {10 * kSecond, "10s"},
        {kHour + 30 * kMinute, "1h30m"},
        {500, "500ms"},
        {kDay, "1d"},
        {90 * kDay, "90d"},
        {kDay + kHour + kMinute + kSecond + 1, "1d1h1m1s1ms"},
        {kHour + 5, "1h5ms"},
        {-90 * kSecond, "-1m30s"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.ms);
        CHECK(format_duration(milliseconds(c.ms)) == c.text);
    }
}

TEST_CASE("format_duration output parses back to the same duration") {
    const milliseconds::rep cases[] = {
        0, 1, 999, kSecond, 59 * kSecond, 61 * kSecond, 3 * kDay + 7, 9223372036854775807,
    };
    for (const auto ms : cases) {
        CAPTURE(ms);
        CHECK(parse_duration(format_duration(milliseconds(ms))).count() == ms);
    }
}

TEST_CASE("format_duration handles the most negative duration") {
    const auto text = format_duration(milliseconds(std::numeric_limits<milliseconds::rep>::min()));
    CHECK(text.front() == '-');
    CHECK(text.ends_with("808ms"));
}
