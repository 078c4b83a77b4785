#include "mapper_golden_mutator.hpp"

#include <cstdio>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string_view>

namespace codeguru::test {
namespace {

using nlohmann::json;

// Only the raw outputs of the generator are used (no std::uniform_int_distribution, whose
// results the standard leaves to the library), so that every build sees the same bodies.
class Mutator {
  public:
    explicit Mutator(std::uint64_t seed) : rng_(seed) {}

    // One mutation of `base` (valid JSON when `dom` is set), named in `kind`.
    std::string mutate(const std::string& base, const json* dom, std::string& kind) {
        const std::size_t choice = below(dom != nullptr ? 16 : 8);
        std::string body = base;
        switch (choice) {
            case 0:
                kind = "byte replaced";
                if (!body.empty()) body[below(body.size())] = static_cast<char>(rng_() & 0xFF);
                break;
            case 1:
                kind = "bit flipped";
                if (!body.empty()) body[below(body.size())] ^= static_cast<char>(1u << below(8));
                break;
            case 2:
                kind = "truncated";
                body.resize(below(body.size()));
                break;
            case 3:
                kind = "range deleted";
                if (!body.empty()) {
                    const std::size_t at = below(body.size());
                    body.erase(at, 1 + below(16));
                }
                break;
            case 4:
                kind = "invalid UTF-8 inserted";
                insert_in_string(body, one_of(kInvalidUtf8));
                break;
            case 5:
                kind = "escape inserted";
                insert_in_string(body, one_of(kEscapes));
                break;
            case 6:
                kind = "structure broken";
                break_structure(body);
                break;
            case 7:
                kind = "top level changed";
                body = top_level(body);
                break;
            default:
                body = edit_member(*dom, kind);
                break;
        }
        // Now and then a second, blind mutation on top.
        if (below(8) == 0 && !body.empty()) {
            kind += " + byte replaced";
            body[below(body.size())] = static_cast<char>(rng_() & 0xFF);
        }
        return body;
    }

  private:
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
    template <class T, std::size_t N>
    const T& one_of(const T (&items)[N]) {
        return items[below(N)];
    }

    // Values put in place of a member's value, as raw JSON text (some not JSON at all).
    static constexpr const char* kValues[] = {
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "42",
        "1.5",
        "-2.25",
        "2.0",
        "1e3",
        "1E-2",
        "1.0e+2",
        "-0.0",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "9e18",
        "8.999999999999999e18",
        "1e308",
        "2e308",
        "-1e400",
        "1e-400",
        "4.9e-324",
        "123456789012345678901234567890",
        "1758000000.872",
        "1758000000.123456",
        "1758000000",
        "253402300799",
        "253402300800",
        "-62135596800",
        "-62135596801",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "0x10",
        "NaN",
        "Infinity",
        "tru",
        "nul",
        "falsey",
        "\"\"",
        "\"text\"",
        "\"123\"",
        "\"-7\"",
        "\"1.5e3\"",
        "\" 12\"",
        "\"12 \"",
        "\"0x10\"",
        "\"9223372036854775808\"",
        "\"1e400\"",
        "\"inf\"",
        "\"NaN\"",
        "\"2025-09-16T05:20:00Z\"",
        "\"2025-09-16T05:20:00.123456789+02:00\"",
        "\"2025-09-16 05:20:00\"",
        "\"0000-01-01T00:00:00Z\"",
        "\"not a time\"",
        "\"\\u0000\"",
        "\"a\\u0000b\"",
        "\"\\ud83d\\ude00\"",
        "\"\\uD800\"",
        "\"\\uDC00x\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"tab\there\"",
        "[]",
        "{}",
        "[[]]",
        "[{}]",
        "[1,\"a\",null]",
        "[\"a\",\"b\"]",
        "[\"a\",1,[\"b\"],{\"c\":2}]",
        "{\"x\":1}",
        "{\"a\":{\"b\":[{}]}}",
        "[{\"number\":\"3\",\"content\":7}]",
        "{\"text\":\"t\",\"url\":null,\"Url\":\"u\"}",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{1:2}",
        "[}",
        "{]",
        "[\"a\"",
        "{\"k\":[1,{\"x\":tru}]}",
        "{\"k\":\"\\q\"}",
        "{\"k\":01}",
        "[1e400]",
        "{\"codeRepository\":{\"projectName\":\"p\",\"providerType\":7},\"x\":[1.0,-0,1E2]}",
        "{\"n\":\"\\u0000\",\"\\u0000k\":[\"\\u0000\"]}"};
    static constexpr const char* kInvalidUtf8[] = {"\x80",
                                                   "\xBF",
                                                   "\xC0\xAF",
                                                   "\xC1\x81",
                                                   "\xC3",
                                                   "\xE2\x82",
                                                   "\xED\xA0\x80",
                                                   "\xF4\x90\x80\x80",
                                                   "\xF8\x88\x80\x80\x80",
                                                   "\xFF",
                                                   "\xFE"};
    static constexpr const char* kEscapes[] = {"\\u0000",
                                               "\\u0041",
                                               "\\u00e9",
                                               "\\u20AC",
                                               "\\ud83d\\ude00",
                                               "\\uD800",
                                               "\\uDC00",
                                               "\\uD800\\u0041",
                                               "\\uDBFF\\uDFFF",
                                               "\\\"",
                                               "\\\\",
                                               "\\/",
                                               "\\b\\f\\n\\r\\t",
                                               "\\x",
                                               "\\u12",
                                               "\\U0041",
                                               "\n",
                                               "\x01",
                                               "\x1F",
                                               "\x7F"};

    // Inserts `what` just after a random double quote (mostly inside a string, but not
    // always: a closing quote puts it outside).
    void insert_in_string(std::string& body, std::string_view what) {
        std::vector<std::size_t> quotes;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '"') quotes.push_back(i);
        }
        if (quotes.empty()) {
            body.insert(below(body.size() + 1), what);
            return;
        }
        body.insert(quotes[below(quotes.size())] + 1, what);
    }

    void break_structure(std::string& body) {
        static constexpr const char* kEdits[] = {",]", ",}", "]", "}",  "[",    "{",
                                                 ":",  ",",  " ", "\"", "\x00", "x"};
        std::vector<std::size_t> structural;
        for (std::size_t i = 0; i < body.size(); ++i) {
            const char c = body[i];
            if (c == ',' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']') {
                structural.push_back(i);
            }
        }
        if (structural.empty()) return;
        const std::size_t at = structural[below(structural.size())];
        const std::size_t edit = below(std::size(kEdits));
        const std::string_view text(kEdits[edit], edit == 10 ? 1 : std::strlen(kEdits[edit]));
        if (below(2) == 0) {
            body.replace(at, 1, text);
        } else {
            body.insert(at, text);
        }
    }

    std::string top_level(const std::string& body) {
        switch (below(16)) {
            case 0:
                return "[" + body + "]";
            case 1:
                return "\"" + body.substr(0, 10) + "\"";
            case 2:
                return "123";
            case 3:
                return "null";
            case 4:
                return "";
            case 5:
                return " \t\r\n ";
            case 6:
                return body + " x";
            case 7:
                return body + std::string("\0{garbage", 9);
            case 8:
                return "\xEF\xBB\xBF" + body;
            case 9:
                return "\xEF\xBB" + body;
            case 10:
                return " \t\n" + body + "\r\n ";
            case 11:
                return body + "}";
            case 12:
                return body.empty() ? body : body.substr(1);
            case 13:
                return body + body;
            case 14:
                return "123" + body;
            default:
                return body + std::string("\0", 1);
        }
    }

    // A member or element of the document, by its container and its key or index.
    struct Slot {
        const json* container;
        std::string key;
        std::size_t index;
    };

    static void collect(const json& j, std::vector<Slot>& slots) {
        if (j.is_object()) {
            for (auto it = j.begin(); it != j.end(); ++it) {
                slots.push_back({&j, it.key(), 0});
                collect(it.value(), slots);
            }
        } else if (j.is_array()) {
            for (std::size_t i = 0; i < j.size(); ++i) {
                slots.push_back({&j, {}, i});
                collect(j[i], slots);
            }
        }
    }

    enum class Edit { kReplace, kDuplicateBefore, kDuplicateAfter, kRepeat, kRemove, kRenameKey };

    // Serializes `j` as dump() does, except at `slot`, where `edit` happens with `raw`.
    static void write(const json& j, const Slot& slot, Edit edit, const std::string& raw,
                      std::string& out) {
        if (!j.is_object() && !j.is_array()) {
            out += j.dump();
            return;
        }
        const bool object = j.is_object();
        out += object ? '{' : '[';
        bool first = true;
        const auto member = [&](const std::string* key, const std::string& value_text) {
            if (!first) out += ',';
            first = false;
            if (key != nullptr) out += json(*key).dump() + ":";
            out += value_text;
        };
        std::size_t i = 0;
        for (auto it = j.begin(); it != j.end(); ++it, ++i) {
            const std::string key = object ? it.key() : std::string();
            std::string value;
            write(it.value(), slot, edit, raw, value);
            const bool here = slot.container == &j && (object ? key == slot.key : i == slot.index);
            const std::string* k = object ? &key : nullptr;
            if (!here) {
                member(k, value);
                continue;
            }
            switch (edit) {
                case Edit::kReplace:
                    member(k, raw);
                    break;
                case Edit::kDuplicateBefore:
                    member(k, raw);
                    member(k, value);
                    break;
                case Edit::kDuplicateAfter:
                    member(k, value);
                    member(k, raw);
                    break;
                case Edit::kRepeat:
                    member(k, value);
                    member(k, value);
                    break;
                case Edit::kRemove:
                    break;
                case Edit::kRenameKey:
                    if (!first) out += ',';
                    first = false;
                    if (object) out += raw + ":";
                    out += value;
                    break;
            }
        }
        out += object ? '}' : ']';
    }

    // A key spelled with escapes: each character as \u00XX, or one of them.
    std::string escaped_key(const std::string& key) {
        std::string out = "\"";
        const bool all = below(2) == 0;
        const std::size_t one = below(key.size());
        for (std::size_t i = 0; i < key.size(); ++i) {
            if (all || i == one) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(key[i]));
                out += buf;
            } else {
                out += key[i];
            }
        }
        return out + "\"";
    }

    std::string nested(std::size_t depth) {
        std::string out;
        if (below(2) == 0) {
            out.append(depth, '[');
            out += "1";
            out.append(depth, ']');
        } else {
            for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
            out += "\"x\"";
            out.append(depth, '}');
        }
        return out;
    }

    std::string edit_member(const json& dom, std::string& kind) {
        std::vector<Slot> slots;
        collect(dom, slots);
        if (slots.empty()) {
            kind = "top level changed";
            return top_level(dom.dump());
        }
        const Slot& slot = slots[below(slots.size())];
        const bool in_object = slot.container->is_object();
        std::string raw;
        Edit edit = Edit::kReplace;
        switch (below(8)) {
            case 0:
            case 1:
            case 2:
                kind = "value replaced";
                raw = one_of(kValues);
                break;
            case 3:
                kind = "value made null";
                raw = "null";
                break;
            case 4:
                kind = "member duplicated";
                edit = below(3) == 0   ? Edit::kRepeat
                       : below(2) == 0 ? Edit::kDuplicateBefore
                                       : Edit::kDuplicateAfter;
                raw = one_of(kValues);
                break;
            case 5:
                kind = "member removed";
                edit = Edit::kRemove;
                break;
            case 6: {
                static constexpr std::size_t kDepths[] = {2, 64, 1023, 1025, 3000};
                kind = "deep nesting";
                raw = nested(one_of(kDepths));
                break;
            }
            default:
                if (in_object) {
                    kind = "key escaped";
                    edit = Edit::kRenameKey;
                    raw = escaped_key(slot.key);
                } else {
                    kind = "element made empty";
                    raw = below(2) == 0 ? "{}" : "[]";
                }
                break;
        }
        std::string out;
        write(dom, slot, edit, raw, out);
        return out;
    }

    std::mt19937_64 rng_;
};

}  // namespace

std::vector<Mutation> mutations_of(const std::string& base, std::uint64_t seed, std::size_t count) {
    const json dom = json::parse(base, nullptr, /*allow_exceptions=*/false);
    const json* parsed = dom.is_discarded() ? nullptr : &dom;
    Mutator mutator(seed);
    std::vector<Mutation> mutations(count);
    for (Mutation& m : mutations) m.body = mutator.mutate(base, parsed, m.kind);
    return mutations;
}

}  // namespace codeguru::test
