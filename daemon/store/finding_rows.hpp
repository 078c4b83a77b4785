#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "codeguru/finding.hpp"

namespace codeguru::store {

// What page_to_rows() did besides converting.
struct RowStats {
    int rejected = 0;           // findings without an id: skipped
    std::size_t sanitized = 0;  // NUL or invalid UTF-8 sequences replaced with U+FFFD
};

// Converts a page into the jsonb rows that apply_findings_page() stores (schema/001): one
// object per finding with an id, named after the findings columns, plus the child arrays
// detector_tags, code_lines, suggested_fixes, reference_urls and related_vulnerabilities
// (always arrays, empty when absent; tags and code line numbers deduplicated, first kept).
// Absent members are null; updated_at falls back to created_at, then sync_time. Pure apart
// from warnings logged for rejected findings and replaced text; `scan` only names the page.
nlohmann::json page_to_rows(std::string_view scan, const std::vector<Finding>& page,
                            Timestamp sync_time, RowStats& stats);


}  // namespace codeguru::store
