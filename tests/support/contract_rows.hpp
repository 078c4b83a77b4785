#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "fake_api.hpp"
#include "reference_mapper.hpp"

namespace codeguru::test {

// What `schema` holds in the SPEC §5 contract tables, in reference_rows' shape: the
// contract columns only, timestamps as integer epoch microseconds. Reads over a connection
// of its own; throws pqxx errors.
ContractRows stored_contract_rows(const std::string& conninfo, const std::string& schema);

// Empty when equal; otherwise, per table that differs, both row counts and the first few
// rows that only one side has.
std::string describe_difference(const ContractRows& expected, const ContractRows& actual,
                                std::size_t max_rows = 5);

// Empty when `schema` holds exactly what reference_rows gives for `scans` as `api` serves
// them now (one complete first pass of each); otherwise the difference.
std::string difference_from_reference(const FakeCodeGuruApi& api,
                                      const std::vector<std::string>& scans,
                                      const std::string& conninfo, const std::string& schema);

}  // namespace codeguru::test
