#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sources/codeguru/finding.hpp"
#include "sources/codeguru/page_rows.hpp"
#include "store/pg_array_literal.hpp"

namespace codeguru::store {

// A page as apply_findings_page() (schema/003) takes it: one PostgreSQL array literal per
// parameter. Element i of every finding array belongs to the i-th finding kept; child rows
// name their finding by that 1-based position.
//
// Kept: findings with an id; of findings sharing an id, the one with the newest updated_at
// (on a tie, the later one in the page). Absent members are NULL elements; updated_at falls
// back to createdAt, then to the sync time. Detector tags and code line numbers are
// deduplicated (first kept); tags, fixes, reference URLs and related vulnerabilities are
// numbered from 1 in page order. NUL and invalid UTF-8 become U+FFFD.
struct PageColumns {
    std::size_t findings = 0;   // findings kept: the length of every finding array
    int rejected = 0;           // findings without an id: left out
    int duplicates = 0;         // findings whose id came again in the page: left out
    std::size_t sanitized = 0;  // NUL or invalid UTF-8 sequences replaced with U+FFFD

    PgArrayLiteral finding_id, created_at, updated_at, title, description, type, status, severity,
        generator_id, detector_id, detector_name, rule_id, resource_id, sub_resource_id,
        vulnerability_id, item_count, file_name, file_path, start_line, end_line,
        recommendation_text, recommendation_url;

    PgArrayLiteral tag_finding, tag, tag_ordinal;
    PgArrayLiteral line_finding, line_number, line_content;
    PgArrayLiteral fix_finding, fix_ordinal, fix_description, fix_code;
    PgArrayLiteral url_finding, url_ordinal, url;
    PgArrayLiteral related_finding, related_ordinal, related_id;
};

// Pure apart from warnings logged for rejected findings and replaced text; `scan` only
// names the page in them.
PageColumns page_to_columns(std::string_view scan, const std::vector<Finding>& page,
                            Timestamp sync_time);

// The same for a page whose findings were selected already (select_page()).
PageColumns page_to_columns(std::string_view scan, const std::vector<Finding>& page,
                            const PageSelection& selection, Timestamp sync_time);

}  // namespace codeguru::store
