// Acceptance of the Amazon Inspector source (issue 12, SPEC §10): streams synced in-process
// through the production client stack, the pass runner and the real PostgreSQL, against the
// fake Inspector. Every end state is compared with the independent reference
// (tests/support/inspector_reference), never with the daemon's own mapping.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <map>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "client_stack.hpp"
#include "fake_api.hpp"
#include "finding_generator.hpp"
#include "inspector_generator.hpp"
#include "inspector_reference.hpp"
#include "reference_mapper.hpp"
#include "sources/inspector/stream_source.hpp"
#include "store/migrations.hpp"
#include "sync/owner_id.hpp"
#include "sync/pass_runner.hpp"
#include "sync/scheduler.hpp"
#include "sync_fixture.hpp"
#include "test_database.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using nlohmann::json;
using Outcome = sync::ScanResult::Outcome;
using SysTime = std::chrono::system_clock::time_point;

namespace {

const std::vector<std::string> kRegions = {"us-east-1", "eu-west-1", "ap-southeast-2"};
const std::vector<std::string> kAccounts = {"111122223333", "444455556666"};
const std::vector<std::string> kAllTypes = {"CODE_VULNERABILITY", "NETWORK_REACHABILITY",
                                            "PACKAGE_VULNERABILITY"};
constexpr char kCode[] = "CODE_VULNERABILITY";
constexpr int kPageSize = 10;
constexpr std::chrono::seconds kOverlap = 15min;
constexpr std::chrono::seconds kFullSweep = 1h;

const char* const kInspectorTables[] = {"inspector_findings",
                                        "inspector_finding_versions",
                                        "inspector_finding_resources",
                                        "inspector_finding_cwes",
                                        "inspector_finding_detector_tags",
                                        "inspector_finding_reference_urls",
                                        "inspector_finding_related_vulnerabilities",
                                        "inspector_finding_packages",
                                        "inspector_finding_cvss",
                                        "inspector_finding_network_path",
                                        "inspector_finding_code_lines",
                                        "inspector_finding_suggested_fixes"};

// A timestamptz column as integer epoch microseconds.
std::string us_of(const std::string& column) {
    return "(extract(epoch FROM " + column + ") * 1000000)::bigint";
}

std::int64_t us(SysTime t) {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

std::int64_t epoch_s(SysTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// Pinned times start on a whole second, so that a filter's epoch seconds are exact.
SysTime whole_second_now() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string arn_of(const json& finding) {
    return finding.at("findingArn").get<std::string>();
}

std::string region_of(const json& finding) {
    return arn_region(arn_of(finding));
}

bool is_code(const json& finding) {
    return finding.value("type", "") == kCode;
}

std::size_t pages_for(std::size_t findings) {
    return findings == 0 ? 1 : (findings + kPageSize - 1) / kPageSize;
}

std::vector<json> generated(std::size_t count, std::uint64_t seed,
                            const std::vector<std::string>& regions = kRegions) {
    InspectorGenerateOptions options;
    options.seed = seed;
    options.count = count;
    options.regions = regions;
    options.accounts = kAccounts;
    return generate_inspector_findings(options);
}

// What the fake's BatchGetCodeSnippet answers for each code finding of `findings` now.
std::map<std::string, json> served_snippets(FakeCodeGuruApi& fake,
                                            const std::vector<json>& findings) {
    std::map<std::string, json> snippets;
    for (const auto& f : findings) {
        if (!is_code(f)) continue;
        if (auto snippet = fake.inspector().snippet(arn_of(f))) snippets[arn_of(f)] = *snippet;
    }
    return snippets;
}

std::set<std::string> asked_snippets(const std::vector<RequestRecord>& requests) {
    std::set<std::string> arns;
    for (const auto& r : requests) {
        for (const auto& arn : r.body.at("findingArns")) arns.insert(arn.get<std::string>());
    }
    return arns;
}

template <class T>
std::optional<T> optional_of(const pqxx::field& field) {
    return field.is_null() ? std::nullopt : std::optional<T>(field.as<T>());
}

struct StreamCheckpoint {
    std::optional<std::string> next_token;
    long pages_done = 0;
    std::optional<std::string> pass_kind;
    std::optional<std::string> pass_filter;
    std::optional<std::string> last_error;
    std::optional<std::int64_t> pass_started_us;
    std::optional<std::int64_t> watermark_us;
    std::optional<std::int64_t> last_full_us;
    std::optional<std::int64_t> last_completed_us;
};

// Stops the run (through `stop`) once `pages` pages have committed.
class StopAfterPages final : public sync::SyncObserver {
  public:
    StopAfterPages(StopFlag& stop, int pages) : stop_(stop), pages_(pages) {}
    void page_applied(const std::string&, const store::PageCounts&, double) override {
        if (++applied_ == pages_) stop_.request_stop();
    }
    void scan_finished(const sync::ScanResult&) override {}

  private:
    StopFlag& stop_;
    const int pages_;
    std::atomic<int> applied_{0};
};

// A migrated schema, the fake API and the production client stack (SyncFixture), a pinned
// clock for the syncs, and the daemon's way of running one Inspector stream.
struct InspectorSync {
    SyncFixture fx;
    PinnedClock clock;
    const std::string owner = sync::make_owner_id();

    explicit InspectorSync(SysTime start = whole_second_now()) : clock(start) {}

    inspector::StreamOptions stream(const std::string& region) const {
        inspector::StreamOptions options;
        options.schema = fx.schema.name();
        options.region = region;
        options.finding_types = kAllTypes;
        options.page_size = kPageSize;
        options.overlap = kOverlap;
        options.full_sweep = kFullSweep;
        options.code_snippets = true;
        return options;
    }

    sync::PassRunnerOptions runner_options(const std::string& schema,
                                           sync::SyncObserver* observer) const {
        sync::PassRunnerOptions options;
        options.schema = schema;
        options.owner = {owner, std::chrono::seconds(120), [self = owner](std::string_view holder) {
                             return sync::owner_is_defunct(holder, self);
                         }};
        options.reconnect_initial = 50ms;
        options.observer = observer;
        return options;
    }

    // One run of the stream `options` names into `schema`, as the scheduler runs it.
    sync::ScanResult run_on(const TestSchema& schema, inspector::StreamOptions options,
                            sync::SyncObserver* observer = nullptr) {
        options.schema = schema.name();
        store::DatabaseOptions database_options;
        database_options.url = schema.conninfo() + " application_name=" + fx.application_name;
        store::Database database(database_options, fx.stack->stop());
        sync::PassRunner runner(database, clock, fx.stack->stop(),
                                runner_options(schema.name(), observer));
        inspector::StreamSource source(fx.stack->inspector(options.region), clock, options);
        return runner.run(source);
    }
    sync::ScanResult run(const inspector::StreamOptions& options,
                         sync::SyncObserver* observer = nullptr) {
        return run_on(fx.schema, options, observer);
    }
    sync::ScanResult run(const std::string& region) { return run(stream(region)); }

    std::vector<RequestRecord> requests(const std::string& operation,
                                        const std::string& region = "") const {
        std::vector<RequestRecord> out;
        for (auto& r : fx.fake.requests()) {
            if (r.operation == operation && (region.empty() || r.region == region)) {
                out.push_back(std::move(r));
            }
        }
        return out;
    }

    template <class... Args>
    pqxx::result sql(const std::string& statement, Args&&... args) {
        pqxx::connection c(fx.schema.conninfo());
        pqxx::work tx(c);
        tx.exec0("SET search_path TO " + tx.quote_name(fx.schema.name()));
        auto result = tx.exec_params(statement, std::forward<Args>(args)...);
        tx.commit();
        return result;
    }

    long count(const std::string& from_where) {
        return sql("SELECT count(*) FROM " + from_where)[0][0].as<long>();
    }

    std::optional<StreamCheckpoint> checkpoint(const std::string& region) {
        const auto r = sql("SELECT next_token, pages_done, pass_kind, pass_filter, last_error, " +
                               us_of("pass_started_at") + ", " + us_of("watermark") + ", " +
                               us_of("last_full_at") + ", " + us_of("last_completed_at") +
                               " FROM sync_checkpoints WHERE source = 'inspector' AND "
                               "scan_name = $1",
                           region);
        if (r.empty()) return std::nullopt;
        StreamCheckpoint cp;
        cp.next_token = optional_of<std::string>(r[0][0]);
        cp.pages_done = r[0][1].as<long>();
        cp.pass_kind = optional_of<std::string>(r[0][2]);
        cp.pass_filter = optional_of<std::string>(r[0][3]);
        cp.last_error = optional_of<std::string>(r[0][4]);
        cp.pass_started_us = optional_of<std::int64_t>(r[0][5]);
        cp.watermark_us = optional_of<std::int64_t>(r[0][6]);
        cp.last_full_us = optional_of<std::int64_t>(r[0][7]);
        cp.last_completed_us = optional_of<std::int64_t>(r[0][8]);
        return cp;
    }

    std::map<std::string, std::int64_t> missing() {
        std::map<std::string, std::int64_t> out;
        for (const auto& row : sql("SELECT finding_arn, " + us_of("missing_since") +
                                   " FROM inspector_findings WHERE missing_since IS NOT NULL")) {
            out[row[0].as<std::string>()] = row[1].as<std::int64_t>();
        }
        return out;
    }

    std::string snippet_status(const std::string& arn) {
        const auto r =
            sql("SELECT coalesce(snippet_status, 'NULL') FROM inspector_findings "
                "WHERE finding_arn = $1",
                arn);
        return r.empty() ? "no such finding" : r[0][0].as<std::string>();
    }

    std::string difference(const InspectorExpectation& expected) {
        return test::difference(inspector_reference_tables(expected),
                                stored_inspector_tables(fx.schema.conninfo(), fx.schema.name()));
    }

    // Every row of every Inspector table by its physical version (ctid, xmin): a row that
    // was inserted, updated or deleted changes the snapshot.
    std::map<std::string, std::string> row_versions() {
        std::map<std::string, std::string> out;
        for (const char* table : kInspectorTables) {
            out[table] =
                sql("SELECT count(*)::text || ' ' || coalesce(string_agg(ctid::text || '@' "
                    "|| xmin::text, ',' ORDER BY ctid), '') FROM " +
                    std::string(table))[0][0]
                    .as<std::string>();
        }
        return out;
    }
};

// A code finding at the edges of the mapping: NUL in text and in a resource's tags and
// details, ISO-8601 times with and without an offset, a repeated tag, neither updatedAt nor
// lastObservedAt (its version is the sync's time).
json edge_finding() {
    return json::parse(R"json({
        "findingArn": "arn:aws:inspector2:us-east-1:111122223333:finding/0123456789abcdef0123456789abcdef",
        "awsAccountId": "111122223333",
        "type": "CODE_VULNERABILITY",
        "title": "NUL \u0000 in the title",
        "description": "tab\tand NUL\u0000 and ünïcödé 🚀",
        "severity": "UNTRIAGED",
        "status": "ACTIVE",
        "firstObservedAt": "2025-08-01T10:20:30.123456Z",
        "exploitabilityDetails": {"lastKnownExploitAt": "2025-07-01T00:00:00.5+02:00"},
        "inspectorScore": 1.1,
        "epss": {"score": 0.00012},
        "remediation": {"recommendation": {"text": "fix\u0000it"}},
        "resources": [{"type": "CODE_REPOSITORY", "id": "repo\u0000id", "partition": "aws",
                       "region": "us-east-1", "tags": {"owner\u0000": "x\u0000y", "n": 1.5},
                       "details": {"codeRepository": {"projectName": "proj\u0000",
                                   "providerType": "GITHUB",
                                   "integrationArn": "arn:aws:inspector2:us-east-1:111122223333:codesecurity-integration/x"}}},
                      {"type": "AWS_LAMBDA_FUNCTION", "id": "fn"}],
        "codeVulnerabilityDetails": {
            "filePath": {"fileName": "a.py", "filePath": "src/a.py", "startLine": 3, "endLine": 4},
            "detectorId": "python/sql-injection@v1.0", "detectorName": "SQL injection",
            "detectorTags": ["z", "a", "z", "b", "a"], "ruleId": "r",
            "cwes": ["CWE-89", "CWE-89"], "referenceUrls": ["https://example.com/1"]}})json");
}

// Its code snippet: a repeated line number, a line without one, NUL, fixes lacking members.
json edge_snippet(const std::string& arn) {
    json snippet = json::parse(R"json({
        "startLine": 1, "endLine": 3,
        "codeSnippet": [{"lineNumber": 2, "content": "b\u0000"}, {"lineNumber": 1, "content": "a"},
                        {"lineNumber": 2, "content": "repeated"}, {"content": "no number"},
                        {"lineNumber": 3}],
        "suggestedFixes": [{"description": "d"}, {"code": "c\u0000"}, {}]})json");
    snippet["findingArn"] = arn;
    return snippet;
}

bool repeats_tag(const json& finding) {
    const auto tags = finding.value("codeVulnerabilityDetails", json::object())
                          .value("detectorTags", json::array());
    std::set<std::string> seen;
    for (const auto& tag : tags) {
        if (!seen.insert(tag.get<std::string>()).second) return true;
    }
    return false;
}

// The first lineNumber a snippet lists twice, if any.
std::optional<std::int64_t> repeated_line(const json& snippet) {
    std::set<std::int64_t> seen;
    for (const auto& line : snippet.at("codeSnippet")) {
        if (!line.contains("lineNumber")) continue;
        const auto number = line["lineNumber"].get<std::int64_t>();
        if (!seen.insert(number).second) return number;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("a full pass of every region stores exactly what the fake holds, snippets included") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    auto findings = generated(240, 1201);
    const json edge = edge_finding();
    findings.push_back(edge);
    t.fx.fake.set_inspector_findings(findings);
    t.fx.fake.inspector().set_snippet(arn_of(edge), edge_snippet(arn_of(edge)));
    const auto snippets = served_snippets(t.fx.fake, findings);

    // The data holds what the SPEC's rules are about: every type in every region × account,
    // a repeated detector tag, a snippet repeating a line number.
    std::set<std::string> combinations;
    for (const auto& f : findings) {
        combinations.insert(region_of(f) + " " + f.at("awsAccountId").get<std::string>() + " " +
                            f.at("type").get<std::string>());
    }
    CHECK(combinations.size() == kRegions.size() * kAccounts.size() * kAllTypes.size());
    const auto tagged = std::find_if(findings.begin(), findings.end() - 1, repeats_tag);
    REQUIRE(tagged != findings.end() - 1);
    std::string lines_arn;
    std::int64_t line_number = 0;
    for (const auto& [arn, snippet] : snippets) {
        if (arn == arn_of(edge)) continue;
        if (const auto number = repeated_line(snippet)) {
            lines_arn = arn;
            line_number = *number;
            break;
        }
    }
    REQUIRE_FALSE(lines_arn.empty());

    // One stream per region, as the daemon's scheduler runs them: all at once.
    Settings settings;
    settings.database.schema = t.fx.schema.name();
    settings.sync.concurrency = 3;
    settings.inspector.regions = kRegions;
    settings.inspector.finding_types = kAllTypes;
    settings.inspector.page_size = kPageSize;
    settings.inspector.code_snippets = true;
    sync::InspectorClients clients;
    for (const auto& region : kRegions) clients[region] = &t.fx.stack->inspector(region);
    const auto database = t.fx.database();
    sync::Scheduler scheduler(t.fx.stack->client(), *database, t.clock, t.fx.stack->stop(), t.owner,
                              nullptr, clients);
    const auto cycle = scheduler.run_cycle(settings);
    REQUIRE(cycle.results.size() == kRegions.size());
    CHECK(cycle.succeeded == 3);
    CHECK(cycle.failed == 0);

    // Every member of every table, snippets included; the edge finding's version is the sync's.
    CHECK(t.difference({findings, snippets, {}, us(t1)}) == "");

    // The SPEC's dedup rules, spelled out on one finding each.
    std::set<std::string> distinct;
    for (const auto& tag : tagged->at("codeVulnerabilityDetails").at("detectorTags")) {
        distinct.insert(tag.get<std::string>());
    }
    CHECK(t.count("inspector_finding_detector_tags WHERE finding_arn = '" + arn_of(*tagged) +
                  "'") == static_cast<long>(distinct.size()));
    std::string first_content;
    for (const auto& line : snippets.at(lines_arn).at("codeSnippet")) {
        if (line.value("lineNumber", std::int64_t{-1}) == line_number) {
            first_content = line.at("content").get<std::string>();
            break;
        }
    }
    const auto stored_line = t.sql(
        "SELECT content FROM inspector_finding_code_lines WHERE finding_arn = $1 AND "
        "line_number = $2",
        lines_arn, line_number);
    REQUIRE(stored_line.size() == 1);
    CHECK(stored_line[0][0].as<std::string>() == first_content);

    // The sync's own times, one version per finding.
    const auto n = static_cast<long>(findings.size());
    CHECK(t.count("inspector_findings WHERE " + us_of("first_seen_at") + " = " +
                  std::to_string(us(t1)) + " AND " + us_of("last_changed_at") + " = " +
                  std::to_string(us(t1))) == n);
    CHECK(t.count("inspector_finding_versions") == n);
    CHECK(t.count("inspector_finding_versions AS v JOIN inspector_findings AS f USING "
                  "(finding_arn) WHERE v.updated_at = f.updated_at AND v.status IS NOT DISTINCT "
                  "FROM f.status AND v.severity IS NOT DISTINCT FROM f.severity AND v.title IS "
                  "NOT DISTINCT FROM f.title AND " +
                  us_of("v.observed_at") + " = " + std::to_string(us(t1))) == n);

    // One run and one checkpoint per stream; each region's requests signed for it.
    std::set<std::string> streams;
    for (const auto& row :
         t.sql("SELECT scan_name FROM sync_runs WHERE source = 'inspector' AND outcome = "
               "'succeeded'")) {
        streams.insert(row[0].as<std::string>());
    }
    CHECK(streams == std::set<std::string>(kRegions.begin(), kRegions.end()));
    CHECK(t.count("sync_runs") == 3);
    for (const auto& region : kRegions) {
        INFO("region " << region);
        const auto cp = t.checkpoint(region);
        REQUIRE(cp);
        CHECK_FALSE(cp->next_token);
        CHECK_FALSE(cp->pass_kind);
        CHECK(cp->watermark_us == us(t1));
        CHECK(cp->last_full_us == us(t1));
        const auto in_region = std::count_if(findings.begin(), findings.end(),
                                             [&](const json& f) { return region_of(f) == region; });
        const auto listed = t.requests("ListFindings", region);
        CHECK(listed.size() == pages_for(static_cast<std::size_t>(in_region)));
        for (const auto& r : listed) {
            const auto& filter = r.body.at("filterCriteria");
            CHECK_FALSE(filter.contains("updatedAt"));
            std::set<std::string> types;
            for (const auto& entry : filter.at("findingType")) {
                CHECK(entry.at("comparison") == "EQUALS");
                types.insert(entry.at("value").get<std::string>());
            }
            CHECK(types == std::set<std::string>(kAllTypes.begin(), kAllTypes.end()));
            CHECK(r.body.at("maxResults") == kPageSize);
        }
        for (const auto& r : t.requests("BatchGetCodeSnippet", region)) {
            CHECK(r.body.at("findingArns").size() <= 10);
            for (const auto& arn : r.body.at("findingArns")) CHECK(arn_region(arn) == region);
        }
    }
    // Each code finding's snippet asked for once, no other finding's.
    std::multiset<std::string> asked;
    for (const auto& r : t.requests("BatchGetCodeSnippet")) {
        for (const auto& arn : r.body.at("findingArns")) asked.insert(arn.get<std::string>());
    }
    std::multiset<std::string> code_arns;
    for (const auto& f : findings) {
        if (is_code(f)) code_arns.insert(arn_of(f));
    }
    CHECK(asked == code_arns);
}

TEST_CASE(
    "an incremental pass reads only what changed, and only a full pass in scope marks the removed "
    "missing") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const auto original = generated(300, 77);
    t.fx.fake.set_inspector_findings(original);
    const auto original_snippets = served_snippets(t.fx.fake, original);
    for (const auto& region : kRegions) REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    REQUIRE(t.difference({original, original_snippets, {}, {}}) == "");

    // Inspector moves on after the pass started.
    const auto summary = t.fx.fake.evolve_inspector(
        5, {.changed = 0.1, .closed = 0.03, .removed = 0.06, .added = 0.02}, t1 + 2min);
    const auto current = t.fx.fake.inspector_findings();
    std::set<std::string> touched(summary.changed_arns.begin(), summary.changed_arns.end());
    touched.insert(summary.closed_arns.begin(), summary.closed_arns.end());
    touched.insert(summary.added_arns.begin(), summary.added_arns.end());
    const std::set<std::string> removed(summary.removed_arns.begin(), summary.removed_arns.end());
    std::map<std::string, json> by_arn;
    for (const auto& f : original) by_arn[arn_of(f)] = f;
    for (const auto& f : current) by_arn[arn_of(f)] = f;

    const SysTime t2 = t1 + 10min;
    t.clock.set(t2);
    t.fx.fake.clear_requests();
    std::map<std::string, sync::ScanResult> results;
    for (const auto& region : kRegions) {
        results[region] = t.run(region);
        REQUIRE(results[region].outcome == Outcome::kSucceeded);
    }

    // Every request of the incremental passes asks for what changed since the watermark (the
    // first pass's start) less the overlap; their pages follow the changes, not the total.
    const std::int64_t since_s = epoch_s(t1 - kOverlap);
    for (const auto& region : kRegions) {
        INFO("region " << region);
        std::size_t total = 0;
        std::size_t changed = 0;
        for (const auto& f : current) {
            if (region_of(f) != region) continue;
            ++total;
            if (f.contains("updatedAt") &&
                reference_micros(f["updatedAt"]) >= since_s * 1'000'000) {
                ++changed;
            }
        }
        const auto touched_here = std::count_if(
            touched.begin(), touched.end(), [&](auto& arn) { return arn_region(arn) == region; });
        CHECK(changed == static_cast<std::size_t>(touched_here));
        REQUIRE(pages_for(changed) < pages_for(total));
        const auto listed = t.requests("ListFindings", region);
        CHECK(listed.size() == pages_for(changed));
        for (const auto& r : listed) {
            CHECK(r.body.at("filterCriteria").value("updatedAt", json()) ==
                  json::array({{{"startInclusive", since_s}}}));
        }
        const auto& result = results[region];
        CHECK(result.pages == static_cast<int>(pages_for(changed)));
        CHECK(result.counts.seen == static_cast<int>(changed));
        const auto added_here = std::count_if(summary.added_arns.begin(), summary.added_arns.end(),
                                              [&](auto& arn) { return arn_region(arn) == region; });
        CHECK(result.counts.inserted == added_here);
        CHECK(result.counts.updated == touched_here - added_here);
        const auto cp = t.checkpoint(region);
        REQUIRE(cp);
        CHECK(cp->watermark_us == us(t2));
        CHECK(cp->last_full_us == us(t1));
    }
    // Snippets are fetched for the new and newer code findings only, once each.
    std::multiset<std::string> asked;
    for (const auto& r : t.requests("BatchGetCodeSnippet")) {
        for (const auto& arn : r.body.at("findingArns")) asked.insert(arn.get<std::string>());
    }
    std::multiset<std::string> wanted;
    for (const auto& arn : touched) {
        if (is_code(by_arn.at(arn))) wanted.insert(arn);
    }
    CHECK(asked == wanted);

    // The tables hold every finding's latest version; the removed ones are not missing yet.
    InspectorExpectation expected{current, served_snippets(t.fx.fake, current), {}, {}};
    for (const auto& arn : removed) {
        expected.findings.push_back(by_arn.at(arn));
        if (original_snippets.count(arn)) expected.snippets[arn] = original_snippets.at(arn);
    }
    CHECK(t.difference(expected) == "");
    CHECK(t.missing().empty());
    for (const auto& row : t.sql("SELECT finding_arn, " + us_of("first_seen_at") + ", " +
                                 us_of("last_changed_at") + " FROM inspector_findings")) {
        const auto arn = row[0].as<std::string>();
        INFO("finding " << arn);
        const bool added =
            std::count(summary.added_arns.begin(), summary.added_arns.end(), arn) != 0;
        CHECK(row[1].as<std::int64_t>() == us(added ? t2 : t1));
        CHECK(row[2].as<std::int64_t>() == us(touched.count(arn) ? t2 : t1));
    }
    CHECK(t.count("inspector_finding_versions") ==
          static_cast<long>(original.size() + touched.size()));

    // Full passes, two hours on: region A with a narrower scope (code findings only; a new
    // scope starts over with a full pass), region B because its last full pass is older than
    // full_sweep. Region C runs no pass.
    const std::string a = kRegions[0];
    const std::string b = kRegions[1];
    const std::string c = kRegions[2];
    std::map<std::string, std::int64_t> want_missing;
    std::set<std::string> categories;
    for (const auto& arn : removed) {
        const auto& f = by_arn.at(arn);
        const std::string region = region_of(f);
        categories.insert(region == a ? (is_code(f) ? "A code" : "A other") : region);
        if ((region == a && is_code(f)) || region == b) want_missing[arn] = 0;
    }
    // Removed findings inside and outside each scope, or the marking proves nothing.
    REQUIRE(categories == std::set<std::string>{"A code", "A other", b, c});

    const SysTime t3 = t1 + 2h;
    t.clock.set(t3);
    t.fx.fake.clear_requests();
    auto narrower = t.stream(a);
    narrower.finding_types = {kCode};
    REQUIRE(t.run(narrower).outcome == Outcome::kSucceeded);
    REQUIRE(t.run(b).outcome == Outcome::kSucceeded);
    for (const auto& region : {a, b}) {
        for (const auto& r : t.requests("ListFindings", region)) {
            CHECK_FALSE(r.body.at("filterCriteria").contains("updatedAt"));
        }
    }
    for (const auto& r : t.requests("ListFindings", a)) {
        CHECK(r.body.at("filterCriteria").at("findingType") ==
              json::parse(R"([{"comparison":"EQUALS","value":"CODE_VULNERABILITY"}])"));
    }
    for (auto& [arn, when] : want_missing) when = us(t3);
    CHECK(t.missing() == want_missing);
    expected.missing_since_us = want_missing;
    CHECK(t.difference(expected) == "");

    // A missing finding that comes back clears it; the others keep their first missing time.
    const std::string back = std::find_if(want_missing.begin(), want_missing.end(), [&](auto& m) {
                                 return arn_region(m.first) == b;
                             })->first;
    auto returned = current;
    returned.push_back(by_arn.at(back));
    t.fx.fake.set_inspector_findings(returned);
    t.clock.set(t3 + 2h);
    REQUIRE(t.run(b).outcome == Outcome::kSucceeded);
    want_missing.erase(back);
    CHECK(t.missing() == want_missing);
}

TEST_CASE("a pass over unchanged findings writes no finding or child row") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[1];
    t.fx.fake.set_inspector_findings(generated(120, 31, {region}));
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    const auto summary = t.fx.fake.evolve_inspector(
        8, {.changed = 0.25, .closed = 0, .removed = 0, .added = 0}, t1 + 2min);
    const auto changed = static_cast<int>(summary.changed_arns.size());
    t.clock.set(t1 + 10min);
    const auto incremental = t.run(region);
    REQUIRE(incremental.outcome == Outcome::kSucceeded);
    REQUIRE(incremental.counts.updated == changed);
    const auto before = t.row_versions();

    // Ten minutes on, the overlap reads the changed findings again: nothing is new.
    t.clock.set(t1 + 20min);
    t.fx.fake.clear_requests();
    const auto again = t.run(region);
    REQUIRE(again.outcome == Outcome::kSucceeded);
    CHECK(again.counts.seen == changed);
    CHECK(again.counts.unchanged == changed);
    CHECK(again.counts.inserted + again.counts.updated == 0);
    CHECK(t.requests("BatchGetCodeSnippet").empty());
    CHECK(t.row_versions() == before);

    // A full pass over the same data reads every finding and writes none either.
    t.clock.set(t1 + 3h);
    t.fx.fake.clear_requests();
    const auto full = t.run(region);
    REQUIRE(full.outcome == Outcome::kSucceeded);
    for (const auto& r : t.requests("ListFindings")) {
        CHECK_FALSE(r.body.at("filterCriteria").contains("updatedAt"));
    }
    CHECK(full.counts.seen == 120);
    CHECK(full.counts.unchanged == 120);
    CHECK(t.requests("BatchGetCodeSnippet").empty());
    CHECK(t.row_versions() == before);
    CHECK(t.missing().empty());
}

TEST_CASE(
    "throttling, server errors, empty pages and snippet errors end as a clean sync does, but "
    "for the snippets refused for good") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string r0 = kRegions[0];
    const std::string r1 = kRegions[1];
    const auto findings = generated(160, 404, {r0, r1});
    t.fx.fake.set_inspector_findings(findings);
    const auto snippets = served_snippets(t.fx.fake, findings);
    std::vector<std::string> code;
    for (const auto& f : findings) {
        if (is_code(f) && region_of(f) == r0) code.push_back(arn_of(f));
    }
    REQUIRE(code.size() >= 4);
    const std::string not_found = code[0], denied = code[1], internal = code[2], invalid = code[3];
    auto& inspector = t.fx.fake.inspector();
    inspector.set_snippet_error(not_found, "CODE_SNIPPET_NOT_FOUND", 0);
    inspector.set_snippet_error(denied, "ACCESS_DENIED", 1);
    inspector.set_snippet_error(internal, "INTERNAL_ERROR", 1);
    inspector.set_snippet_error(invalid, "INVALID_INPUT", 0);
    inspector.set_empty_page_every(3);
    t.fx.fake.inject({.kind = Fault::Kind::kThrottle,
                      .after_requests = 2,
                      .target = Fault::Target::kListFindings,
                      .retry_after = 1s,
                      .region = r0});
    t.fx.fake.inject({.kind = Fault::Kind::kServerError,
                      .after_requests = 4,
                      .http_status = 500,
                      .target = Fault::Target::kListFindings,
                      .retry_after = 1s,
                      .region = r0});
    t.fx.fake.inject({.kind = Fault::Kind::kServerError,
                      .http_status = 500,
                      .target = Fault::Target::kBatchGetCodeSnippet,
                      .retry_after = 1s,
                      .region = r0});
    t.fx.fake.inject({.kind = Fault::Kind::kThrottle,
                      .after_requests = 1,
                      .target = Fault::Target::kListFindings,
                      .region = r1});

    const auto first = t.run(r0);
    const auto second = t.run(r1);
    REQUIRE(first.outcome == Outcome::kSucceeded);
    REQUIRE(second.outcome == Outcome::kSucceeded);
    CHECK(t.fx.fake.pending_faults() == 0);

    // Each Retry-After was waited for before the same request went again.
    const auto log = t.fx.fake.requests();
    int retried_after = 0;
    for (std::size_t i = 0; i < log.size(); ++i) {
        if (!log[i].fault || log[i].region != r0) continue;
        const auto again = std::find_if(
            log.begin() + static_cast<long>(i) + 1, log.end(), [&](const RequestRecord& r) {
                return r.operation == log[i].operation && r.region == r0 && r.body == log[i].body;
            });
        REQUIRE(again != log.end());
        CHECK(again->status == 200);
        CHECK(again->received_at - log[i].received_at >= 900ms);
        ++retried_after;
    }
    CHECK(retried_after == 3);

    // Empty pages with a nextToken were paged through: more pages than the findings fill.
    const auto in_r0 = std::count_if(findings.begin(), findings.end(),
                                     [&](const json& f) { return region_of(f) == r0; });
    std::size_t answered = 0;
    for (const auto& r : t.requests("ListFindings", r0)) answered += r.status == 200;
    CHECK(answered > pages_for(static_cast<std::size_t>(in_r0)));
    CHECK(first.pages == static_cast<int>(answered));
    CHECK(first.counts.seen == in_r0);

    // Every snippet asked for once; the errors leave none stored.
    std::multiset<std::string> asked;
    for (const auto& r : t.requests("BatchGetCodeSnippet", r0)) {
        if (r.status != 200) continue;
        for (const auto& arn : r.body.at("findingArns")) asked.insert(arn.get<std::string>());
    }
    for (const auto& arn : {not_found, denied, internal, invalid}) CHECK(asked.count(arn) == 1);
    CHECK(t.snippet_status(not_found) == "not_found");
    CHECK(t.snippet_status(denied) == "pending");
    CHECK(t.snippet_status(internal) == "pending");
    CHECK(t.snippet_status(invalid) == "refused");
    auto without = snippets;
    for (const auto& arn : {not_found, denied, internal, invalid}) without.erase(arn);
    CHECK(t.difference({findings, without, {}, {}}) == "");

    // The next run asks again for the pending snippets only, and stores them.
    t.clock.set(t1 + 10min);
    t.fx.fake.clear_requests();
    REQUIRE(t.run(r0).outcome == Outcome::kSucceeded);
    REQUIRE(t.run(r1).outcome == Outcome::kSucceeded);
    CHECK(asked_snippets(t.requests("BatchGetCodeSnippet")) ==
          std::set<std::string>{denied, internal});
    CHECK(t.snippet_status(denied) == "stored");
    CHECK(t.snippet_status(internal) == "stored");
    CHECK(t.snippet_status(not_found) == "not_found");
    CHECK(t.snippet_status(invalid) == "refused");
    without = snippets;
    without.erase(not_found);
    without.erase(invalid);
    CHECK(t.difference({findings, without, {}, {}}) == "");
    CHECK(t.missing().empty());

    // A newer version of the finding whose snippet was not found starts over: asked again.
    auto changed = findings;
    for (auto& f : changed) {
        if (arn_of(f) == not_found) f["updatedAt"] = epoch_s(t1 + 11min);
    }
    t.fx.fake.set_inspector_findings(changed);
    t.fx.fake.inspector().clear_snippet_errors();
    t.clock.set(t1 + 20min);
    t.fx.fake.clear_requests();
    REQUIRE(t.run(r0).outcome == Outcome::kSucceeded);
    CHECK(asked_snippets(t.requests("BatchGetCodeSnippet")) == std::set<std::string>{not_found});
    CHECK(t.snippet_status(not_found) == "stored");
    auto now_served = served_snippets(t.fx.fake, changed);
    now_served.erase(invalid);
    CHECK(t.difference({changed, now_served, {}, {}}) == "");
}

TEST_CASE("a repeated nextToken fails the pass and marks nothing missing") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[2];
    auto findings = generated(60, 9, {region});
    t.fx.fake.set_inspector_findings(findings);
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);

    std::map<std::string, std::int64_t> gone;
    for (std::size_t i : {5, 17, 30, 44, 58}) gone[arn_of(findings[i])] = 0;
    std::vector<json> kept;
    for (const auto& f : findings) {
        if (!gone.count(arn_of(f))) kept.push_back(f);
    }
    t.fx.fake.set_inspector_findings(kept);

    // A full pass (the last one is older than full_sweep) whose third page repeats its token.
    const SysTime t2 = t1 + 2h;
    t.clock.set(t2);
    t.fx.fake.inject({.kind = Fault::Kind::kRepeatToken,
                      .after_requests = 1,
                      .target = Fault::Target::kListFindings});
    const auto failed = t.run(region);
    CHECK(failed.outcome == Outcome::kFailed);
    CHECK(failed.error.find("repeated nextToken") != std::string::npos);
    const auto run = t.sql("SELECT outcome, error FROM sync_runs WHERE run_id = $1", failed.run_id);
    REQUIRE(run.size() == 1);
    CHECK(run[0][0].as<std::string>() == "failed");
    CHECK(run[0][1].as<std::string>().find("repeated nextToken") != std::string::npos);
    CHECK(t.missing().empty());
    const auto cp = t.checkpoint(region);
    REQUIRE(cp);
    CHECK(cp->next_token);
    CHECK(cp->last_error);

    // The next run finishes the pass: now, and only now, the gone findings are missing.
    const SysTime t3 = t2 + 1min;
    t.clock.set(t3);
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    for (auto& [arn, when] : gone) when = us(t3);
    CHECK(t.missing() == gone);
}

TEST_CASE("a ListFindings page longer than maxResults fails the pass at once, not asked again") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[1];
    t.fx.fake.set_inspector_findings(generated(3 * kPageSize, 4, {region}));
    // The second page comes back with 25 entries where kPageSize were asked for.
    Fault oversized{.kind = Fault::Kind::kOversizedPage,
                    .count = 0,
                    .after_requests = 1,
                    .target = Fault::Target::kListFindings};
    oversized.items = 25;
    t.fx.fake.inject(oversized);
    t.fx.fake.clear_requests();

    const auto failed = t.run(region);
    CHECK(failed.outcome == Outcome::kFailed);
    INFO(failed.error);
    CHECK(failed.error.find("InvalidResponse") != std::string::npos);
    CHECK(failed.error.find("ListFindings returned more than " + std::to_string(kPageSize) +
                            " findings (maxResults=" + std::to_string(kPageSize) + ")") !=
          std::string::npos);
    // A broken contract is not retried: one request for each of the two pages.
    CHECK(t.requests("ListFindings", region).size() == 2);
    // The first page was stored; nothing of the oversized one.
    CHECK(t.sql("SELECT count(*) FROM inspector_findings")[0][0].as<int>() == kPageSize);
}

TEST_CASE("an interrupted full pass resumes with its stored kind, filter and token") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[0];
    const auto findings = generated(100, 55, {region});
    t.fx.fake.set_inspector_findings(findings);
    const auto snippets = served_snippets(t.fx.fake, findings);
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);

    std::map<std::string, std::int64_t> gone;
    for (std::size_t i : {2, 40, 77, 99}) gone[arn_of(findings[i])] = 0;
    std::vector<json> kept;
    for (const auto& f : findings) {
        if (!gone.count(arn_of(f))) kept.push_back(f);
    }
    t.fx.fake.set_inspector_findings(kept);

    // A full pass (its last full pass is older than full_sweep), stopped after three pages.
    const SysTime t2 = t1 + 2h;
    t.clock.set(t2);
    t.fx.fake.clear_requests();
    StopAfterPages stopper(t.fx.stack->stop(), 3);
    const auto interrupted = t.run(t.stream(region), &stopper);
    REQUIRE(interrupted.outcome == Outcome::kInterrupted);
    const auto first_requests = t.requests("ListFindings", region);
    REQUIRE_FALSE(first_requests.empty());
    const json pass_filter = first_requests.front().body.at("filterCriteria");
    CHECK_FALSE(pass_filter.contains("updatedAt"));
    const auto cp = t.checkpoint(region);
    REQUIRE(cp);
    REQUIRE(cp->next_token);
    CHECK(cp->pass_kind == "full");
    REQUIRE(cp->pass_filter);
    CHECK(json::parse(*cp->pass_filter) == pass_filter);
    const long done = cp->pages_done;
    CHECK(done >= 3);
    CHECK(t.missing().empty());

    // A restarted daemon whose full_sweep would now call for an incremental pass resumes the
    // stored full pass instead: same filter, the stored token.
    t.fx.restart_client();
    t.fx.fake.clear_requests();
    t.clock.set(t2 + 1min);
    auto options = t.stream(region);
    options.full_sweep = 24h;
    const auto resumed = t.run(options);
    REQUIRE(resumed.outcome == Outcome::kSucceeded);
    const auto listed = t.requests("ListFindings", region);
    REQUIRE_FALSE(listed.empty());
    CHECK(listed.front().status == 200);
    CHECK(listed.front().next_token() == cp->next_token);
    for (const auto& r : listed) CHECK(r.body.at("filterCriteria") == pass_filter);
    CHECK(resumed.pages == static_cast<int>(pages_for(kept.size())) - done);

    // The seen-set spans both runs: only the gone findings are missing, at the pass's end;
    // the watermark is the interrupted run's start.
    for (auto& [arn, when] : gone) when = us(t2 + 1min);
    CHECK(t.missing() == gone);
    const auto after = t.checkpoint(region);
    REQUIRE(after);
    CHECK(after->watermark_us == us(t2));
    CHECK(after->last_full_us == us(t2));
    CHECK_FALSE(after->next_token);
    // Every finding as first synced (the gone ones too, snippets included), now with the gone
    // ones missing.
    CHECK(t.difference({findings, snippets, gone, {}}) == "");
    const auto runs = t.sql("SELECT outcome FROM sync_runs ORDER BY run_id");
    REQUIRE(runs.size() == 3);
    CHECK(runs[1][0].as<std::string>() == "interrupted");
    CHECK(runs[2][0].as<std::string>() == "succeeded");
}

TEST_CASE("an interrupted incremental pass resumes with its stored filter and token") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[1];
    t.fx.fake.set_inspector_findings(generated(100, 56, {region}));
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    const auto summary = t.fx.fake.evolve_inspector(
        6, {.changed = 0.5, .closed = 0, .removed = 0, .added = 0}, t1 + 2min);
    const auto changed = summary.changed_arns.size();
    REQUIRE(pages_for(changed) >= 4);

    const SysTime t2 = t1 + 10min;
    t.clock.set(t2);
    t.fx.fake.clear_requests();
    StopAfterPages stopper(t.fx.stack->stop(), 2);
    REQUIRE(t.run(t.stream(region), &stopper).outcome == Outcome::kInterrupted);
    const auto cp = t.checkpoint(region);
    REQUIRE(cp);
    REQUIRE(cp->next_token);
    CHECK(cp->pass_kind == "incremental");
    const json stored_filter = json::parse(*cp->pass_filter);
    CHECK(stored_filter.at("updatedAt") ==
          json::array({{{"startInclusive", epoch_s(t1 - kOverlap)}}}));

    // Restarted with a longer overlap: a new pass would start elsewhere, the resumed one
    // sends its stored filter with the stored token.
    t.fx.restart_client();
    t.fx.fake.clear_requests();
    t.clock.set(t2 + 5min);
    auto options = t.stream(region);
    options.overlap = 30min;
    const auto resumed = t.run(options);
    REQUIRE(resumed.outcome == Outcome::kSucceeded);
    const auto listed = t.requests("ListFindings", region);
    REQUIRE_FALSE(listed.empty());
    CHECK(listed.front().status == 200);
    CHECK(listed.front().next_token() == cp->next_token);
    for (const auto& r : listed) CHECK(r.body.at("filterCriteria") == stored_filter);
    CHECK(resumed.pages == static_cast<int>(pages_for(changed)) - cp->pages_done);

    const auto after = t.checkpoint(region);
    REQUIRE(after);
    CHECK(after->watermark_us == us(t2));
    CHECK(after->last_full_us == us(t1));
    const auto current = t.fx.fake.inspector_findings();
    CHECK(t.difference({current, served_snippets(t.fx.fake, current), {}, {}}) == "");
}

TEST_CASE("a rejected token restarts the stored pass from its first page with the same filter") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[2];
    const auto findings = generated(80, 57, {region});
    t.fx.fake.set_inspector_findings(findings);
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    std::map<std::string, std::int64_t> gone;
    for (std::size_t i : {0, 33, 79}) gone[arn_of(findings[i])] = 0;
    std::vector<json> kept;
    for (const auto& f : findings) {
        if (!gone.count(arn_of(f))) kept.push_back(f);
    }
    t.fx.fake.set_inspector_findings(kept);

    const SysTime t2 = t1 + 2h;
    t.clock.set(t2);
    StopAfterPages stopper(t.fx.stack->stop(), 2);
    REQUIRE(t.run(t.stream(region), &stopper).outcome == Outcome::kInterrupted);
    const auto cp = t.checkpoint(region);
    REQUIRE(cp);
    REQUIRE(cp->next_token);
    REQUIRE(cp->pass_filter);
    const json pass_filter = json::parse(*cp->pass_filter);

    // The API no longer takes the stored token: the same full pass starts over.
    t.fx.restart_client();
    t.fx.fake.clear_requests();
    t.fx.fake.inject({.kind = Fault::Kind::kRejectToken, .target = Fault::Target::kListFindings});
    const SysTime t3 = t2 + 1min;
    t.clock.set(t3);
    auto options = t.stream(region);
    options.full_sweep = 24h;
    const auto resumed = t.run(options);
    REQUIRE(resumed.outcome == Outcome::kSucceeded);
    const auto listed = t.requests("ListFindings", region);
    REQUIRE(listed.size() == 1 + pages_for(kept.size()));
    CHECK(listed[0].next_token() == cp->next_token);
    CHECK(listed[0].status == 400);
    CHECK_FALSE(listed[1].next_token());
    for (const auto& r : listed) CHECK(r.body.at("filterCriteria") == pass_filter);
    CHECK(resumed.pages == static_cast<int>(pages_for(kept.size())));
    // A complete pass from the first page: exactly the gone findings are missing.
    for (auto& [arn, when] : gone) when = us(t3);
    CHECK(t.missing() == gone);
}

TEST_CASE("a full pass filtered by account and status marks missing only the findings in scope") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[1];
    const auto findings = generated(80, 59, {region});
    t.fx.fake.set_inspector_findings(findings);
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);

    // Gone: one finding inside the scope (account A, ACTIVE) and two outside it.
    const std::string account = kAccounts[0];
    const auto first_where = [&](auto predicate) {
        const auto it = std::find_if(findings.begin(), findings.end(), predicate);
        REQUIRE(it != findings.end());
        return arn_of(*it);
    };
    const std::string in_scope = first_where(
        [&](const json& f) { return f["awsAccountId"] == account && f["status"] == "ACTIVE"; });
    const std::string other_status = first_where(
        [&](const json& f) { return f["awsAccountId"] == account && f["status"] != "ACTIVE"; });
    const std::string other_account = first_where(
        [&](const json& f) { return f["awsAccountId"] != account && f["status"] == "ACTIVE"; });
    const std::set<std::string> gone{in_scope, other_status, other_account};
    std::vector<json> kept;
    for (const auto& f : findings) {
        if (!gone.count(arn_of(f))) kept.push_back(f);
    }
    t.fx.fake.set_inspector_findings(kept);

    // A new scope: a full pass at once, although the last one is recent.
    const SysTime t2 = t1 + 5min;
    t.clock.set(t2);
    t.fx.fake.clear_requests();
    auto options = t.stream(region);
    options.accounts = {account};
    options.status = "ACTIVE";
    REQUIRE(t.run(options).outcome == Outcome::kSucceeded);
    for (const auto& r : t.requests("ListFindings", region)) {
        const auto& filter = r.body.at("filterCriteria");
        CHECK_FALSE(filter.contains("updatedAt"));
        CHECK(filter.at("awsAccountId") ==
              json::array({{{"comparison", "EQUALS"}, {"value", account}}}));
        CHECK(filter.at("findingStatus") ==
              json::array({{{"comparison", "EQUALS"}, {"value", "ACTIVE"}}}));
    }
    CHECK(t.missing() == std::map<std::string, std::int64_t>{{in_scope, us(t2)}});
}

TEST_CASE("a CodeGuru scan named like a region keeps its own checkpoint, runs and findings") {
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[0];
    const auto findings = generated(50, 60, {region});
    t.fx.fake.set_inspector_findings(findings);
    t.fx.fake.set_scan(region, generate_findings(region, 30, 61));

    // An Inspector pass interrupted mid-way, then the CodeGuru scan of the same name.
    StopAfterPages stopper(t.fx.stack->stop(), 2);
    REQUIRE(t.run(t.stream(region), &stopper).outcome == Outcome::kInterrupted);
    const auto interrupted = t.checkpoint(region);
    REQUIRE(interrupted);
    REQUIRE(interrupted->next_token);
    t.fx.restart_client();
    REQUIRE(t.fx.sync(region, t.clock, 10).outcome == Outcome::kSucceeded);
    const auto after_codeguru = t.checkpoint(region);
    REQUIRE(after_codeguru);
    CHECK(after_codeguru->next_token == interrupted->next_token);
    CHECK(after_codeguru->pages_done == interrupted->pages_done);

    // The Inspector pass resumes from its own token.
    t.fx.fake.clear_requests();
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    const auto listed = t.requests("ListFindings", region);
    REQUIRE_FALSE(listed.empty());
    CHECK(listed.front().next_token() == interrupted->next_token);
    CHECK(t.difference({findings, served_snippets(t.fx.fake, findings), {}, {}}) == "");
    CHECK(t.count("findings WHERE scan_name = '" + region + "'") == 30);
    CHECK(t.count("sync_checkpoints WHERE scan_name = '" + region + "'") == 2);
    CHECK(t.count("sync_runs WHERE source = 'codeguru' AND outcome = 'succeeded'") == 1);
    CHECK(t.count("sync_runs WHERE source = 'inspector' AND outcome = 'succeeded'") == 1);
    CHECK(t.count("sync_runs WHERE source = 'inspector' AND outcome = 'interrupted'") == 1);
}

TEST_CASE("the comparison with the reference names each changed column, missing and extra row") {
    InspectorSync t;
    const std::string region = kRegions[0];
    const auto findings = generated(30, 58, {region});
    t.fx.fake.set_inspector_findings(findings);
    const auto snippets = served_snippets(t.fx.fake, findings);
    REQUIRE(t.run(region).outcome == Outcome::kSucceeded);
    const InspectorExpectation expected{findings, snippets, {}, {}};
    REQUIRE(t.difference(expected) == "");

    const auto line = t.sql(
        "SELECT finding_arn, line_number FROM inspector_finding_code_lines ORDER BY 1, 2 LIMIT 1");
    const auto tag =
        t.sql("SELECT finding_arn, tag FROM inspector_finding_detector_tags ORDER BY 1, 2 LIMIT 1");
    const auto resource = t.sql(
        "SELECT finding_arn, ordinal FROM inspector_finding_resources WHERE details IS NOT NULL "
        "ORDER BY 1, 2 LIMIT 1");
    const auto scored = t.sql(
        "SELECT finding_arn FROM inspector_findings WHERE inspector_score IS NOT NULL ORDER BY 1 "
        "LIMIT 1");
    REQUIRE((line.size() == 1 && tag.size() == 1 && resource.size() == 1 && scored.size() == 1));
    const auto key = [](const pqxx::row& row) {
        return row[0].as<std::string>() + "#" + row[1].as<std::string>();
    };
    const std::string score_arn = scored[0][0].as<std::string>();
    const struct {
        std::string statement;
        std::string reported;
    } mutations[] = {
        {"UPDATE inspector_finding_code_lines SET content = content || 'x' WHERE finding_arn = '" +
             line[0][0].as<std::string>() + "' AND line_number = " + line[0][1].as<std::string>(),
         "inspector_finding_code_lines row " + key(line[0]) + " column content"},
        {"DELETE FROM inspector_finding_detector_tags WHERE finding_arn = '" +
             tag[0][0].as<std::string>() + "' AND tag = '" + tag[0][1].as<std::string>() + "'",
         "inspector_finding_detector_tags row " + key(tag[0]) + ": missing"},
        {"INSERT INTO inspector_finding_cwes VALUES ('" + score_arn + "', 99, 'CWE-1')",
         "inspector_finding_cwes row " + score_arn + "#99: unexpected"},
        {"UPDATE inspector_finding_resources SET details = jsonb_set(details, '{extra}', '1') "
         "WHERE finding_arn = '" +
             resource[0][0].as<std::string>() +
             "' AND ordinal = " + resource[0][1].as<std::string>(),
         "inspector_finding_resources row " + key(resource[0]) + " column details"},
        {"UPDATE inspector_findings SET inspector_score = inspector_score + 1e-12 WHERE "
         "finding_arn = '" +
             score_arn + "'",
         "inspector_findings row " + score_arn + " column inspector_score"},
        {"UPDATE inspector_findings SET updated_at = updated_at + interval '1 microsecond' WHERE "
         "finding_arn = '" +
             score_arn + "'",
         "inspector_findings row " + score_arn + " column updated_at"},
    };
    for (const auto& mutation : mutations) {
        INFO(mutation.statement);
        t.sql(mutation.statement);
        const auto report = test::difference(
            inspector_reference_tables(expected),
            stored_inspector_tables(t.fx.schema.conninfo(), t.fx.schema.name()), 100);
        CHECK(report.find(mutation.reported) != std::string::npos);
    }
}

namespace {

// One run of a stream in a child process, as a freshly started daemon would run it: its own
// client stack, database access (connections named `application_name`) and owner id. The
// child exits 0 when the run succeeded; it never returns.
pid_t spawn_stream_run(const std::string& endpoint, const std::string& database_url,
                       const inspector::StreamOptions& options, SysTime now) {
    const pid_t pid = ::fork();
    if (pid != 0) return pid;
    int code = 2;
    try {
        spdlog::set_level(spdlog::level::off);
        ClientStack stack(ClientStackOptions{.endpoint = endpoint});
        store::DatabaseOptions database_options;
        database_options.url = database_url;
        store::Database database(database_options, stack.stop());
        PinnedClock clock(now);
        sync::PassRunnerOptions runner_options;
        runner_options.schema = options.schema;
        const std::string self = sync::make_owner_id();
        runner_options.owner = {self, std::chrono::seconds(120), [self](std::string_view holder) {
                                    return sync::owner_is_defunct(holder, self);
                                }};
        sync::PassRunner runner(database, clock, stack.stop(), runner_options);
        inspector::StreamSource source(stack.inspector(options.region), clock, options);
        code = runner.run(source).outcome == Outcome::kSucceeded ? 0 : 1;
    } catch (...) {
        code = 3;
    }
    std::_Exit(code);
}

template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

using Version = std::pair<std::string, std::int64_t>;  // (finding ARN, version time in µs)

// Every version of the findings the API served during a kill loop, and their snippets.
struct ServedVersions {
    std::map<Version, json> findings;
    std::map<Version, json> snippets;

    void add(FakeCodeGuruApi& fake) {
        const auto current = fake.inspector_findings();
        const auto served = served_snippets(fake, current);
        for (const auto& f : current) {
            const Version version{arn_of(f), reference_version_us(f)};
            findings[version] = f;
            if (served.count(arn_of(f))) snippets[version] = served.at(arn_of(f));
        }
    }
};

// Whole pages only: every stored finding is a version the API served, with exactly its rows
// (code lines and fixes only when its snippet is stored).
std::string partial_difference(const TestSchema& schema, const ServedVersions& served) {
    pqxx::connection c(schema.conninfo());
    pqxx::work tx(c);
    InspectorExpectation expected;
    for (const auto& row :
         tx.exec("SELECT finding_arn, " + us_of("updated_at") + ", snippet_status FROM " +
                 tx.quote_name(schema.name()) + ".inspector_findings")) {
        const Version version{row[0].as<std::string>(), row[1].as<std::int64_t>()};
        const auto f = served.findings.find(version);
        if (f == served.findings.end()) {
            return version.first + " is stored at a version the API never served";
        }
        expected.findings.push_back(f->second);
        if (!row[2].is_null() && row[2].as<std::string>() == "stored" &&
            served.snippets.count(version)) {
            expected.snippets[version.first] = served.snippets.at(version);
        }
    }
    return test::difference(inspector_reference_tables(expected),
                            stored_inspector_tables(schema.conninfo(), schema.name()));
}

struct KillStats {
    int kills = 0;
    int completed = 0;  // lives whose run ended before the kill
    int resumed = 0;    // lives whose first page request was checked against the checkpoint
};

// SIGKILLs children running `options` until `kills` of them died mid-run, checking after
// each that the next page request resumes the checkpoint and the tables hold whole pages.
// Each life's clock is a second after the previous one's.
KillStats kill_loop(InspectorSync& t, const inspector::StreamOptions& options, SysTime start,
                    int kills, const ServedVersions& served, std::mt19937& rng) {
    const std::string application = "inspector_kill_" + t.fx.schema.name();
    const std::string url = t.fx.schema.conninfo() + " application_name=" + application;
    const auto uniform_ms = [&](int low, int high) {
        return std::chrono::milliseconds(std::uniform_int_distribution<int>(low, high)(rng));
    };
    KillStats stats;
    for (int life = 0; stats.kills < kills; ++life) {
        INFO("life " << life << ", " << stats.kills << " kill(s) so far");
        REQUIRE(life < 3 * kills);
        const auto before = t.checkpoint(options.region);
        const auto listed_before = t.fx.fake.counters().list_findings;
        const auto spawned_at = std::chrono::steady_clock::now();
        const pid_t pid = spawn_stream_run(t.fx.fake.endpoint(), url, options,
                                           start + std::chrono::seconds(life));
        REQUIRE(pid > 0);
        // One life in five dies while starting; the others during their first to third page
        // (up to 15 ms after the page was asked for: while the fake delays its answer, or
        // while the page is written). Counted in pages, not in time, so that every life ends
        // part way through a pass however fast the pages are written.
        int status = 0;
        bool exited = false;
        if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
            std::this_thread::sleep_for(uniform_ms(0, 60));
        } else {
            const auto pages = std::uniform_int_distribution<std::size_t>(1, 3)(rng);
            wait_until(
                [&] {
                    exited = exited || ::waitpid(pid, &status, WNOHANG) == pid;
                    return exited || t.fx.fake.counters().list_findings >= listed_before + pages;
                },
                10s);
            std::this_thread::sleep_for(uniform_ms(0, 15));
        }
        if (!exited && ::waitpid(pid, &status, WNOHANG) == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
        }
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) {
            ++stats.kills;
        } else {
            REQUIRE(WIFEXITED(status));
            REQUIRE(WEXITSTATUS(status) == 0);
            ++stats.completed;
        }
        // The dead child's backend finishes (or rolls back) what it was doing first.
        REQUIRE(wait_until(
            [&] {
                return t.sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                             application)[0][0]
                           .as<int>() == 0;
            },
            10s));

        // The life began where the checkpoint stood: the stored token and pass filter.
        std::vector<RequestRecord> listed;
        for (auto& r : t.requests("ListFindings", options.region)) {
            if (r.received_at >= spawned_at) listed.push_back(std::move(r));
        }
        if (!listed.empty() && before) {
            CHECK(listed.front().next_token() == before->next_token);
            if (before->next_token) {
                REQUIRE(before->pass_filter);
                CHECK(listed.front().body.at("filterCriteria") ==
                      json::parse(*before->pass_filter));
            }
            ++stats.resumed;
        }
        CHECK(partial_difference(t.fx.schema, served) == "");
        const auto after = t.checkpoint(options.region);
        if (after) {
            CHECK(after->next_token.has_value() == (after->pages_done > 0));
            // Until a pass completes, the stored findings are exactly the committed pages'.
            if (!after->last_completed_us && after->next_token) {
                CHECK(t.count("inspector_findings") == after->pages_done * options.page_size);
            }
        }
    }
    return stats;
}

}  // namespace

TEST_CASE(
    "SIGKILL at 20 random points of a full and of an incremental pass, resuming each time, ends "
    "equal to one clean sync") {
    constexpr int kKills = 20;
    const SysTime t1 = whole_second_now();
    InspectorSync t(t1);
    const std::string region = kRegions[0];
    t.fx.fake.set_inspector_findings(generated(200, 2024, {region}));
    auto options = t.stream(region);
    options.page_size = 5;
    options.full_sweep = 24h;
    ServedVersions served;
    served.add(t.fx.fake);

    // The clean sync the killed ones must end equal to, in a schema of its own.
    TestSchema clean;
    {
        pqxx::connection c(clean.conninfo());
        store::apply_migrations(c, clean.name());
    }
    REQUIRE(t.run_on(clean, options).outcome == Outcome::kSucceeded);
    const auto clean_full = stored_inspector_tables(clean.conninfo(), clean.name());
    {
        const auto current = t.fx.fake.inspector_findings();
        REQUIRE(test::difference(inspector_reference_tables(
                                     {current, served_snippets(t.fx.fake, current), {}, {}}),
                                 clean_full) == "");
    }

    std::mt19937 rng(8675309);
    t.fx.fake.set_page_delay(10ms);
    const auto full = kill_loop(t, options, t1, kKills, served, rng);
    CHECK(full.resumed >= kKills / 2);
    t.fx.fake.set_page_delay(0ms);
    t.clock.set(t1 + 2min);
    REQUIRE(t.run(options).outcome == Outcome::kSucceeded);
    CHECK(test::difference(clean_full, stored_inspector_tables(t.fx.schema.conninfo(),
                                                               t.fx.schema.name())) == "");
    CHECK(t.count("inspector_findings") == 200);

    // Then an incremental pass over many changes, the same way.
    const auto summary = t.fx.fake.evolve_inspector(
        12, {.changed = 0.4, .closed = 0.05, .removed = 0.03, .added = 0.02}, t1 + 5min);
    served.add(t.fx.fake);
    const SysTime t2 = t1 + 10min;
    t.clock.set(t2);
    REQUIRE(t.run_on(clean, options).outcome == Outcome::kSucceeded);
    const auto clean_incremental = stored_inspector_tables(clean.conninfo(), clean.name());
    {
        InspectorExpectation expected;
        for (const auto& [version, f] : served.findings) {
            // The latest version of each finding served, removed ones included.
            const auto next = served.findings.upper_bound(
                {version.first, std::numeric_limits<std::int64_t>::max()});
            if (next != served.findings.begin() && std::prev(next)->first == version) {
                expected.findings.push_back(f);
                if (served.snippets.count(version))
                    expected.snippets[version.first] = served.snippets.at(version);
            }
        }
        REQUIRE(test::difference(inspector_reference_tables(expected), clean_incremental) == "");
    }
    REQUIRE(summary.changed_arns.size() >= 80);  // an incremental pass of 20 pages or more

    t.fx.fake.set_page_delay(10ms);
    const auto incremental = kill_loop(t, options, t2, kKills, served, rng);
    CHECK(incremental.resumed >= kKills / 2);
    t.fx.fake.set_page_delay(0ms);
    t.clock.set(t2 + 2min);
    REQUIRE(t.run(options).outcome == Outcome::kSucceeded);
    CHECK(test::difference(clean_incremental, stored_inspector_tables(t.fx.schema.conninfo(),
                                                                      t.fx.schema.name())) == "");
    CHECK(t.count("sync_runs WHERE outcome = 'running'") == 0);
    CHECK(t.count("sync_runs WHERE outcome = 'failed'") == 0);
    CHECK(t.missing().empty());
    const auto cp = t.checkpoint(region);
    REQUIRE(cp);
    CHECK_FALSE(cp->next_token);
    CHECK(cp->pages_done == 0);
}
