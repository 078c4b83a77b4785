#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sources/codeguru/finding.hpp"
#include "util/timestamp.hpp"

namespace codeguru::store {

// The tables a page's rows go to, each row of a child table naming its finding.
enum class PageTable { kFindings, kTags, kLines, kFixes, kUrls, kRelated };

// Receives a page's rows as map_page() emits them: begin(), then the row's fields in the
// order of its table's columns (kFindingColumns, kTagColumns, ...), then end(). Text arrives
// sanitized.
class PageRowSink {
  public:
    virtual ~PageRowSink() = default;
    // A row of `table` for the finding `id`, the `position`-th (from 1) finding kept.
    virtual void begin(PageTable table, std::int64_t position, std::string_view id) = 0;
    virtual void text(std::string_view value) = 0;
    virtual void integer(std::int64_t value) = 0;
    virtual void timestamp(Timestamp value) = 0;
    virtual void null() = 0;
    virtual void end() = 0;
};

// Each table's columns, in the order of the fields map_page() emits after begin(); the key
// columns (scan_name, finding_id) come before them and are not listed.
// clang-format off
inline constexpr const char* kFindingColumns[] = {
    "created_at", "updated_at", "title", "description", "type", "status", "severity",
    "generator_id", "detector_id", "detector_name", "rule_id", "resource_id",
    "sub_resource_id", "vulnerability_id", "item_count", "file_name", "file_path",
    "start_line", "end_line", "recommendation_text", "recommendation_url"};
inline constexpr const char* kTagColumns[] = {"tag", "ordinal"};
inline constexpr const char* kLineColumns[] = {"line_number", "content"};
inline constexpr const char* kFixColumns[] = {"ordinal", "description", "code"};
inline constexpr const char* kUrlColumns[] = {"ordinal", "url"};
inline constexpr const char* kRelatedColumns[] = {"ordinal", "related_id"};
// clang-format on

// Which findings of a page are kept, in page order: those with an id; of findings sharing
// an id, the one with the newest updated_at (on a tie, the later one in the page).
struct PageSelection {
    std::vector<std::size_t> kept;  // positions in the page, ascending
    std::vector<std::string> ids;   // by position in the page: the id as stored (sanitized)
    int rejected = 0;               // findings without an id: left out
    int duplicates = 0;             // findings whose id came again in the page: left out
};

// Pure apart from a warning logged for each finding without an id; `scan` only names the
// page in it.
PageSelection select_page(std::string_view scan, const std::vector<Finding>& page,
                          Timestamp sync_time);

// Emits the kept findings and their children to `sink`, in page order. Absent members are
// nulls; updated_at falls back to createdAt, then to the sync time. Detector tags and code
// line numbers are deduplicated (first kept); tags, fixes, reference URLs and related
// vulnerabilities are numbered from 1 in page order. NUL and invalid UTF-8 become U+FFFD,
// with a warning per finding naming the members; returns how many sequences were replaced.
std::size_t map_page(std::string_view scan, const std::vector<Finding>& page,
                     const PageSelection& selection, Timestamp sync_time, PageRowSink& sink);

}  // namespace codeguru::store
