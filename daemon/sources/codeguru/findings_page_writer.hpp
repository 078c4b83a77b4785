#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "sources/codeguru/finding.hpp"
#include "store/page_counts.hpp"

namespace codeguru::store {

// Writes pages of one schema through apply_findings_page() (a sync's: a single unnamed
// statement, its own transaction, one round trip), claim_new_findings_page() and COPY (a
// sync's page whose findings are all new, schema/010) or import_page_seen() and
// upsert_findings_page() (an import's, in its file's transaction), which share the upsert
// rules; no session state. Not thread-safe: one writer per connection at
// a time.
class FindingsPageWriter {
  public:
    FindingsPageWriter(pqxx::connection_base& connection, std::string schema);

    // Applies `page` of `scan` for run `run_id` atomically: findings, children, versions,
    // the pass's seen-set, the checkpoint (advanced to next_token; a null next_token ends
    // the pass) and the run's counters. Throws StalePageError, changing nothing, when the
    // checkpoint is not at expected_token for run_id; pqxx exceptions for database failures.
    // With expect_new, the page is first claimed as all new, and its rows then travel by
    // COPY, which costs PostgreSQL less; when a finding of it is stored after all, it is
    // applied by apply_findings_page() in the same transaction. The outcome is the same
    // either way.
    PageCounts apply(const std::string& scan, std::int64_t run_id,
                     const std::optional<std::string>& expected_token,
                     const std::vector<Finding>& page, const std::optional<std::string>& next_token,
                     Timestamp sync_time, bool expect_new);

    // Applies an imported `page` of `scan` for import run `run_id` within `tx` (the import's
    // transaction for its file, which start_import() in schema/009 began; the page is undone
    // with it): findings, children, versions and the run's counters as apply() does, and
    // nothing of the scan's checkpoint. With keep_seen (a --complete import), the ids join
    // the import's seen-set, which finish_import() consumes.
    PageCounts apply_imported(pqxx::transaction_base& tx, const std::string& scan,
                              std::int64_t run_id, const std::vector<Finding>& page,
                              Timestamp sync_time, bool keep_seen);

  private:
    pqxx::connection_base& connection_;
    std::string schema_;
    std::string sql_;              // the apply_findings_page call, with its parameters' types
    std::string import_sql_;       // the upsert_findings_page call
    std::string claim_sql_;        // the claim_new_findings_page call
    std::string import_seen_sql_;  // the import_page_seen call
};

}  // namespace codeguru::store
