#pragma once

#include <chrono>
#include <pqxx/pqxx>
#include <string>

#include "report/html_report_data.hpp"

namespace codeguru::report {

// Reads what the HTML report shows from the reporting views of `schema` (migrations 2, 7
// and 8) in one read-only transaction with TimeZone UTC, so that days are UTC days.
// `filter` keeps the findings of its sources and scans or projects; sync health keeps the
// CodeGuru scans of those names and the Inspector streams (regions) holding the projects'
// findings. Top lists leave out findings without a rule, detector, CWE or file. Texts are
// cut to 1000 characters in the query: what the page shows is shorter still. Throws pqxx
// errors.
HtmlReportData load_html_report(pqxx::connection_base& connection, const std::string& schema,
                                const ReportFilter& filter, std::chrono::seconds sync_interval);

}  // namespace codeguru::report
