#pragma once

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace codeguru::report {

// Reads the report from the reporting views of `schema` in one read-only transaction: a
// line per CodeGuru scan and per Inspector project (code_findings.project). No
// filter.projects: every scan with findings or sync runs and every project with code
// findings; else the scans and projects of those names (a name that is neither gets a
// CodeGuru line of zeros). filter.sources keeps the lines of those sources only.
// Throws pqxx errors.
Report load_report(pqxx::connection_base& connection, const std::string& schema,
                   const ReportFilter& filter, std::chrono::seconds sync_interval);

}  // namespace codeguru::report
