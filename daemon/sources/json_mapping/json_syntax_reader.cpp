#include "sources/json_mapping/json_syntax_reader.hpp"

#include "sources/json_mapping/json_lexer.hpp"

namespace codeguru::json_mapping {
namespace {

void write_scalar(JsonTextWriter& writer, const Scalar& s, const char* begin, const char* end) {
    switch (s.kind) {
        case Scalar::Kind::kNull:
            return writer.null();
        case Scalar::Kind::kBoolean:
            return writer.boolean(s.boolean);
        case Scalar::Kind::kSigned:
            return writer.integer(s.signed_value);
        case Scalar::Kind::kUnsigned:
            return writer.integer(s.unsigned_value);
        case Scalar::Kind::kFloat:
            return writer.number(std::string_view(begin, static_cast<std::size_t>(end - begin)));
        case Scalar::Kind::kString:
            return writer.string(*s.text);
    }
}

}  // namespace

const char* JsonSyntaxReader::read_value(const char* p, const char* end, JsonTextWriter* writer) {
    open_.clear();
    std::string* const text = writer != nullptr ? &text_ : nullptr;
    enum class Expect { kValue, kKey, kAfterValue } expect = Expect::kValue;
    while (true) {
        switch (expect) {
            case Expect::kValue: {
                if (p >= end) return nullptr;
                const char c = *p;
                if (c == '{' || c == '[') {
                    const bool array = c == '[';
                    if (writer != nullptr) writer->open(array);
                    open_.push_back(c);
                    complete_ = ++p;
                    p = skip_json_whitespace(p, end);
                    if (p < end && *p == (array ? ']' : '}')) {
                        if (writer != nullptr) writer->close();
                        open_.pop_back();
                        ++p;
                        expect = Expect::kAfterValue;
                    } else {
                        expect = array ? Expect::kValue : Expect::kKey;
                    }
                    break;
                }
                // Most strings hold no escape: written as they stand, not unescaped first.
                std::string_view plain;
                if (writer != nullptr && c == '"' && plain_string(p, end, plain)) {
                    writer->plain_string(plain);
                    p = plain.data() + plain.size() + 1;
                    expect = Expect::kAfterValue;
                    break;
                }
                Scalar s{Scalar::Kind::kNull};
                const char* after = lex_scalar(p, end, s, text);
                if (after == nullptr) return nullptr;
                if (writer != nullptr) write_scalar(*writer, s, p, after);
                p = after;
                expect = Expect::kAfterValue;
                break;
            }
            case Expect::kKey: {
                if (p >= end || *p != '"') return nullptr;
                const char* after = nullptr;
                std::string_view plain;
                if (writer != nullptr && plain_string(p, end, plain)) {
                    writer->plain_key(plain);
                    after = plain.data() + plain.size() + 1;
                } else {
                    if (text != nullptr) text->clear();
                    after = lex_string(p, end, text);
                    if (after == nullptr) return nullptr;
                    if (writer != nullptr) writer->key(*text);
                }
                p = skip_json_whitespace(after, end);
                if (p >= end || *p != ':') return nullptr;
                p = skip_json_whitespace(p + 1, end);
                expect = Expect::kValue;
                break;
            }
            case Expect::kAfterValue: {
                if (open_.empty()) return p;
                complete_ = p;
                p = skip_json_whitespace(p, end);
                if (p >= end) return nullptr;
                const bool in_array = open_.back() == '[';
                if (*p == ',') {
                    p = skip_json_whitespace(p + 1, end);
                    expect = in_array ? Expect::kValue : Expect::kKey;
                } else if (*p == (in_array ? ']' : '}')) {
                    if (writer != nullptr) writer->close();
                    open_.pop_back();
                    ++p;
                } else {
                    return nullptr;
                }
                break;
            }
        }
    }
}

JsonSyntaxReader::DocumentCheck JsonSyntaxReader::check_document(std::string_view body) {
    DocumentCheck check;
    const char* const begin = body.data();
    const char* const end = begin + body.size();
    const char* p = begin;
    // nlohmann skips a byte order mark, and only a whole one, before anything else.
    if (p < end && static_cast<unsigned char>(*p) == 0xEF) {
        if (body.substr(0, 3) != "\xEF\xBB\xBF") return check;
        p += 3;
    }
    p = skip_json_whitespace(p, end);
    complete_ = nullptr;
    const char* after = read_value(p, end, nullptr);
    if (after != nullptr) {
        const char* rest = skip_json_whitespace(after, end);
        if (rest == end || *rest == '\0') {
            check.valid = true;
            check.length = static_cast<std::size_t>(rest - begin);
            return check;
        }
        open_.clear();
        complete_ = after;
    }
    if (complete_ == nullptr) return check;
    check.has_prefix = true;
    check.prefix_length = static_cast<std::size_t>(complete_ - begin);
    for (auto it = open_.rbegin(); it != open_.rend(); ++it) {
        check.closers.push_back(*it == '[' ? ']' : '}');
    }
    return check;
}

}  // namespace codeguru::json_mapping
