#include "sources/codeguru/page_columns.hpp"

#include <array>

#include "sources/codeguru/page_rows.hpp"
#include "util/timestamp.hpp"

namespace codeguru::store {
namespace {

// Puts each emitted field into its column's array: the key column (the finding's id, or a
// child's finding position) at begin(), then the table's columns in emitted order.
class ColumnSink : public PageRowSink {
  public:
    // clang-format off
    explicit ColumnSink(PageColumns& c)
        : columns_{{
              {&c.created_at, &c.updated_at, &c.title, &c.description, &c.type, &c.status,
               &c.severity, &c.generator_id, &c.detector_id, &c.detector_name, &c.rule_id,
               &c.resource_id, &c.sub_resource_id, &c.vulnerability_id, &c.item_count,
               &c.file_name, &c.file_path, &c.start_line, &c.end_line, &c.recommendation_text,
               &c.recommendation_url},
              {&c.tag, &c.tag_ordinal},
              {&c.line_number, &c.line_content},
              {&c.fix_ordinal, &c.fix_description, &c.fix_code},
              {&c.url_ordinal, &c.url},
              {&c.related_ordinal, &c.related_id},
          }},
          keys_{&c.finding_id, &c.tag_finding, &c.line_finding, &c.fix_finding, &c.url_finding,
                &c.related_finding} {}
    // clang-format on

    void begin(PageTable table, std::int64_t position, std::string_view id) override {
        const auto index = static_cast<std::size_t>(table);
        table == PageTable::kFindings ? keys_[index]->add_text(id)
                                      : keys_[index]->add_integer(position);
        row_ = &columns_[index];
        field_ = 0;
    }
    void text(std::string_view value) override { next().add_text(value); }
    void integer(std::int64_t value) override { next().add_integer(value); }
    void timestamp(Timestamp value) override { next().add_text(format_timestamp(value)); }
    void null() override { next().add_null(); }
    void end() override {}

  private:
    PgArrayLiteral& next() { return *(*row_)[field_++]; }

    std::array<std::vector<PgArrayLiteral*>, 6> columns_;  // by PageTable: its field columns
    std::array<PgArrayLiteral*, 6> keys_;                  // by PageTable: its key column
    const std::vector<PgArrayLiteral*>* row_ = nullptr;
    std::size_t field_ = 0;
};

}  // namespace

PageColumns page_to_columns(std::string_view scan, const std::vector<Finding>& page,
                            Timestamp sync_time) {
    return page_to_columns(scan, page, select_page(scan, page, sync_time), sync_time);
}

PageColumns page_to_columns(std::string_view scan, const std::vector<Finding>& page,
                            const PageSelection& selection, Timestamp sync_time) {
    PageColumns columns;
    columns.findings = selection.kept.size();
    columns.rejected = selection.rejected;
    columns.duplicates = selection.duplicates;
    ColumnSink sink(columns);
    columns.sanitized = map_page(scan, page, selection, sync_time, sink);
    return columns;
}

}  // namespace codeguru::store
