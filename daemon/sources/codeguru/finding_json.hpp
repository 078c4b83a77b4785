#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "sources/codeguru/finding.hpp"
#include "sources/json_mapping/answer_text.hpp"
#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru {

// A GetFindings page, with the warnings of its mapping (sources/json_mapping).
using ParsedFindingsPage = ParsedAnswer<FindingsPage>;

// Maps one wire `Finding` object to the model, through the same mapper as a page: every
// member of the API shape, timestamps from epoch seconds or ISO-8601 strings, absent members
// left absent, unknown members ignored. A member of the wrong type is left out with a
// warning; past kMaxWarningsPerPage, the last warning says how many more there were. A
// value that is not an object maps nothing.
Finding finding_from_json(const nlohmann::json& object, std::vector<std::string>& warnings);

// Parses a whole GetFindings body. Invalid UTF-8 is replaced before parsing so that a
// bad byte costs one character, not the page. Throws MalformedResponseError, and
// OversizedPageError when `findings` holds more than `max_findings` entries (the
// maxResults asked for; 0: no limit), having mapped at most `max_findings` of them.
// A body from the transport, with room after it, is read where it stands
// (json_mapping::ondemand::AnswerText).
ParsedFindingsPage parse_findings_page(json_mapping::ondemand::AnswerText body,
                                       std::size_t max_findings = 0);

// Gives a page's findings, once used, for parse_findings_page() to map later pages into:
// their strings and lists are reused instead of allocated again (json_mapping/entry_pool.hpp).
// REQUIRES: findings as parse_findings_page() made them; a later page resets only what the
// mapping fills.
void recycle_findings(std::vector<Finding>&& findings);

// ListScans: the scan names on one page, and the next token.
struct ScanNamesPage {
    std::vector<std::string> scan_names;
    std::optional<std::string> next_token;
};
// Throws MalformedResponseError, and OversizedPageError when `summaries` holds more than
// `max_scans` entries (0: no limit), having kept at most `max_scans` names. Members other
// than the scan names and the token are skipped, not stored.
ScanNamesPage parse_scans_page(std::string body, std::size_t max_scans = 0);

}  // namespace codeguru
