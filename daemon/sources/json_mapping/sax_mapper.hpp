#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru::json_mapping {

// Maps JSON straight from the parser's events (nlohmann SAX) into a model, as a source's
// member tables describe it: no JSON tree is built. Tolerant as the API's consumers must be:
// a member of the wrong type is left out with a warning naming its path within its entry
// ("finding \"f-1\": vulnerability.filePath.startLine is string, expected an integer; left
// out"); JSON null is the same as absent; a repeated member's last value wins; unknown
// members are skipped whole. Only the answer's shape itself (not an object, entries that
// are not a list, a token that is not a string, not JSON at all) is fatal.

// Maps the answer `body` into `page`, the model object `spec` describes (REQUIRES: that
// type). Invalid UTF-8 is replaced with U+FFFD before parsing, so that a bad byte costs one
// character, not the page; returns how many sequences were replaced. Keeps the first
// kMaxWarningsPerPage warnings in `warnings`, counting the rest in `more_warnings`.
// Throws aws::MalformedResponseError, and OversizedPageError when an entries list holds
// more than `max_entries` (0: no limit), stopping the parse at the first entry past it.
std::size_t map_answer(std::string_view body, const AnswerSpec& spec, void* page,
                       std::vector<std::string>& warnings, std::size_t& more_warnings,
                       std::size_t max_entries);

template <class Page>
ParsedAnswer<Page> parse_answer(std::string_view body, const AnswerSpec& spec,
                                std::size_t max_entries = 0) {
    ParsedAnswer<Page> parsed;
    parsed.invalid_utf8_replaced =
        map_answer(body, spec, &parsed.page, parsed.warnings, parsed.more_warnings, max_entries);
    return parsed;
}

// Maps one JSON object as an entry `spec` describes into `entry` (REQUIRES: that type),
// appending its warnings to `warnings`, past kMaxWarningsPerPage as a last line
// "... and N more warning(s)". A value that is not an object maps nothing.
void map_entry(const nlohmann::json& object, const ObjectSpec& spec, void* entry,
               std::vector<std::string>& warnings);

}  // namespace codeguru::json_mapping
