#pragma once

#include <string>
#include <string_view>

namespace codeguru {

// `text` on one line: runs of line breaks and tabs become one space, trailing space
// goes. For error texts (libpq's span several lines) shown in logs and on stderr.
inline std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool pending_space = false;
    for (const char c : text) {
        if (c == '\n' || c == '\r' || c == '\t') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space && c != ' ') out += ' ';
        pending_space = false;
        out += c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace codeguru
