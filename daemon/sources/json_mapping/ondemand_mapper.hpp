#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "sources/json_mapping/answer_text.hpp"
#include "sources/json_mapping/entry_pool.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru::json_mapping::ondemand {

// Maps an API answer into a model as a source's member tables describe it, with simdjson's
// On-Demand API: no JSON tree is built. simdjson finds the structure of the whole body at
// once (SIMD); the tables then pick the members they know by their raw keys and unescape
// text straight into the model's strings. Tolerant as the API's consumers must be: a member
// of the wrong type is left out with a warning naming its path within its entry ("finding
// \"f-1\": vulnerability.filePath.startLine is string, expected an integer; left out");
// JSON null is the same as absent; a repeated member's last value wins; unknown members are
// skipped whole, though still checked as JSON. Only the answer's shape itself (not an object,
// entries that are not a list, a token that is not a string, not JSON at all) is fatal. The
// JSON accepted is exactly nlohmann_json 3.11's (json_lexer.hpp), at any depth; the outcome
// of every body the golden test knows is pinned (tests/data/mapper_golden), mapped into a
// new model and into one reused from the bodies before. Thread-safe: each thread keeps its
// own parser and buffers, grown to the largest body it has read; and a model given back
// once used (the sources' recycle_findings) is mapped into again, its strings and lists
// overwritten where they stand, so that a page like the one before allocates almost nothing.

// Maps the answer `body` into `page`, the model object `spec` describes (REQUIRES: that
// type). `page` may hold what an earlier mapping left in it: the outcome is the same as in
// a new one. Invalid UTF-8 is replaced with U+FFFD first; returns how many sequences were
// replaced. Keeps the first kMaxWarningsPerPage warnings in `warnings`, counting the rest in
// `more_warnings`. Throws aws::MalformedResponseError, and OversizedPageError when an entries
// list holds more than `max_entries` (0: no limit), mapping none past the limit.
std::size_t map_answer(AnswerText body, const AnswerSpec& spec, void* page,
                       std::vector<std::string>& warnings, std::size_t& more_warnings,
                       std::size_t max_entries);

template <class Page>
ParsedAnswer<Page> parse_answer(AnswerText body, const AnswerSpec& spec,
                                std::size_t max_entries = 0) {
    ParsedAnswer<Page> parsed;
    parsed.invalid_utf8_replaced =
        map_answer(body, spec, &parsed.page, parsed.warnings, parsed.more_warnings, max_entries);
    return parsed;
}

// The same, mapping the page's `entries` into a list given back to `pool` by a page before.
template <class Page, class Entry>
ParsedAnswer<Page> parse_answer(AnswerText body, const AnswerSpec& spec, std::size_t max_entries,
                                std::vector<Entry> Page::*entries, EntryPool<Entry>& pool) {
    ParsedAnswer<Page> parsed;
    parsed.page.*entries = pool.take();
    parsed.invalid_utf8_replaced =
        map_answer(body, spec, &parsed.page, parsed.warnings, parsed.more_warnings, max_entries);
    return parsed;
}

}  // namespace codeguru::json_mapping::ondemand
