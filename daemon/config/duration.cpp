#include "config/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace codeguru {
namespace {

struct Unit {
    std::string_view suffix;
    std::uint64_t ms;
};

// Largest first: parsing requires this order and formatting produces it.
constexpr std::array<Unit, 5> kUnits{{
    {"d", 86'400'000},
    {"h", 3'600'000},
    {"m", 60'000},
    {"s", 1'000},
    {"ms", 1},
}};

constexpr std::uint64_t kMaxMs = std::numeric_limits<std::chrono::milliseconds::rep>::max();

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

[[noreturn]] void fail(std::string_view text, std::string_view why) {
    throw std::invalid_argument("invalid duration \"" + std::string(text) +
                                "\": " + std::string(why));
}

bool is_lower_letter(char c) {
    return c >= 'a' && c <= 'z';
}

}  // namespace

std::chrono::milliseconds parse_duration(std::string_view text) {
    const std::string_view body = trim(text);
    if (body.empty()) fail(text, "empty");
    if (body.front() == '-') fail(text, "negative");

    std::uint64_t total = 0;
    std::size_t parts = 0;
    std::size_t next_unit = 0;  // units appear in decreasing size, each at most once
    std::string_view rest = body;
    while (!rest.empty()) {
        std::uint64_t number = 0;
        const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
        if (ec == std::errc::result_out_of_range) fail(text, "too large");
        if (ec != std::errc()) fail(text, "expected a number");
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));

        std::size_t letters = 0;
        while (letters < rest.size() && is_lower_letter(rest[letters])) ++letters;
        const std::string_view suffix = rest.substr(0, letters);
        rest.remove_prefix(letters);

        std::uint64_t factor = 0;
        if (suffix.empty()) {
            if (parts > 0 || !rest.empty()) fail(text, "missing unit (use ms, s, m, h or d)");
            factor = 1'000;  // a bare number is seconds
        } else {
            std::size_t i = 0;
            while (i < kUnits.size() && kUnits[i].suffix != suffix) ++i;
            if (i == kUnits.size()) fail(text, "unknown unit (use ms, s, m, h or d)");
            if (i < next_unit) fail(text, "units out of order or repeated");
            next_unit = i + 1;
            factor = kUnits[i].ms;
        }
        if (number > kMaxMs / factor || number * factor > kMaxMs - total) fail(text, "too large");
        total += number * factor;
        ++parts;
    }
    return std::chrono::milliseconds(static_cast<std::chrono::milliseconds::rep>(total));
}

std::string format_duration(std::chrono::milliseconds duration) {
    const auto count = duration.count();
    if (count == 0) return "0s";
    // Unsigned magnitude: the most negative value has no positive counterpart.
    std::uint64_t remaining =
        count < 0 ? 0 - static_cast<std::uint64_t>(count) : static_cast<std::uint64_t>(count);
    std::string out = count < 0 ? "-" : "";
    for (const Unit& unit : kUnits) {
        const std::uint64_t n = remaining / unit.ms;
        if (n == 0) continue;
        out += std::to_string(n);
        out += unit.suffix;
        remaining -= n * unit.ms;
    }
    return out;
}

}  // namespace codeguru
