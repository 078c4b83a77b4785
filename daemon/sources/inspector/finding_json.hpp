#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "sources/inspector/inspector_finding.hpp"
#include "sources/json_mapping/answer_text.hpp"
#include "sources/json_mapping/parsed_answer.hpp"

namespace codeguru::inspector {

// Amazon Inspector's JSON answers (SPEC §10.1) mapped to the model by the page mapper
// (sources/json_mapping/ondemand_mapper.hpp), with its tolerance: a member of the wrong
// type is left out with a warning naming its path ("finding \"arn:...\":
// codeVulnerabilityDetails.filePath.startLine is string, expected an integer; left out");
// null is absent; a repeated member's last value wins; unknown members are skipped.
// Invalid UTF-8 is replaced with U+FFFD before parsing. Text keeps NUL characters, for the
// store to replace as it does CodeGuru's; `Resource::tags_json` and `details_json` (jsonb)
// get U+FFFD for them here, with a warning, since they reach the store as JSON text.

using ParsedFindingsPage = ParsedAnswer<FindingsPage>;

// As ParsedAnswer<SnippetBatch>, its answer named for what it is.
struct ParsedSnippetBatch {
    SnippetBatch batch;
    std::vector<std::string> warnings;      // the first kMaxWarningsPerPage
    std::size_t more_warnings = 0;          // warnings past the first kMaxWarningsPerPage
    std::size_t invalid_utf8_replaced = 0;  // byte sequences replaced with U+FFFD
};

// Maps one wire `Finding` object to the model through the same mapper as a page; a value
// that is not an object maps nothing. Past kMaxWarningsPerPage, the last warning says how
// many more there were.
Finding finding_from_json(const nlohmann::json& object, std::vector<std::string>& warnings);

// Parses a whole ListFindings body `{"findings": [...], "nextToken": "..."}` (a page may be
// empty with a token). A finding without findingArn is kept, for the caller to reject and
// count (SPEC §5). Throws aws::MalformedResponseError, and OversizedPageError when
// `findings` holds more than `max_findings` entries (the maxResults asked for; 0: no limit),
// having mapped at most `max_findings` of them.
// A body from the transport, with room after it, is read where it stands
// (json_mapping::ondemand::AnswerText).
ParsedFindingsPage parse_findings_page(json_mapping::ondemand::AnswerText body,
                                       std::size_t max_findings = 0);

// Gives a page's findings, once used, for parse_findings_page() to map later pages into:
// their strings and lists are reused instead of allocated again (json_mapping/entry_pool.hpp).
// REQUIRES: findings as parse_findings_page() made them; a later page resets only what the
// mapping fills.
void recycle_findings(std::vector<Finding>&& findings);

// Parses a BatchGetCodeSnippet body `{"codeSnippetResults": [...], "errors": [...]}`. A
// result or error without a findingArn is left out with a warning; an error without an
// errorCode keeps an empty one. Throws aws::MalformedResponseError.
ParsedSnippetBatch parse_snippet_batch(json_mapping::ondemand::AnswerText body);

}  // namespace codeguru::inspector
