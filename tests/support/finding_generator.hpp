#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace codeguru::test {

// Realistic CodeGuru Security findings in the exact wire shape of GetFindings
// (SPEC §2). Deterministic: the same arguments give the same findings, byte for byte.
// Ids are unique within the result; about one finding in eight lacks some optional
// members, a few carry non-ASCII text or descriptions of several KB.
std::vector<nlohmann::json> generate_findings(const std::string& scan_name, std::size_t count,
                                              std::uint64_t seed);

// How much of a scan changes between two passes. Each fraction is of the findings
// present before the change; a positive fraction always touches at least one finding.
struct EvolveOptions {
    double new_fraction = 0.05;      // appended findings, all Open
    double updated_fraction = 0.10;  // severity and/or title changed
    double closed_fraction = 0.05;   // Open findings that become Closed
    double removed_fraction = 0.0;   // findings that disappear from the scan
};

// What evolve_findings did; every changed finding has an updatedAt strictly newer
// than before (removed ones are gone).
struct EvolveSummary {
    std::vector<std::string> added_ids;
    std::vector<std::string> updated_ids;
    std::vector<std::string> closed_ids;
    std::vector<std::string> removed_ids;

    std::size_t added() const { return added_ids.size(); }
    std::size_t updated() const { return updated_ids.size(); }
    std::size_t closed() const { return closed_ids.size(); }
    std::size_t removed() const { return removed_ids.size(); }
};

// Changes `findings` in place as a later scan run would: closes, updates, removes and
// appends findings (no finding is touched twice). Deterministic in (findings, seed, options).
EvolveSummary evolve_findings(std::vector<nlohmann::json>& findings, std::uint64_t seed,
                              const EvolveOptions& options = {});

// {"added":N,"updated":N,"closed":N,"removed":N,"addedIds":[...],...}
nlohmann::json to_json(const EvolveSummary& summary);

// An epoch-seconds JSON number from milliseconds: an integer when the milliseconds are
// whole seconds, else the double nearest to "S.mmm" (so it prints as e.g. 1758000000.872).
nlohmann::json epoch_seconds_json(std::int64_t epoch_ms);

// A random version-4-shaped UUID, as the service uses for finding and request ids.
std::string uuid_like(std::mt19937_64& rng);

}  // namespace codeguru::test
