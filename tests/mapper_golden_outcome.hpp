#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sources/json_mapping/answer_text.hpp"

// What the page mappers make of a body, in a canonical text form, for the mapper golden
// test (mapper_golden_test.cpp): two outcomes are the same exactly when their forms are.

namespace codeguru::test {

// The answers a body is read as, under their operations' names.
enum class Answer { kGetFindings, kListFindings, kBatchGetCodeSnippet };

std::string_view answer_name(Answer answer);
std::optional<Answer> answer_named(std::string_view name);

// What the source's public parse function makes of `body` read as `answer`, with
// `max_entries` the maxResults asked for (0: no limit; REQUIRES: 0 for a snippet batch,
// whose parse function has no limit): every field of the model, absent distinct from empty
// and text length-prefixed; then the kept warnings, the count past them and the U+FFFD
// count. Or, when the parse throws, the error's class and message. With `recycle`, the
// findings are then given back (recycle_findings), for the next parse to map into. A body
// in a string with room after it is read where it stands (AnswerText), as the daemon reads
// what its transport received.
std::string canonical_outcome(Answer answer, json_mapping::ondemand::AnswerText body,
                              std::size_t max_entries, bool recycle = false);

// 64-bit FNV-1a: the digest the golden file keeps of an input and of its outcome.
std::uint64_t fnv1a64(std::string_view text);
std::string hex16(std::uint64_t value);  // 16 lowercase hex digits

// `text` with bytes outside printable ASCII as \xNN, cut after `limit` bytes.
std::string printable(std::string_view text, std::size_t limit = 400);

}  // namespace codeguru::test
