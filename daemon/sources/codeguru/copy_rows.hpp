#pragma once

#include <array>
#include <cstddef>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

#include "sources/codeguru/page_rows.hpp"

namespace codeguru::store {

// A page's rows in COPY's text format, one buffer per table and one for the findings'
// versions, for a page whose findings are all new (claim_new_findings_page(), schema/010):
// each finding is stored as apply_findings_page() would insert it (first seen and last
// changed at the sync time), with one version observed at the sync time.
class CopyRows : public PageRowSink {
  public:
    CopyRows(std::string_view scan, Timestamp sync_time) { reset(scan, sync_time); }

    // Empties the rows for another page, keeping the buffers' room (up to a bound, so that
    // one huge page does not stay in memory).
    void reset(std::string_view scan, Timestamp sync_time);

    void begin(PageTable table, std::int64_t position, std::string_view id) override;
    void text(std::string_view value) override;
    void integer(std::int64_t value) override;
    void timestamp(Timestamp value) override;
    void null() override;
    void end() override;

    // The COPY text of `table`'s rows, and of the versions': lines ending in a newline.
    const std::string& rows(PageTable table) const {
        return tables_[static_cast<std::size_t>(table)];
    }
    const std::string& version_rows() const { return versions_; }

    // COPYs every row into the tables of `quoted_schema` within `tx`: the findings first,
    // which the children's and versions' foreign keys need.
    void copy_into(pqxx::transaction_base& tx, const std::string& quoted_schema) const;

  private:
    void separate();

    std::string scan_;       // escaped
    std::string sync_time_;  // as COPY text
    std::array<std::string, 6> tables_;
    std::string versions_;
    std::string* row_ = nullptr;  // the buffer of the row being emitted
    bool finding_row_ = false;
    std::size_t key_end_ = 0;  // of the finding row being emitted: where its key ends
    std::array<std::size_t, std::size(kFindingColumns) + 1> field_start_{};  // and each field
    std::size_t field_ = 0;
};

// Appends `value` to `out` in COPY's text format: backslash, newline, carriage return and
// tab as backslash escapes.
void append_copy_text(std::string& out, std::string_view value);

}  // namespace codeguru::store
