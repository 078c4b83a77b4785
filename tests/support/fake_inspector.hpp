#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "inspector_generator.hpp"

namespace codeguru::test {

// The opaque nextToken format of both fake services: base64("v1|field|...|field|padding"),
// with random padding redrawn until the token shows + / and =, so that a client must carry
// it intact through JSON and percent-encoding. Fields must not contain '|'.
std::string encode_page_token(const std::vector<std::string>& fields, std::mt19937_64& rng);
// The fields of a token made by encode_page_token with `count` fields; nullopt for anything else.
std::optional<std::vector<std::string>> decode_page_token(std::string_view token,
                                                          std::size_t count);

// The state and operations of a fake Amazon Inspector (inspector2 ListFindings and
// BatchGetCodeSnippet, SPEC §10.1), free of HTTP: FakeCodeGuruApi owns one, checks the
// signature (which yields the region), injects faults and turns a Reply into the answer.
// Every member function is thread-safe.
//
// ListFindings, as implemented:
// - A request sees the findings whose ARN region is its region (a finding without a
//   parsable ARN: its first resource's region, else every region), in insertion order.
// - filterCriteria members are ANDed. In a StringFilter list the EQUALS and PREFIX entries
//   are ORed (none: anything passes) and each NOT_EQUALS entry must also hold; a finding
//   without the member fails EQUALS/PREFIX and passes NOT_EQUALS. StringFilter members:
//   findingArn, awsAccountId, findingType, findingStatus, severity, title, fixAvailable,
//   exploitAvailable, vulnerabilityId, codeVulnerabilityDetectorName. In a DateFilter list
//   (updatedAt, firstObservedAt, lastObservedAt) or NumberFilter list (inspectorScore,
//   epssScore) the entries are ORed, bounds inclusive, compared to the µs; a finding without
//   the member fails. Any other member, and sortCriteria, is a 400 ValidationException.
// - nextToken encodes the position after the last finding returned (so findings removed or
//   added between pages neither shift nor repeat the others), the page number, and a hash
//   of (region, filterCriteria): a token sent with another filter or region is a 400
//   ValidationException "Invalid nextToken". maxResults may change between pages.
class FakeInspector {
  public:
    // A service answer: status 200 with a JSON body, or an error (error_code, e.g.
    // "ValidationException", and its JSON body).
    struct Reply {
        int status = 200;
        std::string error_code;
        std::string body;
    };
    // The broken-API answers a fault can ask of ListFindings (see Fault::Kind).
    enum class PageBend { kNone, kRepeatToken, kEndlessPages, kOversizedPage };

    static constexpr std::string_view kSnippetErrorCodes[] = {
        "CODE_SNIPPET_NOT_FOUND", "ACCESS_DENIED", "INTERNAL_ERROR", "INVALID_INPUT"};

    // `seed`: token padding, and the snippets, which are generate_code_snippet(finding, seed).
    explicit FakeInspector(std::uint64_t seed = 42);

    // Replaces every region's findings (served in this order) and forgets snippet overrides.
    void set_findings(std::vector<nlohmann::json> findings);
    std::vector<nlohmann::json> findings() const;  // a copy
    std::vector<nlohmann::json> findings(
        const std::string& region) const;  // as ListFindings sees them
    // Applies evolve_inspector_findings; snippets follow the findings' new versions.
    InspectorEvolveSummary evolve(std::uint64_t seed, const InspectorEvolveOptions& options,
                                  std::chrono::system_clock::time_point now);

    // The snippet of a finding: one set here, else the generated one of a present
    // CODE_VULNERABILITY finding; remove_snippet makes an ARN have none.
    void set_snippet(const std::string& arn, nlohmann::json result);
    void remove_snippet(const std::string& arn);
    std::optional<nlohmann::json> snippet(const std::string& arn) const;
    // The next `count` requests for `arn` (0: every one) get this per-ARN error; throws
    // std::invalid_argument for a code not in kSnippetErrorCodes.
    void set_snippet_error(const std::string& arn, const std::string& code, std::size_t count = 1);
    void clear_snippet_errors();

    // Every n-th page of a listing comes back empty with a nextToken, while findings remain
    // (0: never). Throws std::invalid_argument for 1, which would never end.
    void set_empty_page_every(std::size_t n);

    // POST /findings/list; `request` is the parsed body (discarded: unparsable).
    // `pad_to`: kOversizedPage fills the page with {} entries up to this many.
    Reply list_findings(const std::string& region, const nlohmann::json& request,
                        PageBend bend = PageBend::kNone, std::size_t pad_to = 0);
    // POST /codesnippet/batchget.
    Reply batch_get_code_snippet(const std::string& region, const nlohmann::json& request);

    // The answer to a nextToken the service will not take: 400 ValidationException
    // "Invalid nextToken".
    static Reply invalid_token();

  private:
    struct Entry {
        std::uint64_t seq;  // strictly increasing in `entries_`; a token resumes after one
        std::string region;
        nlohmann::json finding;
        mutable std::string serialized;  // finding.dump(), made on first demand
    };
    struct SnippetError {
        std::string code;
        std::size_t remaining;  // 0: forever
    };

    // REQUIRES: mutex_ held. Keeps the seq of a finding whose ARN was present before
    // (looked up through by_arn_), when that keeps the sequence increasing.
    void replace_locked(std::vector<nlohmann::json> findings);

    mutable std::mutex mutex_;
    std::uint64_t seed_;
    std::mt19937_64 rng_;
    std::vector<Entry> entries_;
    std::unordered_map<std::string, std::size_t> by_arn_;  // index into entries_
    std::uint64_t next_seq_ = 1;
    std::map<std::string, std::optional<nlohmann::json>> snippet_overrides_;
    std::map<std::string, SnippetError> snippet_errors_;
    std::size_t empty_page_every_ = 0;
};

}  // namespace codeguru::test
