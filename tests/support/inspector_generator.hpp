#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace codeguru::test {

// Relative shares of the three finding types; a type with share 0 is never generated.
struct InspectorTypeMix {
    double code = 0.6;     // CODE_VULNERABILITY
    double package = 0.3;  // PACKAGE_VULNERABILITY
    double network = 0.1;  // NETWORK_REACHABILITY
};

struct InspectorGenerateOptions {
    std::uint64_t seed = 1;
    std::size_t count = 100;
    std::vector<std::string> regions{"us-east-1"};
    std::vector<std::string> accounts{"123456789012"};  // 12 digits each
    InspectorTypeMix types{};
    bool full_text = false;  // every description near the 1024-character maximum
    // Findings are first observed in the 90 days before this time (2025-09-16T05:20:00Z).
    std::chrono::system_clock::time_point base_time{std::chrono::seconds(1758000000)};
};

// Realistic Amazon Inspector findings in the exact wire shape of inspector2 ListFindings
// (SPEC §10.1; every member of botocore's `Finding` shape occurs). Deterministic: the same
// options give the same findings, byte for byte. Guarantees:
// - findingArn `arn:PARTITION:inspector2:REGION:ACCOUNT:finding/<32 hex>`, unique; the ARN's
//   region and account are the finding's (`awsAccountId`), assigned round-robin so that every
//   region × account pair has findings once count >= regions × accounts;
// - the first finding of each type in the mix carries every member its type can have;
// - the k-th finding of a type lacks some optional members when k % 5 == 4 (cycling through
//   the type's variants), code findings repeat a detector tag when k % 4 == 1;
// - timestamps are epoch-second JSON numbers: integers, or fractions to the ms or the µs.
std::vector<nlohmann::json> generate_inspector_findings(const InspectorGenerateOptions& options);

// The BatchGetCodeSnippet `codeSnippetResults` entry for a finding with
// codeVulnerabilityDetails: {findingArn, startLine, endLine, codeSnippet[{lineNumber, content}],
// suggestedFixes[{description, code}]}; nullopt for any other finding. Deterministic in
// (finding, seed); a new version of the finding (another updatedAt) gets other lines. About one
// snippet in five lists a lineNumber twice (the second time with other content).
std::optional<nlohmann::json> generate_code_snippet(const nlohmann::json& finding,
                                                    std::uint64_t seed);

// How much changes between two ListFindings passes; each fraction is of the findings present
// before, and a positive fraction always touches at least one finding.
struct InspectorEvolveOptions {
    double changed = 0.1;   // new severity and title
    double closed = 0.02;   // status CLOSED (from ACTIVE or SUPPRESSED)
    double removed = 0.02;  // gone from the listing
    double added = 0.01;    // new ACTIVE findings
};

struct InspectorEvolveSummary {
    std::vector<std::string> changed_arns;
    std::vector<std::string> closed_arns;
    std::vector<std::string> removed_arns;
    std::vector<std::string> added_arns;
};

// Changes `findings` in place as Inspector would between two passes; no finding is touched
// twice. Changed and closed findings get updatedAt and lastObservedAt = `now` (or 1 ms after
// their previous updatedAt when `now` is not later); added ones are observed and updated at
// `now`, in the regions, accounts and types already present, appended at the end; removed
// ones are erased. Deterministic in (findings, seed, options, now).
InspectorEvolveSummary evolve_inspector_findings(std::vector<nlohmann::json>& findings,
                                                 std::uint64_t seed,
                                                 const InspectorEvolveOptions& options,
                                                 std::chrono::system_clock::time_point now);

// {"changed":N,"closed":N,"removed":N,"added":N,"changedArns":[...],...}
nlohmann::json to_json(const InspectorEvolveSummary& summary);

// An epoch-seconds JSON number from microseconds: an integer for whole seconds, else the
// double nearest to "S.ffffff" with trailing zeros dropped (1758000000.872, 1758000000.123456).
nlohmann::json epoch_seconds_json_us(std::int64_t epoch_us);

// The region of `arn:PARTITION:SERVICE:REGION:...`, or "" when the text is no such ARN.
std::string arn_region(const std::string& arn);

}  // namespace codeguru::test
