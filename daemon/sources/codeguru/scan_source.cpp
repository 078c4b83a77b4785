#include "sources/codeguru/scan_source.hpp"

#include "sources/codeguru/finding_json.hpp"
#include "sources/codeguru/findings_page_writer.hpp"

namespace codeguru {
namespace {

struct CodeGuruPage : sync::SourcePage {
    ~CodeGuruPage() override { recycle_findings(std::move(findings)); }

    std::vector<Finding> findings;
};

}  // namespace

CodeGuruScanSource::CodeGuruScanSource(CodeGuruClient& client, std::string schema, std::string scan,
                                       std::string status, int page_size)
    : client_(client),
      schema_(std::move(schema)),
      scan_(std::move(scan)),
      status_(std::move(status)),
      page_size_(page_size) {}

std::unique_ptr<sync::SourcePage> CodeGuruScanSource::fetch(const std::optional<std::string>& token,
                                                            StopFlag& stop) {
    FindingsPage fetched = client_.get_findings(scan_, status_, page_size_, token, &stop);
    auto page = std::make_unique<CodeGuruPage>();
    page->findings = std::move(fetched.findings);
    page->next_token = std::move(fetched.next_token);
    return page;
}

store::PageCounts CodeGuruScanSource::apply(pqxx::connection_base& connection, std::int64_t run_id,
                                            const std::optional<std::string>& expected_token,
                                            sync::SourcePage& page, Timestamp sync_time) {
    auto& findings = static_cast<CodeGuruPage&>(page);
    store::FindingsPageWriter writer(connection, schema_);
    const store::PageCounts counts = writer.apply(scan_, run_id, expected_token, findings.findings,
                                                  findings.next_token, sync_time, expect_new_);
    // A page that was all new sends the next one by COPY too: a scan's first sync is made of
    // such pages. Any other sends it by apply_findings_page(), which a re-sync's pages need.
    expect_new_ = counts.inserted > 0 && counts.updated == 0 && counts.unchanged == 0;
    return counts;
}

}  // namespace codeguru
