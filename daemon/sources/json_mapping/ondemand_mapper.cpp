#include "sources/json_mapping/ondemand_mapper.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>

#include "aws/http_transport.hpp"
#include "sources/json_mapping/entries_cut.hpp"
#include "sources/json_mapping/ondemand_walker.hpp"
#include "sources/json_mapping/simdjson_ondemand.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::json_mapping::ondemand {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

static_assert(aws::kBodyReadAhead >= simdjson::SIMDJSON_PADDING,
              "a body from the transport is read in place");

// Bodies above this size are first looked through for an entry past the limit
// (entries_cut.hpp); a page of 1,000 findings with full descriptions is about 2 MB.
constexpr std::size_t kCutAboveBytes = std::size_t{16} << 20;

// What one thread keeps from page to page: simdjson's parser (its index of the structure)
// and a padded copy of a body that came without room after it, both grown to the largest
// body seen.
class ThreadParser {
  public:
    // `answer` as simdjson reads it: where it stands when its padding follows it (a page
    // from the transport), or copied into the padded buffer, the view then valid until the
    // next call. Not copying a page of megabytes saves a tenth of its parsing time.
    simdjson::padded_string_view pad(AnswerText answer) {
        const std::string_view text = answer.text;
        if (answer.spare >= simdjson::SIMDJSON_PADDING) {
            return simdjson::padded_string_view(text.data(), text.size(),
                                                text.size() + answer.spare);
        }
        const std::size_t needed = text.size() + simdjson::SIMDJSON_PADDING;
        if (needed > capacity_) {
            capacity_ = std::max(needed, capacity_ + capacity_ / 2);
            buffer_ = std::make_unique_for_overwrite<char[]>(capacity_);
        }
        std::memcpy(buffer_.get(), text.data(), text.size());
        // simdjson reads past the end; zeros there can never look like JSON.
        std::memset(buffer_.get() + text.size(), 0, simdjson::SIMDJSON_PADDING);
        return simdjson::padded_string_view(buffer_.get(), text.size(), capacity_);
    }

    simdjson::ondemand::parser parser;
    WalkScratch scratch;

  private:
    std::unique_ptr<char[]> buffer_;
    std::size_t capacity_ = 0;
};

ThreadParser& thread_parser() {
    thread_local ThreadParser parser;
    return parser;
}

struct Walked {
    WalkEnd end;
    std::string error;
};

// Walks one answer into its page as often as map_answer needs (again after repairing UTF-8,
// again over what nlohmann would have read): each walk starts from the page and warnings as
// they were before the first.
class AnswerRun {
  public:
    AnswerRun(const AnswerSpec& spec, void* page, std::vector<std::string>& warnings,
              std::size_t& more_warnings, std::size_t max_entries)
        : spec_(spec),
          page_(page),
          warnings_(warnings),
          more_warnings_(more_warnings),
          kept_before_(warnings.size()),
          more_before_(more_warnings),
          max_entries_(max_entries) {}

    Walked walk(ThreadParser& thread, AnswerText answer) {
        if (walked_) {
            reset_answer(spec_, page_);
            warnings_.resize(kept_before_);
            more_warnings_ = more_before_;
        }
        walked_ = true;
        // nlohmann skips a byte order mark at the start; simdjson would not.
        if (answer.text.substr(0, kByteOrderMark.size()) == kByteOrderMark) {
            answer.text.remove_prefix(kByteOrderMark.size());
        }
        const simdjson::padded_string_view padded = thread.pad(answer);
        simdjson::ondemand::document document;
        if (thread.parser.iterate(padded).get(document) != simdjson::SUCCESS) {
            return {WalkEnd::kSyntax, {}};
        }
        Walked walked;
        walked.end = walk_answer(document, spec_, page_, warnings_, more_warnings_, max_entries_,
                                 padded.data() + padded.length(), thread.scratch, walked.error);
        return walked;
    }

  private:
    const AnswerSpec& spec_;
    void* page_;
    std::vector<std::string>& warnings_;
    std::size_t& more_warnings_;
    const std::size_t kept_before_;
    const std::size_t more_before_;
    const std::size_t max_entries_;
    bool walked_ = false;
};

// After simdjson refused `text`: what nlohmann would have made of it. It reads events up to
// its first error, so an error of the answer's shape (or too many entries) before that point
// is the one to report. The walk is repeated over the longest prefix nlohmann read whole,
// closed where it stopped; a body nlohmann reads whole only up to a NUL byte is walked up to
// there and is a good answer.
Walked walk_as_nlohmann(ThreadParser& thread, AnswerRun& run, std::string_view text) {
    const simdjson::padded_string_view padded = thread.pad(text);
    const JsonSyntaxReader::DocumentCheck check =
        thread.scratch.reader.check_document(std::string_view(padded.data(), padded.length()));
    if (check.valid) return run.walk(thread, text.substr(0, check.length));
    if (!check.has_prefix) return {WalkEnd::kSyntax, {}};
    std::string prefix(text.substr(0, check.prefix_length));
    prefix += check.closers;
    Walked walked = run.walk(thread, prefix);
    if (walked.end == WalkEnd::kDone) walked.end = WalkEnd::kSyntax;
    return walked;
}

}  // namespace

std::size_t map_answer(AnswerText answer, const AnswerSpec& spec, void* page,
                       std::vector<std::string>& warnings, std::size_t& more_warnings,
                       std::size_t max_entries) {
    const std::string_view body = answer.text;
    ThreadParser& thread = thread_parser();
    AnswerRun run(spec, page, warnings, more_warnings, max_entries);
    if (body.size() > kCutAboveBytes) {
        if (const std::optional<std::string> cut = cut_at_extra_entry(body, spec, max_entries)) {
            // Anything but the error the cut was made for, and the body is mapped whole.
            const Walked walked = run.walk(thread, *cut);
            if (walked.end == WalkEnd::kOversized) throw OversizedPageError(walked.error);
        }
    }
    std::string_view text = body;
    std::size_t replaced = 0;
    Walked walked = run.walk(thread, answer);
    std::string repaired;
    if (walked.end == WalkEnd::kSyntax) {
        // simdjson checks UTF-8 as it indexes; only a refused body can hold bad bytes, and
        // only a body with bad bytes is copied to be repaired.
        if (!simdjson::validate_utf8(body.data(), body.size())) {
            repaired.assign(body);
            replaced = replace_invalid_utf8(repaired);
            text = repaired;
            walked = run.walk(thread, text);
        }
        if (walked.end == WalkEnd::kSyntax) walked = walk_as_nlohmann(thread, run, text);
    }
    switch (walked.end) {
        case WalkEnd::kDone:
            return replaced;
        case WalkEnd::kOversized:
            throw OversizedPageError(walked.error);
        case WalkEnd::kFatal:
            throw aws::MalformedResponseError(walked.error);
        case WalkEnd::kSyntax:
            break;
    }
    throw aws::MalformedResponseError(std::string(spec.operation) + " answer is not valid JSON (" +
                                      std::to_string(text.size()) + " bytes)");
}

}  // namespace codeguru::json_mapping::ondemand
