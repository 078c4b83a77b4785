#pragma once

#include <string>

#include "sources/codeguru/codeguru_client.hpp"
#include "sync/pass_source.hpp"

namespace codeguru {

// A CodeGuru Security scan as a pass source: GetFindings pages with the scan's status
// filter, applied by apply_findings_page() (schema/003, /005), or by COPY when all new
// (schema/010).
class CodeGuruScanSource : public sync::PassSource {
  public:
    // `client` must outlive the source.
    CodeGuruScanSource(CodeGuruClient& client, std::string schema, std::string scan,
                       std::string status, int page_size);

    const std::string& source() const override { return source_; }
    const std::string& name() const override { return scan_; }
    const std::string& label() const override { return scan_; }
    const std::string& scope() const override { return status_; }
    const char* list_operation() const override { return "GetFindings"; }

    std::unique_ptr<sync::SourcePage> fetch(const std::optional<std::string>& token,
                                            StopFlag& stop) override;
    store::PageCounts apply(pqxx::connection_base& connection, std::int64_t run_id,
                            const std::optional<std::string>& expected_token,
                            sync::SourcePage& page, Timestamp sync_time) override;

  private:
    CodeGuruClient& client_;
    std::string source_ = "codeguru";
    std::string schema_;
    std::string scan_;
    std::string status_;
    int page_size_;
    // Whether the next page is likely all new, so worth claiming for COPY (schema/010): at
    // first, then after each page that was.
    bool expect_new_ = true;
};

}  // namespace codeguru
