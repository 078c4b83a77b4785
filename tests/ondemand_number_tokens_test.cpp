// The walker's short-number reader (sources/json_mapping/ondemand_tokens.hpp) against
// lex_token(), the general reading it stands in for: every token it accepts, lex_token()
// reads to the same value, bit for bit.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "sources/json_mapping/ondemand_tokens.hpp"

using namespace codeguru::json_mapping;
using codeguru::json_mapping::ondemand::lex_token;
using codeguru::json_mapping::ondemand::short_number_token;
using codeguru::json_mapping::ondemand::ShortNumber;

namespace {

// Number-like tokens as a token of simdjson's can look: a sign, digits (leading zeros too),
// a fraction, an exponent, whitespace after, a stray byte, each part of any length up to 20.
std::string random_token(std::mt19937_64& random) {
    const auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
    const auto digits = [&](std::string& out) {
        const std::size_t count = random() % 21;
        for (std::size_t i = 0; i < count; ++i) {
            out.push_back(static_cast<char>('0' + (chance(20) ? 0 : random() % 10)));
        }
    };
    std::string token;
    if (chance(30)) token += '-';
    digits(token);
    if (chance(60)) {
        token += '.';
        digits(token);
    }
    if (chance(10)) {
        token += chance(50) ? 'e' : 'E';
        if (chance(50)) token += chance(50) ? '+' : '-';
        digits(token);
    }
    if (chance(30)) token += std::string(random() % 3 + 1, " \n\t\r"[random() % 4]);
    if (chance(5)) token += "x,]"[random() % 3];
    if (token.empty()) token = "-";
    return token;
}

}  // namespace

TEST_CASE("short numbers are read as lex_token reads them, bit for bit, and only those") {
    std::mt19937_64 random(14);
    std::size_t integers = 0;
    std::size_t decimals = 0;
    for (int i = 0; i < 400'000; ++i) {
        const std::string token = random_token(random);
        ShortNumber fast;
        if (!short_number_token(token, fast)) continue;
        Scalar s{Scalar::Kind::kNull};
        INFO("token: " << token);
        REQUIRE(lex_token(token, token.data() + token.size(), s, nullptr));
        if (fast.decimal) {
            ++decimals;
            REQUIRE(s.kind == Scalar::Kind::kFloat);
            CHECK(std::bit_cast<std::uint64_t>(fast.decimal_value) ==
                  std::bit_cast<std::uint64_t>(s.float_value));
        } else if (s.kind == Scalar::Kind::kSigned) {
            ++integers;
            CHECK(fast.integer == s.signed_value);
        } else {
            ++integers;
            REQUIRE(s.kind == Scalar::Kind::kUnsigned);
            CHECK(static_cast<std::uint64_t>(fast.integer) == s.unsigned_value);
        }
    }
    // The generator makes many of both: the comparisons above are not left to chance.
    CHECK(integers > 5'000);
    CHECK(decimals > 5'000);
}

TEST_CASE("the short reader takes the numbers APIs send and leaves the rest to lex_token") {
    const auto integer = [](std::string_view token) {
        ShortNumber n;
        return short_number_token(token, n) && !n.decimal ? std::optional(n.integer) : std::nullopt;
    };
    const auto decimal = [](std::string_view token) {
        ShortNumber n;
        return short_number_token(token, n) && n.decimal ? std::optional(n.decimal_value)
                                                         : std::nullopt;
    };
    CHECK(integer("92") == 92);
    CHECK(integer("-17 \n") == -17);
    CHECK(integer("0") == 0);
    CHECK(integer("999999999999999999") == 999999999999999999);
    CHECK(decimal("1757085064.647") == 1757085064.647);
    CHECK(decimal("-0.5\t") == -0.5);
    CHECK(std::signbit(decimal("-0.0").value_or(1)));
    CHECK(decimal("12345.6789012345") == 12345.6789012345);
    for (const char* other : {"1234567890123456789", "99999999999999999999", "012", "-", "01.5",
                              "1e3", "1.5e3", "12345.67890123456", "1234567890123456.1", "1.", ".5",
                              "1.5.2", "12x", "1.5x", "\"12\"", "true", "null"}) {
        INFO(other);
        ShortNumber n;
        CHECK_FALSE(short_number_token(other, n));
    }
}
