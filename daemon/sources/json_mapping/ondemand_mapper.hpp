#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru::json_mapping::ondemand {

// The SAX mapper's contract (sax_mapper.hpp), met with simdjson's On-Demand API: the same
// tables, the same model, warnings, errors and U+FFFD count for every body. simdjson finds
// the structure of the whole body at once (SIMD); the tables then pick the members they
// know by their raw keys and unescape text straight into the model's strings. Nesting is
// unlimited, as with nlohmann. Thread-safe: each thread keeps its own parser and buffers,
// grown to the largest body it has read, so a page allocates nothing but its model.

// Maps the answer `body` into `page`, the model object `spec` describes (REQUIRES: that
// type). Invalid UTF-8 is replaced with U+FFFD first; returns how many sequences were
// replaced. Keeps the first kMaxWarningsPerPage warnings in `warnings`, counting the rest in
// `more_warnings`. Throws aws::MalformedResponseError, and OversizedPageError when an entries
// list holds more than `max_entries` (0: no limit), mapping none past the limit.
std::size_t map_answer(std::string_view body, const AnswerSpec& spec, void* page,
                       std::vector<std::string>& warnings, std::size_t& more_warnings,
                       std::size_t max_entries);

template <class Page>
ParsedAnswer<Page> parse_answer(std::string_view body, const AnswerSpec& spec,
                                std::size_t max_entries = 0) {
    ParsedAnswer<Page> parsed;
    // Qualified: the SAX mapper's map_answer is found by argument-dependent lookup too.
    parsed.invalid_utf8_replaced = json_mapping::ondemand::map_answer(
        body, spec, &parsed.page, parsed.warnings, parsed.more_warnings, max_entries);
    return parsed;
}

}  // namespace codeguru::json_mapping::ondemand
