#include "sources/json_mapping/entries_cut.hpp"

#include <algorithm>
#include <vector>

namespace codeguru::json_mapping {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_entries_key(const AnswerSpec& spec, std::string_view key) {
    return std::any_of(spec.members->members.begin(), spec.members->members.end(),
                       [&](const MemberSpec& m) { return m.as == As::kEntries && m.name == key; });
}

}  // namespace

std::optional<std::string> cut_at_extra_entry(std::string_view body, const AnswerSpec& spec,
                                              std::size_t max_entries) {
    if (max_entries == 0) return std::nullopt;
    std::vector<char> open;         // the brackets open, innermost last
    std::string_view key;           // the answer's member whose value comes next
    bool expect_key = false;        // inside the answer object, before a member's key
    bool element_next = false;      // inside a counted list, before an element
    std::size_t counted_depth = 0;  // depth of the entries list being counted, 0: none
    std::size_t count = 0;
    const char* const begin = body.data();
    const char* const end = begin + body.size();
    for (const char* p = begin; p < end; ++p) {
        const char c = *p;
        if (is_space(c)) continue;
        if (element_next) {
            element_next = false;
            if (c != ']') {
                if (count == max_entries) {
                    if (c != '{') return std::nullopt;
                    std::string cut(begin, p);
                    cut += "{}";
                    for (auto it = open.rbegin(); it != open.rend(); ++it) {
                        cut += *it == '{' ? '}' : ']';
                    }
                    return cut;
                }
                ++count;
            }
        }
        switch (c) {
            case '"': {
                const char* const start = p + 1;
                for (++p; p < end && *p != '"'; ++p) {
                    if (*p == '\\') ++p;
                }
                if (p >= end) return std::nullopt;
                if (open.size() == 1 && expect_key) {
                    key = std::string_view(start, static_cast<std::size_t>(p - start));
                    // An escaped key might still name the entries: not worth decoding here.
                    if (key.find('\\') != std::string_view::npos) return std::nullopt;
                    expect_key = false;
                }
                break;
            }
            case '{':
            case '[':
                if (open.empty() && c != '{') return std::nullopt;
                open.push_back(c);
                if (open.size() == 1) {
                    expect_key = true;
                } else if (c == '[' && open.size() == 2 && is_entries_key(spec, key)) {
                    counted_depth = 2;
                    count = 0;
                    element_next = true;
                }
                break;
            case '}':
            case ']':
                if (open.empty() || open.back() != (c == '}' ? '{' : '[')) return std::nullopt;
                if (open.size() == counted_depth) counted_depth = 0;
                open.pop_back();
                if (open.empty()) return std::nullopt;  // the answer ended within its limit
                break;
            case ',':
                if (open.size() == 1) expect_key = true;
                if (counted_depth != 0 && open.size() == counted_depth) element_next = true;
                break;
            default:
                if (open.empty()) return std::nullopt;  // a BOM, or not an object
                break;
        }
    }
    return std::nullopt;
}

}  // namespace codeguru::json_mapping
