#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "sources/inspector/inspector_finding.hpp"
#include "sources/inspector/snippet_request.hpp"
#include "store/page_counts.hpp"
#include "util/timestamp.hpp"

namespace codeguru::inspector {

// The filter a stream's passes list findings with ([inspector] finding_type, account,
// status): a full pass marks missing only the stream's findings within it. An empty list
// means any; status is ACTIVE, SUPPRESSED, CLOSED or All.
struct InspectorScope {
    std::vector<std::string> types;
    std::vector<std::string> accounts;
    std::string status = "All";
};

// What one page did: counts as store::PageCounts (seen = inserted + updated + unchanged +
// rejected; a repeated ARN counts as unchanged), and the snippets the page made pending (the
// new or newer CODE_VULNERABILITY findings, when snippets are wanted), in page order.
struct InspectorPageResult {
    store::PageCounts counts;
    std::vector<SnippetRequest> snippets_wanted;
};

// Writes pages of Inspector streams of one schema through apply_inspector_page(): a single
// unnamed statement, its own transaction, one round trip, no session state. Not thread-safe:
// one writer per connection at a time.
class InspectorPageWriter {
  public:
    InspectorPageWriter(pqxx::connection_base& connection, std::string schema);

    // Applies `page` of `stream` (a region) for run `run_id` atomically: findings, children,
    // versions, the pass's seen-set (full passes), the checkpoint (advanced to next_token; a
    // null next_token ends the pass and moves the watermark) and the run's counters. The pass's
    // kind and start must be on the stream's checkpoint already. Throws store::StalePageError,
    // changing nothing, when the checkpoint is not at expected_token for run_id; pqxx
    // exceptions for database failures.
    InspectorPageResult apply(const std::string& stream, std::int64_t run_id,
                              const std::optional<std::string>& expected_token,
                              const std::vector<Finding>& page,
                              const std::optional<std::string>& next_token, Timestamp sync_time,
                              const InspectorScope& scope, bool snippets);

  private:
    pqxx::connection_base& connection_;
    std::string schema_;
    std::string sql_;  // the apply_inspector_page call, with its parameters' types
};

}  // namespace codeguru::inspector
