#pragma once

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace codeguru::report {

// Reads the report from the reporting views of `schema` in one read-only transaction.
// `scans` empty: every scan with findings or sync runs; else exactly those scans (one
// without data gets a line of zeros). Throws pqxx errors.
Report load_report(pqxx::connection_base& connection, const std::string& schema,
                   const std::vector<std::string>& scans, std::chrono::seconds sync_interval);

}  // namespace codeguru::report
