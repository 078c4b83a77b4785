#pragma once

#include <cstddef>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "sources/inspector/inspector_finding.hpp"
#include "sources/inspector/snippet_request.hpp"
#include "util/timestamp.hpp"

namespace codeguru::inspector {

// What BatchGetCodeSnippet said about one finding, for the version it was asked for.
struct SnippetOutcome {
    enum Kind {
        kStored,    // the snippet came: lines and fixes replace the stored ones
        kNotFound,  // CODE_SNIPPET_NOT_FOUND: none, not asked again for this version
        kRefused,   // INVALID_INPUT: none, not asked again for this version
        kPending,   // ACCESS_DENIED, INTERNAL_ERROR, ...: asked again on a later run
    };

    std::string finding_arn;
    Timestamp version;  // the stored updated_at the snippet was asked for
    Kind outcome = kPending;
    std::string error;  // the per-ARN error code and message; empty for none
    std::vector<SnippetLine> lines;
    std::vector<SnippetFix> fixes;
};

// Stores fetched code snippets of one schema through apply_inspector_snippets() and lists
// the snippets still to fetch. Every call is one statement, its own transaction, no session
// state. Not thread-safe: one writer per connection at a time.
class InspectorSnippetWriter {
  public:
    InspectorSnippetWriter(pqxx::connection_base& connection, std::string schema);

    // Applies each outcome whose finding is still at outcome.version with its snippet pending
    // (others are stale: skipped), atomically: snippet status and error, and for kStored the
    // code lines (deduplicated by line number, the first kept; lines without a number left
    // out) and suggested fixes (numbered from 1). Of an ARN given twice, the first counts.
    // Returns how many findings it updated. pqxx exceptions for database failures.
    int apply_snippets(const std::vector<SnippetOutcome>& outcomes);

    // Up to `limit` findings of `region` whose snippet is pending, those never tried first,
    // then the oldest versions.
    std::vector<SnippetRequest> pending_snippets(const std::string& region, std::size_t limit);

  private:
    pqxx::connection_base& connection_;
    std::string schema_;
    std::string apply_sql_;
    std::string pending_sql_;
};

}  // namespace codeguru::inspector
