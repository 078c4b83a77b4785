#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "codeguru/finding.hpp"

namespace codeguru {

// The warnings a page keeps; the rest are only counted, so that a hostile page cannot
// turn into millions of log lines.
constexpr std::size_t kMaxWarningsPerPage = 20;

struct ParsedFindingsPage {
    FindingsPage page;
    // Members that had the wrong type and were left out, one line each (never fatal);
    // the first kMaxWarningsPerPage of them.
    std::vector<std::string> warnings;
    std::size_t more_warnings = 0;          // warnings past the first kMaxWarningsPerPage
    std::size_t invalid_utf8_replaced = 0;  // byte sequences replaced with U+FFFD
};

// A page with more entries than the maxResults asked for: the API breaks its contract,
// and asking again would not mend it. The message names the operation and the limit.
class OversizedPageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Maps one wire `Finding` object to the model: every member of the API shape,
// timestamps from epoch seconds or ISO-8601 strings, absent members left absent,
// unknown members ignored. A member of the wrong type is left out with a warning.
Finding finding_from_json(const nlohmann::json& object, std::vector<std::string>& warnings);

// Parses a whole GetFindings body. Invalid UTF-8 is replaced before parsing so that a
// bad byte costs one character, not the page. Throws MalformedResponseError, and
// OversizedPageError when `findings` holds more than `max_findings` entries (the
// maxResults asked for; 0: no limit), having mapped at most `max_findings` of them.
ParsedFindingsPage parse_findings_page(std::string_view body, std::size_t max_findings = 0);

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
