// Objects kept whole as JSON text (JsonSyntaxReader writing to JsonTextWriter): a string
// without escapes is written as it stands in the body (plain_string()), any other unescaped
// and written again. Both ways must give the same text, and that text must be nlohmann's
// compact dump of the same value (with a NUL as U+FFFD, as jsonb needs).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

#include "sources/json_mapping/json_lexer.hpp"
#include "sources/json_mapping/json_syntax_reader.hpp"
#include "sources/json_mapping/json_text_writer.hpp"

using namespace codeguru::json_mapping;
using nlohmann::json;

namespace {

// `text` read as a kept value: the writer's output, or "not JSON".
std::string kept(const std::string& text) {
    std::string padded = text + std::string(16, ' ');  // json_lexer.hpp's readable bytes
    JsonSyntaxReader reader;
    JsonTextWriter writer;
    std::string out;
    writer.start(out);
    const char* end = padded.data() + text.size();
    const char* after = reader.read_value(padded.data(), end, &writer);
    return after == end ? out : "not JSON";
}

// Code points of every kind a string may hold: plain ASCII most often, then the characters
// that must be escaped (quote, backslash, controls, NUL) and multi-byte UTF-8.
std::u32string random_text(std::mt19937_64& random) {
    static constexpr char32_t kSpecial[] = {U'"', U'\\', U'\n', U'\t', 0x01, 0x1F, 0x00, U'/'};
    static constexpr char32_t kWide[] = {0xE9, 0x20AC, 0xFFFD, 0x1F600};
    std::u32string text;
    const std::size_t length = random() % 40;
    const bool plain = random() % 2 == 0;  // half the strings hold nothing to escape
    for (std::size_t i = 0; i < length; ++i) {
        const auto roll = random() % 100;
        if (!plain && roll < 10) {
            text.push_back(kSpecial[random() % std::size(kSpecial)]);
        } else if (roll < 20) {
            text.push_back(kWide[random() % std::size(kWide)]);
        } else {
            auto c = static_cast<char32_t>(' ' + random() % 95);  // printable ASCII
            if (plain && (c == U'"' || c == U'\\')) c = U'q';
            text.push_back(c);
        }
    }
    return text;
}

std::string utf8(const std::u32string& text, bool nul_as_replacement) {
    std::string out;
    for (char32_t c : text) {
        if (c == 0 && nul_as_replacement) c = 0xFFFD;
        if (c < 0x80) {
            out.push_back(static_cast<char>(c));
        } else if (c < 0x800) {
            out.push_back(static_cast<char>(0xC0 | c >> 6));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            out.push_back(static_cast<char>(0xE0 | c >> 12));
            out.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        } else {
            out.push_back(static_cast<char>(0xF0 | c >> 18));
            out.push_back(static_cast<char>(0x80 | (c >> 12 & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c >> 6 & 0x3F)));
            out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
        }
    }
    return out;
}

// `text` as a JSON string with every character escaped as \uXXXX (surrogate pairs above the
// BMP): a string that can never be read as it stands.
std::string all_escaped(const std::u32string& text) {
    std::string out = "\"";
    char unit[16];
    const auto escape = [&](unsigned code) {
        std::snprintf(unit, sizeof unit, "\\u%04X", code);
        out += unit;
    };
    for (char32_t c : text) {
        if (c >= 0x10000) {
            escape(0xD800 + ((c - 0x10000) >> 10));
            escape(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            escape(static_cast<unsigned>(c));
        }
    }
    return out + "\"";
}

}  // namespace

TEST_CASE("plain_string reads a string without escapes as it stands, and nothing else",
          "[json_mapping]") {
    const auto plain = [](std::string text) -> std::string {
        const std::size_t size = text.size();
        text += std::string(16, ' ');
        std::string_view found;
        if (!plain_string(text.data(), text.data() + size, found)) return "(no)";
        CHECK(found.data() == text.data() + 1);
        return std::string(found);
    };
    CHECK(plain(R"("abc")") == "abc");
    CHECK(plain(R"("")") == "");
    CHECK(plain("\"caf\xC3\xA9 \xF0\x9F\x98\x80\" , ") == "caf\xC3\xA9 \xF0\x9F\x98\x80");
    CHECK(plain("\"a long string of more than sixteen bytes, and then some\"") ==
          "a long string of more than sixteen bytes, and then some");
    CHECK(plain(R"("a\nb")") == "(no)");
    CHECK(plain(R"("\"")") == "(no)");
    CHECK(plain("\"a\x01z\"") == "(no)");
    CHECK(plain("\"a\tz\"") == "(no)");
    CHECK(plain("\"unterminated") == "(no)");
    // The closing quote past `end` does not count.
    std::string cut = "\"abc\"" + std::string(16, ' ');
    std::string_view found;
    CHECK_FALSE(plain_string(cut.data(), cut.data() + 4, found));
}

TEST_CASE(
    "a kept value's strings are written the same whether sent plain or escaped, as nlohmann dumps "
    "them",
    "[json_mapping]") {
    std::mt19937_64 random(20261203);
    std::size_t plain_strings = 0;
    for (int round = 0; round < 3000; ++round) {
        const std::u32string key = random_text(random);
        const std::u32string value = random_text(random);
        const std::u32string element = random_text(random);
        // Sent as nlohmann writes JSON: only what must be escaped is.
        json sent = json::object();
        sent[utf8(key, false)] = json::array({utf8(value, false), 1, utf8(element, false)});
        const std::string as_sent = sent.dump();
        // Sent with every character escaped.
        const std::string escaped = "{" + all_escaped(key) + ":[" + all_escaped(value) + ",1," +
                                    all_escaped(element) + "]}";
        // Expected: nlohmann's own dump, NULs replaced first.
        json expected = json::object();
        expected[utf8(key, true)] = json::array({utf8(value, true), 1, utf8(element, true)});
        INFO("sent: " << as_sent);
        CHECK(kept(as_sent) == expected.dump());
        CHECK(kept(escaped) == expected.dump());
        for (const std::u32string* text : {&key, &value, &element}) {
            const bool plain = std::none_of(text->begin(), text->end(), [](char32_t c) {
                return c < 0x20 || c == U'"' || c == U'\\';
            });
            if (plain) ++plain_strings;
        }
    }
    // Both ways were taken many times.
    CHECK(plain_strings > 3000);
}
