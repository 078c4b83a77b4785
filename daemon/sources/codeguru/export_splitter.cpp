#include "sources/codeguru/export_splitter.hpp"

#include <algorithm>

namespace codeguru {
namespace {

constexpr std::string_view kBatchPrefix = "{\"findings\":[";
constexpr std::string_view kBatchSuffix = "]}";
constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";
constexpr std::size_t kKeyKept = 16;  // enough to tell `findings` from longer keys

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string describe(char c) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        static constexpr char kHex[] = "0123456789abcdef";
        const auto u = static_cast<unsigned char>(c);
        return std::string("byte 0x") + kHex[u >> 4] + kHex[u & 15];
    }
    return std::string("'") + c + "'";
}

}  // namespace

ExportLocation ExportPageText::locate(std::size_t position) const {
    ExportLocation where = start;
    if (position <= synthetic_prefix) return where;
    const std::size_t p = std::min(position - synthetic_prefix, file_bytes);
    const auto first = text.begin() + static_cast<std::ptrdiff_t>(synthetic_prefix);
    where.offset += p;
    where.line +=
        static_cast<std::uint64_t>(std::count(first, first + static_cast<std::ptrdiff_t>(p), '\n'));
    if (gap_bytes > 0 && position >= gap_at) {
        where.offset += gap_bytes;
        where.line += gap_lines;
    }
    return where;
}

ExportSplitter::ExportSplitter(std::size_t batch_size) : batch_size_(batch_size) {}

void ExportSplitter::fail(const std::string& what) const {
    throw ExportFormatError(what, at_);
}

void ExportSplitter::flush_batch(std::vector<ExportPageText>& out) {
    if (batch_count_ > 0) {
        ExportPageText page;
        page.text.reserve(kBatchPrefix.size() + batch_.size() + kBatchSuffix.size());
        page.text += kBatchPrefix;
        page.text += batch_;
        page.text += kBatchSuffix;
        page.synthetic_prefix = kBatchPrefix.size();
        page.file_bytes = batch_.size();
        page.start = batch_start_;
        out.push_back(std::move(page));
    }
    batch_.clear();
    batch_count_ = 0;
}

void ExportSplitter::end_element() {
    if (!element_seen_) fail("an empty element in the findings array");
    element_seen_ = false;
    ++batch_count_;
    ++findings_;
}

void ExportSplitter::feed(std::string_view chunk, std::vector<ExportPageText>& out) {
    std::size_t i = 0;
    if (!bom_checked_) {
        bom_checked_ = true;
        if (chunk.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
            i = kByteOrderMark.size();
            at_.offset += i;
        }
    }
    // Bytes since `span` go to `sink` (the wrapper, the batch or nowhere), appended in spans
    // rather than byte by byte.
    std::string* sink = open_.empty() ? nullptr : in_findings_ ? &batch_ : &wrapper_.text;
    std::size_t span = i;
    const auto append_to = [&](std::size_t to) {
        if (sink != nullptr) sink->append(chunk.data() + span, to - span);
        span = to;
        if (sink == &wrapper_.text && wrapper_.text.size() > kMaxWrapperBytes) {
            fail("a document holds more than " + std::to_string(kMaxWrapperBytes) +
                 " bytes outside its findings array");
        }
    };
    for (; i < chunk.size(); ++i, ++at_.offset) {
        const char c = chunk[i];
        if (in_string_) {
            if (escape_) {
                escape_ = false;
            } else if (c == '\\') {
                escape_ = true;
            } else if (c == '"') {
                in_string_ = false;
                if (key_open_) {
                    key_open_ = false;
                    after_findings_key_ = key_ == "findings";
                }
            } else if (key_open_ && key_.size() < kKeyKept) {
                key_ += c;
            }
            if (c == '\n') ++at_.line;
            continue;
        }
        if (is_space(c)) {
            if (c == '\n') ++at_.line;
            continue;
        }
        const bool at_element_level = in_findings_ && open_.size() == findings_depth_;
        if (open_.empty()) {
            if (c != '{') {
                fail(documents_ == 0
                         ? "not a CodeGuru export: expected '{' (a JSON object "
                           "holding `findings`), found " +
                               describe(c)
                         : "expected '{' starting the next document, found " + describe(c));
            }
            ++documents_;
            document_start_ = at_;
            wrapper_ = ExportPageText{};
            wrapper_.start = at_;
            saw_findings_ = false;
            sink = &wrapper_.text;
            span = i;
            open_.push_back('{');
            expect_key_ = true;
            continue;
        }
        switch (c) {
            case '"':
                in_string_ = true;
                if (at_element_level) element_seen_ = true;
                if (open_.size() == 1) {
                    if (expect_key_) {
                        key_open_ = true;
                        key_.clear();
                        expect_key_ = false;
                    } else {
                        after_findings_key_ = false;
                    }
                }
                break;
            case '{':
            case '[':
                if (at_element_level) element_seen_ = true;
                if (open_.size() == 1 && after_findings_key_) {
                    after_findings_key_ = false;
                    if (c == '[') {
                        if (saw_findings_) fail("a document with a second `findings` member");
                        saw_findings_ = true;
                        open_.push_back(c);
                        append_to(i + 1);
                        wrapper_.gap_at = wrapper_.text.size();
                        in_findings_ = true;
                        findings_depth_ = open_.size();
                        findings_start_ = {at_.offset + 1, at_.line};
                        batch_start_ = findings_start_;
                        element_seen_ = false;
                        sink = &batch_;
                        break;
                    }
                }
                open_.push_back(c);
                break;
            case '}':
            case ']':
                if (open_.back() != (c == '}' ? '{' : '[')) {
                    fail("unexpected " + describe(c) + ": it does not close the '" +
                         std::string(1, open_.back()) + "' open there");
                }
                if (at_element_level) {
                    // The findings array closes: its last batch, then back to the wrapper.
                    if (element_seen_) {
                        end_element();
                    } else if (trailing_comma_) {
                        fail("a trailing comma in the findings array");
                    }
                    append_to(i);
                    flush_batch(out);
                    in_findings_ = false;
                    trailing_comma_ = false;
                    wrapper_.gap_bytes = at_.offset - findings_start_.offset;
                    wrapper_.gap_lines = at_.line - findings_start_.line;
                    sink = &wrapper_.text;
                    span = i;
                }
                open_.pop_back();
                if (open_.empty()) {
                    append_to(i + 1);
                    sink = nullptr;
                    if (!saw_findings_) {
                        throw ExportFormatError(
                            "not a CodeGuru export: the document has no `findings` array",
                            document_start_);
                    }
                    wrapper_.synthetic_prefix = 0;
                    wrapper_.file_bytes = wrapper_.text.size();
                    out.push_back(std::move(wrapper_));
                    wrapper_ = ExportPageText{};
                }
                break;
            case ',':
                if (open_.size() == 1) {
                    expect_key_ = true;
                    after_findings_key_ = false;
                } else if (at_element_level) {
                    end_element();
                    trailing_comma_ = true;
                    if (batch_count_ == batch_size_) {
                        append_to(i);
                        flush_batch(out);
                        span = i + 1;
                        batch_start_ = {at_.offset + 1, at_.line};
                    }
                }
                break;
            default:
                if (at_element_level) {
                    element_seen_ = true;
                }
                if (open_.size() == 1 && c != ':') after_findings_key_ = false;
                break;
        }
        if (at_element_level && c != ',') trailing_comma_ = false;
    }
    append_to(chunk.size());
}

void ExportSplitter::finish() {
    if (!open_.empty()) {
        throw ExportFormatError(
            std::string("truncated: the input ends inside ") + (in_string_ ? "a string of " : "") +
                "the document that starts at byte " + std::to_string(document_start_.offset) +
                " (line " + std::to_string(document_start_.line) + ")",
            at_);
    }
    if (documents_ == 0) fail("no JSON document: the input is empty");
}

}  // namespace codeguru
