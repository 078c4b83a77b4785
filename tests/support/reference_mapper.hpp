#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace codeguru::test {

// An independent reading of SPEC §2 (wire findings) and §5 (what the database holds), written
// from the SPEC alone: it calls nothing of the daemon, so tests that compare the daemon's
// tables with it do not check the daemon's mapping against itself. It covers well-typed
// wire data; anything else is refused with std::invalid_argument naming the member.

// SPEC §5 text: every NUL, and every byte that does not begin a well-formed UTF-8 sequence
// (Unicode Table 3-7), becomes U+FFFD; all else is kept byte for byte.
std::string reference_text(std::string_view wire);

// SPEC §2 timestamp: epoch seconds (a JSON integer or fraction) or an ISO-8601 string,
// to epoch microseconds rounded to the nearest (halves away from zero), from the decimal
// text on the wire: 1758000000.872 is ...872000.
std::int64_t reference_micros(const nlohmann::json& value);

// One wire finding as SPEC §5 stores it: `text` and `integers` by findings column,
// absent members as nullopt; child lists in the API's order (ordinal = index + 1), with a
// tag or a code line number that repeats kept once (the first); code lines without a
// number are not storable (the number is their key) and left out.
struct ReferenceFinding {
    std::string id;
    std::optional<std::int64_t> created_at_us;
    std::optional<std::int64_t> updated_at_us;  // nullopt: neither updatedAt nor createdAt
    std::map<std::string, std::optional<std::string>> text;
    std::map<std::string, std::optional<std::int64_t>> integers;
    std::vector<std::string> tags;
    std::vector<std::pair<std::int64_t, std::optional<std::string>>> code_lines;
    std::vector<std::pair<std::optional<std::string>, std::optional<std::string>>> fixes;
    std::vector<std::string> reference_urls;
    std::vector<std::string> related;
};

// nullopt for an entry without an id, which the sync rejects.
std::optional<ReferenceFinding> reference_finding(const nlohmann::json& wire);

// A row as column → value: NULL as nullopt, timestamps as integer epoch microseconds,
// integers in decimal.
using ContractRow = std::map<std::string, std::optional<std::string>>;
// Rows by table name, each table's rows sorted.
using ContractRows = std::map<std::string, std::vector<ContractRow>>;

// The contract tables' rows (SPEC §5: findings, finding_versions and the five child tables;
// every one present, maybe empty) after one complete first pass of `scan` returned
// `findings` (ids unique), without the columns that hold the sync's own time
// (first_seen_at, observed_at). Throws std::invalid_argument for a repeated id or a finding
// with neither timestamp (its updated_at is the sync's time, which no reference knows).
ContractRows reference_rows(const std::string& scan, const std::vector<nlohmann::json>& findings);

// Adds another scan's rows to `rows`, keeping each table sorted.
void merge_rows(ContractRows& rows, const ContractRows& more);

}  // namespace codeguru::test
