#pragma once

#include <string>

#include "report/html_report_data.hpp"

namespace codeguru::report {

// The report as one self-contained HTML page (docs/reporting.md, "The HTML report"): inline
// CSS and SVG, no script, nothing fetched from anywhere (a Content-Security-Policy meta tag
// allows inline styles and data: images only), a print stylesheet for A4, and under each
// chart its numbers as a table in a <details>. Every database text is cleaned and escaped
// (html_escape.hpp) and shortened, so the page's size is bounded whatever the findings
// hold. Without code findings in the filter the page says there are none yet and shows the
// sync health only. Pure: the same data gives the same bytes.
std::string render_html_report(const HtmlReportData& data);

}  // namespace codeguru::report
