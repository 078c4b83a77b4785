// The walker's short-number readers (sources/json_mapping/ondemand_tokens.hpp) against
// lex_token(), the general reading they stand in for: every token they accept, lex_token()
// reads to the same value, bit for bit.
#include <catch2/catch.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "sources/json_mapping/ondemand_tokens.hpp"

using namespace codeguru::json_mapping;
using codeguru::json_mapping::ondemand::lex_token;
using codeguru::json_mapping::ondemand::short_decimal_token;
using codeguru::json_mapping::ondemand::short_integer_token;

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

// What lex_token() reads from `token`: false when it refuses it.
bool general_reading(const std::string& token, Scalar& s) {
    return lex_token(token, token.data() + token.size(), s, nullptr);
}

}  // namespace

TEST_CASE("short integers are read as lex_token reads them, and only those") {
    std::mt19937_64 random(14);
    std::size_t accepted = 0;
    for (int i = 0; i < 200'000; ++i) {
        const std::string token = random_token(random);
        std::int64_t fast = 0;
        if (!short_integer_token(token, fast)) continue;
        ++accepted;
        Scalar s{Scalar::Kind::kNull};
        INFO("token: " << token);
        REQUIRE(general_reading(token, s));
        if (s.kind == Scalar::Kind::kSigned) {
            CHECK(fast == s.signed_value);
        } else {
            REQUIRE(s.kind == Scalar::Kind::kUnsigned);
            CHECK(static_cast<std::uint64_t>(fast) == s.unsigned_value);
        }
    }
    // The generator makes many of them: the comparison above is not left to chance.
    CHECK(accepted > 5'000);
}

TEST_CASE("short decimals are read to the double from_chars gives, and only those") {
    std::mt19937_64 random(15);
    std::size_t accepted = 0;
    for (int i = 0; i < 200'000; ++i) {
        const std::string token = random_token(random);
        double fast = 0;
        if (!short_decimal_token(token, fast)) continue;
        ++accepted;
        Scalar s{Scalar::Kind::kNull};
        INFO("token: " << token);
        REQUIRE(general_reading(token, s));
        REQUIRE(s.kind == Scalar::Kind::kFloat);
        CHECK(std::bit_cast<std::uint64_t>(fast) == std::bit_cast<std::uint64_t>(s.float_value));
    }
    CHECK(accepted > 5'000);
}

TEST_CASE("the short readers take the numbers APIs send and leave the rest to lex_token") {
    std::int64_t integer = 0;
    CHECK((short_integer_token("92", integer) && integer == 92));
    CHECK((short_integer_token("-17 \n", integer) && integer == -17));
    CHECK((short_integer_token("0", integer) && integer == 0));
    CHECK((short_integer_token("999999999999999999", integer) && integer == 999999999999999999));
    for (const char* other :
         {"1234567890123456789", "012", "-", "1.0", "1e3", "12x", "\"12\"", "true", "null"}) {
        INFO(other);
        CHECK_FALSE(short_integer_token(other, integer));
    }

    double decimal = 0;
    CHECK((short_decimal_token("1757085064.647", decimal) && decimal == 1757085064.647));
    CHECK((short_decimal_token("-0.5\t", decimal) && decimal == -0.5));
    CHECK((short_decimal_token("-0.0", decimal) && std::signbit(decimal)));
    CHECK((short_decimal_token("12345.6789012345", decimal) && decimal == 12345.6789012345));
    for (const char* other : {"12345.67890123456", "1234567890123456.1", "1.", ".5", "01.5",
                              "1.5e3", "1.5.2", "15", "1.5x", "\"1.5\""}) {
        INFO(other);
        CHECK_FALSE(short_decimal_token(other, decimal));
    }
}
