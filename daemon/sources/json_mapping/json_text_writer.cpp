#include "sources/json_mapping/json_text_writer.hpp"

#include <charconv>

#include "sources/json_mapping/json_lexer.hpp"

namespace codeguru::json_mapping {
namespace {

template <class Integer>
void append_integer(std::string& out, Integer value) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, result.ptr);
}

}  // namespace

void JsonTextWriter::start(std::string& out) {
    out.clear();
    out_ = &out;
    levels_.clear();
    nuls_ = 0;
}

void JsonTextWriter::before_value() {
    if (levels_.empty() || !levels_.back().array) return;  // in an object, key() wrote it
    if (levels_.back().has_member) out_->push_back(',');
    levels_.back().has_member = true;
}

void JsonTextWriter::open(bool array) {
    before_value();
    out_->push_back(array ? '[' : '{');
    levels_.push_back({array, false});
}

void JsonTextWriter::close() {
    out_->push_back(levels_.back().array ? ']' : '}');
    levels_.pop_back();
    if (levels_.empty()) out_ = nullptr;
}

void JsonTextWriter::before_key() {
    if (levels_.back().has_member) out_->push_back(',');
    levels_.back().has_member = true;
}

void JsonTextWriter::key(std::string_view name) {
    before_key();
    quoted(name);
    out_->push_back(':');
}

void JsonTextWriter::null() {
    before_value();
    out_->append("null");
}

void JsonTextWriter::boolean(bool value) {
    before_value();
    out_->append(value ? "true" : "false");
}

void JsonTextWriter::integer(std::int64_t value) {
    before_value();
    append_integer(*out_, value);
}

void JsonTextWriter::integer(std::uint64_t value) {
    before_value();
    append_integer(*out_, value);
}

void JsonTextWriter::number(std::string_view as_written) {
    before_value();
    out_->append(as_written);
}

void JsonTextWriter::string(std::string_view text) {
    before_value();
    quoted(text);
}

void JsonTextWriter::plain_key(std::string_view text) {
    before_key();
    plain_quoted(text);
    out_->push_back(':');
}

void JsonTextWriter::plain_string(std::string_view text) {
    before_value();
    plain_quoted(text);
}

void JsonTextWriter::plain_quoted(std::string_view text) {
    std::string& out = *out_;
    out.push_back('"');
    out.append(text);
    out.push_back('"');
}

// `"` and `\` escaped, control characters as \b \f \n \r \t or \u00XX, NUL as U+FFFD,
// everything else as it is.
void JsonTextWriter::quoted(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string& out = *out_;
    out.push_back('"');
    const char* const begin = text.data();
    const char* const end = begin + text.size();
    std::size_t plain = 0;  // start of the run not yet appended
    for (const char* at = find_special_within(begin, end); at != end;
         at = find_special_within(at + 1, end)) {
        const std::size_t i = static_cast<std::size_t>(at - begin);
        const auto c = static_cast<unsigned char>(*at);
        out.append(text, plain, i - plain);
        plain = i + 1;
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\0':
                out += "\xEF\xBF\xBD";
                ++nuls_;
                break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
                break;
        }
    }
    out.append(text, plain, text.size() - plain);
    out.push_back('"');
}

}  // namespace codeguru::json_mapping
