#include <catch2/catch.hpp>
#include <string>

#include "util/text_sanitizer.hpp"

using codeguru::replace_invalid_utf8;
using codeguru::sanitize_text;

namespace {
const std::string kFffd = "\xEF\xBF\xBD";
}

TEST_CASE("valid UTF-8 passes through byte for byte") {
    for (std::string text : {std::string(""), std::string("plain ascii"),
                             std::string("Ünïcödé 日本語 🚀"), std::string("\xF4\x8F\xBF\xBF")}) {
        const std::string before = text;
        CHECK(sanitize_text(text) == 0);
        CHECK(text == before);
    }
}

TEST_CASE("invalid UTF-8 sequences become U+FFFD") {
    struct Case {
        std::string input;
        std::string expected;
        std::size_t replaced;
    };
    const Case cases[] = {
        {"a\xFF"
         "b",
         "a" + kFffd + "b", 1},                                  // never valid byte
        {"\xC0\xAF", kFffd + kFffd, 2},                          // overlong '/'
        {"\xED\xA0\x80", kFffd + kFffd + kFffd, 3},              // UTF-16 surrogate
        {"\xF4\x90\x80\x80", kFffd + kFffd + kFffd + kFffd, 4},  // above U+10FFFF
        {"ok\xE6\x97", "ok" + kFffd + kFffd, 2},                 // truncated at the end
        {"\x80x", kFffd + "x", 1},                               // stray continuation
    };
    for (const auto& c : cases) {
        std::string text = c.input;
        CHECK(replace_invalid_utf8(text) == c.replaced);
        CHECK(text == c.expected);
    }
}

TEST_CASE("NUL characters are replaced only by sanitize_text") {
    std::string with_nul("a\0b", 3);
    std::string copy = with_nul;
    CHECK(replace_invalid_utf8(copy) == 0);
    CHECK(copy == with_nul);
    CHECK(sanitize_text(with_nul) == 1);
    CHECK(with_nul == "a" + kFffd + "b");
}
