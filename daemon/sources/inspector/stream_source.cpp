#include "sources/inspector/stream_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "aws/api_error.hpp"
#include "sources/inspector/finding_json.hpp"
#include "sources/inspector/snippet_writer.hpp"
#include "store/sync_state_store.hpp"

namespace codeguru::inspector {
namespace {

constexpr char kFull[] = "full";
constexpr char kIncremental[] = "incremental";

struct InspectorPage : sync::SourcePage {
    ~InspectorPage() override { recycle_findings(std::move(findings)); }

    std::vector<Finding> findings;
    std::vector<SnippetRequest> snippets_wanted;  // set by apply()
};

std::vector<std::string> sorted(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    return values;
}

std::string joined(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& value : values) {
        if (!out.empty()) out += ',';
        out += value;
    }
    return out;
}

nlohmann::json equals_any(const std::vector<std::string>& values) {
    auto filters = nlohmann::json::array();
    for (const auto& value : values) {
        filters.push_back({{"comparison", "EQUALS"}, {"value", value}});
    }
    return filters;
}

Timestamp now_us(const Clock& clock) {
    return std::chrono::time_point_cast<std::chrono::microseconds>(clock.now());
}

std::optional<store::Checkpoint> load_checkpoint(sync::PassDatabase& database,
                                                 const StreamOptions& options) {
    std::optional<store::Checkpoint> checkpoint;
    database.run([&](pqxx::connection_base& connection) {
        checkpoint = store::SyncStateStore(connection, options.schema, "inspector")
                         .load_checkpoint(options.region);
    });
    return checkpoint;
}

SnippetOutcome::Kind outcome_of(const std::string& error_code) {
    if (error_code == "CODE_SNIPPET_NOT_FOUND") return SnippetOutcome::kNotFound;
    if (error_code == "INVALID_INPUT") return SnippetOutcome::kRefused;
    return SnippetOutcome::kPending;  // ACCESS_DENIED, INTERNAL_ERROR, anything newer
}

}  // namespace

std::string stream_scope(const StreamOptions& options) {
    return "types=" + joined(sorted(options.finding_types)) +
           ";accounts=" + joined(sorted(options.accounts)) + ";status=" + options.status;
}

std::string filter_criteria(const StreamOptions& options,
                            const std::optional<Timestamp>& updated_since) {
    auto filter = nlohmann::json::object();
    filter["findingType"] = equals_any(sorted(options.finding_types));
    if (!options.accounts.empty()) filter["awsAccountId"] = equals_any(sorted(options.accounts));
    if (options.status != "All") filter["findingStatus"] = equals_any({options.status});
    if (updated_since) {
        const auto seconds = std::chrono::floor<std::chrono::seconds>(*updated_since);
        filter["updatedAt"] = {{{"startInclusive", seconds.time_since_epoch().count()}}};
    }
    return filter.dump();
}

StreamSource::StreamSource(InspectorClient& client, const Clock& clock, StreamOptions options)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      scope_filter_{options_.finding_types, options_.accounts, options_.status},
      label_("inspector:" + options_.region),
      scope_(stream_scope(options_)) {}

bool StreamSource::prepare(sync::PassDatabase& database, const store::RunStart& start,
                           StopFlag& stop) {
    if (start.resume_token) {
        const auto checkpoint = load_checkpoint(database, options_);
        if (!checkpoint || !checkpoint->pass_filter || !checkpoint->pass_kind) return false;
        kind_ = *checkpoint->pass_kind;
        filter_ = *checkpoint->pass_filter;
        spdlog::info("inspector {}: resuming the {} pass with its stored filter", options_.region,
                     kind_);
    } else {
        begin_pass(database, start.run_id);
    }
    if (options_.code_snippets) {
        std::vector<SnippetRequest> pending;
        database.run([&](pqxx::connection_base& connection) {
            pending = InspectorSnippetWriter(connection, options_.schema)
                          .pending_snippets(options_.region, options_.pending_snippets_per_run);
        });
        if (!pending.empty()) {
            spdlog::info("inspector {}: fetching {} code snippet(s) left pending", options_.region,
                         pending.size());
            fetch_snippets(database, pending, stop);
        }
    }
    return true;
}

void StreamSource::restart(sync::PassDatabase& database, std::int64_t run_id) {
    // A rejected token restarts the same pass: same kind, same filter, from its first page.
    if (filter_.empty()) begin_pass(database, run_id);
}

void StreamSource::begin_pass(sync::PassDatabase& database, std::int64_t run_id) {
    const auto checkpoint = load_checkpoint(database, options_);
    const Timestamp now = now_us(clock_);
    const bool full = !checkpoint || !checkpoint->last_full_at || !checkpoint->watermark ||
                      now - *checkpoint->last_full_at >= options_.full_sweep;
    kind_ = full ? kFull : kIncremental;
    std::optional<Timestamp> since;
    if (!full) since = *checkpoint->watermark - options_.overlap;
    filter_ = filter_criteria(options_, since);
    database.run([&](pqxx::connection_base& connection) {
        store::SyncStateStore(connection, options_.schema, source_)
            .start_pass(options_.region, run_id, kind_, filter_, now);
    });
    spdlog::info("inspector {}: {} pass{}", options_.region, kind_,
                 full ? "" : " of the findings updated since the last pass (less the overlap)");
}

std::unique_ptr<sync::SourcePage> StreamSource::fetch(const std::optional<std::string>& token,
                                                      StopFlag& stop) {
    FindingsPage fetched = client_.list_findings(filter_, options_.page_size, token, &stop);
    auto page = std::make_unique<InspectorPage>();
    page->findings = std::move(fetched.findings);
    page->next_token = std::move(fetched.next_token);
    return page;
}

store::PageCounts StreamSource::apply(pqxx::connection_base& connection, std::int64_t run_id,
                                      const std::optional<std::string>& expected_token,
                                      sync::SourcePage& page, Timestamp sync_time) {
    auto& findings = static_cast<InspectorPage&>(page);
    InspectorPageWriter writer(connection, options_.schema);
    auto result =
        writer.apply(options_.region, run_id, expected_token, findings.findings,
                     findings.next_token, sync_time, scope_filter_, options_.code_snippets);
    findings.snippets_wanted = std::move(result.snippets_wanted);
    return result.counts;
}

void StreamSource::after_apply(sync::PassDatabase& database, sync::SourcePage& page,
                               StopFlag& stop) {
    auto& findings = static_cast<InspectorPage&>(page);
    if (!findings.snippets_wanted.empty()) fetch_snippets(database, findings.snippets_wanted, stop);
}

// One BatchGetCodeSnippet call's findings and what became of them. Never throws: a failed
// call leaves its findings pending (no outcome), except after a stop.
std::vector<SnippetOutcome> StreamSource::fetch_batch(const std::vector<SnippetRequest>& batch,
                                                      StopFlag& stop) {
    std::unordered_map<std::string, Timestamp> asked;
    std::vector<std::string> arns;
    for (const auto& request : batch) {
        if (asked.emplace(request.finding_arn, request.version).second) {
            arns.push_back(request.finding_arn);
        }
    }
    SnippetBatch answer;
    try {
        answer = client_.batch_get_code_snippet(arns, &stop);
    } catch (const aws::ApiError& e) {
        // Never fails the page: the findings stay pending for a later run.
        if (e.code() != "Aborted") {
            spdlog::warn(
                "inspector {}: BatchGetCodeSnippet failed ({}); {} snippet(s) stay pending for "
                "a later run",
                options_.region, e.what(), arns.size());
        }
        return {};
    }
    std::vector<SnippetOutcome> outcomes;
    std::unordered_set<std::string> answered;
    for (auto& result : answer.results) {
        const auto it = asked.find(result.finding_arn);
        if (it == asked.end() || !answered.insert(result.finding_arn).second) continue;
        outcomes.push_back({result.finding_arn, it->second, SnippetOutcome::kStored, "",
                            std::move(result.lines), std::move(result.suggested_fixes)});
    }
    for (const auto& error : answer.errors) {
        const auto it = asked.find(error.finding_arn);
        if (it == asked.end() || !answered.insert(error.finding_arn).second) continue;
        const auto kind = outcome_of(error.error_code);
        if (kind == SnippetOutcome::kPending) {
            spdlog::warn(
                "inspector {}: no code snippet for {} this time ({}: {}); asked again on a "
                "later run",
                options_.region, error.finding_arn, error.error_code, error.message);
        }
        outcomes.push_back(
            {error.finding_arn, it->second, kind, error.error_code + ": " + error.message, {}, {}});
    }
    for (const auto& arn : arns) {
        if (answered.contains(arn)) continue;
        outcomes.push_back({arn,
                            asked.at(arn),
                            SnippetOutcome::kPending,
                            "BatchGetCodeSnippet returned neither a snippet nor an error",
                            {},
                            {}});
    }
    return outcomes;
}

void StreamSource::fetch_snippets(sync::PassDatabase& database,
                                  const std::vector<SnippetRequest>& wanted, StopFlag& stop) {
    // Up to kSnippetCalls calls at once (a page of 100 code findings is 10 calls); their
    // outcomes are stored together, one database call per group.
    const std::size_t group_size = kMaxSnippetBatch * kSnippetCalls;
    for (std::size_t group = 0; group < wanted.size(); group += group_size) {
        if (stop.stop_requested()) return;
        std::vector<std::future<std::vector<SnippetOutcome>>> calls;
        const std::size_t group_end = std::min(wanted.size(), group + group_size);
        for (std::size_t first = group; first < group_end; first += kMaxSnippetBatch) {
            const auto last = wanted.begin() + static_cast<std::ptrdiff_t>(
                                                   std::min(group_end, first + kMaxSnippetBatch));
            std::vector<SnippetRequest> batch(wanted.begin() + static_cast<std::ptrdiff_t>(first),
                                              last);
            calls.push_back(std::async(std::launch::async, [this, batch = std::move(batch), &stop] {
                return fetch_batch(batch, stop);
            }));
        }
        std::vector<SnippetOutcome> outcomes;
        for (auto& call : calls) {
            for (auto& outcome : call.get()) outcomes.push_back(std::move(outcome));
        }
        if (outcomes.empty()) continue;
        database.run([&](pqxx::connection_base& connection) {
            InspectorSnippetWriter(connection, options_.schema).apply_snippets(outcomes);
        });
    }
}

}  // namespace codeguru::inspector
