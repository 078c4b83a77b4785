#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codeguru::test {

// Findings in one flat, comparable shape (keyed by finding id): every findings column a
// SPEC §5 member maps to, by column name, timestamps as integer microseconds, and the child
// lists (tags, code_lines [[number, content]] by number, fixes [[description, code]],
// reference_urls, related) in ordinal order. Absent members are null, absent and empty
// lists are [].
using FlatFindings = std::map<std::string, nlohmann::json>;

// What the daemon should store for these wire findings (the fake's JSON; ids unique), as
// the independent reference mapper (reference_mapper.hpp) reads SPEC §2 and §5.
// Throws std::invalid_argument for data the reference does not cover.
FlatFindings expected_flat_findings(const std::vector<nlohmann::json>& wire_findings);

// What the database holds for `scan` in `schema`, in the same shape.
FlatFindings stored_flat_findings(const std::string& conninfo, const std::string& schema,
                                  const std::string& scan);

}  // namespace codeguru::test
