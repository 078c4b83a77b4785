#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "aws/api_error.hpp"
#include "codeguru/finding.hpp"

namespace codeguru {

struct ParsedFindingsPage {
    FindingsPage page;
    // Members that had the wrong type and were left out, one line each (never fatal).
    std::vector<std::string> warnings;
    std::size_t invalid_utf8_replaced = 0;  // byte sequences replaced with U+FFFD
};

// Maps one wire `Finding` object to the model: every member of the API shape,
// timestamps from epoch seconds or ISO-8601 strings, absent members left absent,
// unknown members ignored. A member of the wrong type is left out with a warning.
Finding finding_from_json(const nlohmann::json& object, std::vector<std::string>& warnings);

// Parses a whole GetFindings body. Invalid UTF-8 is replaced before parsing so that a
// bad byte costs one character, not the page. Throws MalformedResponseError.
// `expected_findings` (the maxResults asked for) sizes the list once.
ParsedFindingsPage parse_findings_page(std::string_view body, std::size_t expected_findings = 0);

// ListScans: the scan names on one page, and the next token.
struct ScanNamesPage {
    std::vector<std::string> scan_names;
    std::optional<std::string> next_token;
};
ScanNamesPage parse_scans_page(std::string body);

}  // namespace codeguru
