#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "sources/inspector/inspector_client.hpp"
#include "sources/inspector/page_writer.hpp"
#include "sources/inspector/snippet_writer.hpp"
#include "sync/pass_source.hpp"
#include "util/clock.hpp"

namespace codeguru::inspector {

struct StreamOptions {
    std::string schema = "codeguru";
    std::string region;
    std::vector<std::string> finding_types{"CODE_VULNERABILITY"};
    std::vector<std::string> accounts;  // empty: every account
    std::string status = "All";         // ACTIVE | SUPPRESSED | CLOSED | All
    int page_size = 100;
    std::chrono::seconds overlap{std::chrono::minutes(15)};
    std::chrono::seconds full_sweep{std::chrono::hours(24)};
    bool code_snippets = true;
    // Snippets left pending by earlier runs (transient errors, a crash) fetched per run.
    std::size_t pending_snippets_per_run = 1000;
};

// The stream's scope as stored in its checkpoint (status_filter): finding types, accounts and
// status, order-independent. A change restarts the stream with a full pass.
std::string stream_scope(const StreamOptions& options);

// The ListFindings filterCriteria of a pass: the scope and, for an incremental pass, an
// updatedAt DateFilter from `updated_since` (whole epoch seconds, rounded down).
std::string filter_criteria(const StreamOptions& options,
                            const std::optional<Timestamp>& updated_since);

// One region's Inspector findings as a pass source (SPEC §10.3). A pass is full when the
// stream never completed one, its last one is older than full_sweep, or its scope changed;
// otherwise incremental, from the watermark minus the overlap. The pass's kind, filter and
// start are stored before its first page, and a resumed pass sends the stored filter. Code
// snippets are fetched after each page for the code findings it wrote, and at the start of a
// run for those left pending.
class StreamSource : public sync::PassSource {
  public:
    // `client` and `clock` must outlive the source.
    StreamSource(InspectorClient& client, const Clock& clock, StreamOptions options);

    const std::string& source() const override { return source_; }
    const std::string& name() const override { return options_.region; }
    const std::string& label() const override { return label_; }
    const std::string& scope() const override { return scope_; }
    const char* list_operation() const override { return "ListFindings"; }

    bool prepare(sync::PassDatabase& database, const store::RunStart& start,
                 StopFlag& stop) override;
    void restart(sync::PassDatabase& database, std::int64_t run_id) override;
    std::unique_ptr<sync::SourcePage> fetch(const std::optional<std::string>& token,
                                            StopFlag& stop) override;
    store::PageCounts apply(pqxx::connection_base& connection, std::int64_t run_id,
                            const std::optional<std::string>& expected_token,
                            sync::SourcePage& page, Timestamp sync_time) override;
    void after_apply(sync::PassDatabase& database, sync::SourcePage& page, StopFlag& stop) override;

  private:
    // Decides the next pass from the checkpoint and records it before its first page.
    void begin_pass(sync::PassDatabase& database, std::int64_t run_id);
    // Fetches and stores the snippets of `wanted`, 10 a call, kSnippetCalls calls at once.
    // Failures leave them pending.
    void fetch_snippets(sync::PassDatabase& database, const std::vector<SnippetRequest>& wanted,
                        StopFlag& stop);
    std::vector<SnippetOutcome> fetch_batch(const std::vector<SnippetRequest>& batch,
                                            StopFlag& stop);

    // BatchGetCodeSnippet calls of one stream in flight at once.
    static constexpr std::size_t kSnippetCalls = 4;

    InspectorClient& client_;
    const Clock& clock_;
    StreamOptions options_;
    InspectorScope scope_filter_;
    std::string source_ = "inspector";
    std::string label_;
    std::string scope_;
    std::string kind_;
    std::string filter_;  // empty until prepare()
};

}  // namespace codeguru::inspector
