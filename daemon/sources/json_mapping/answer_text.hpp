#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace codeguru::json_mapping::ondemand {

// An answer's text, and how many bytes after it may be read: the capacity its string holds
// beyond it. With simdjson's padding there (the transport leaves aws::kBodyReadAhead), the
// text is read where it stands; otherwise it is first copied into a padded buffer. What
// those bytes hold does not matter: simdjson says so of its padding, and the mapper's own
// readers never take a byte from past the text's end.
struct AnswerText {
    AnswerText(const std::string& body) : text(body), spare(body.capacity() - body.size()) {}
    AnswerText(std::string_view body) : text(body) {}
    AnswerText(const char* body) : text(body) {}

    std::string_view text;
    std::size_t spare = 0;
};

}  // namespace codeguru::json_mapping::ondemand
