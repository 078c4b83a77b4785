#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace codeguru::test {

// Findings in one flat, comparable shape (keyed by finding id): every findings column
// a SPEC §5 member maps to, timestamps as integer microseconds, and the child lists
// (tags, code_lines [[number, content]], fixes [[description, code]], reference_urls,
// related) in ordinal order. Absent members are null, absent and empty lists are [].
using FlatFindings = std::map<std::string, nlohmann::json>;

// What the daemon should store for these wire findings (the fake's JSON), following
// the upsert rules: updatedAt falls back to createdAt, repeated tags and code line
// numbers kept once (the first), code lines without a number dropped.
FlatFindings expected_flat_findings(const std::vector<nlohmann::json>& wire_findings);

// What the database holds for `scan` in `schema`, in the same shape.
FlatFindings stored_flat_findings(const std::string& conninfo, const std::string& schema,
                                  const std::string& scan);

}  // namespace codeguru::test
