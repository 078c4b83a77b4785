#include "report/html_report.hpp"

#include <algorithm>
#include <cstdio>

#include "report/html_escape.hpp"
#include "report/report_format.hpp"
#include "report/svg_chart.hpp"

namespace codeguru::report {
namespace {

// Lengths in code points of what the page shows of a database text.
constexpr std::size_t kTitleLimit = 120;
constexpr std::size_t kPathLimit = 100;
constexpr std::size_t kNameLimit = 80;
constexpr std::size_t kErrorLimit = 200;

constexpr char kHead[] =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"referrer\" content=\"no-referrer\">\n"
    "<title>Code findings report</title>\n<style>\n"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',Arial,sans-serif;"
    "color:#111;background:#fff;margin:0;line-height:1.4}\n"
    "main{max-width:1000px;margin:0 auto;padding:16px 24px}\n"
    "h1{font-size:1.6em;margin:0 0 4px}h2{font-size:1.2em;margin:24px 0 8px;"
    "border-bottom:2px solid #111;padding-bottom:2px}h3{font-size:1em;margin:8px 0 4px}\n"
    ".meta{color:#444;margin:0}\n"
    ".tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(118px,1fr));gap:8px}\n"
    ".tile{border:1px solid #555;border-radius:4px;padding:6px 8px}"
    ".tile .n{font-size:1.7em;font-weight:700}.tile .l{font-size:.85em;color:#333}\n"
    ".sev-critical{border-left:8px solid #67000d}.sev-high{border-left:8px dashed #cb181d}"
    ".sev-medium{border-left:8px dotted #d9822b}.sev-low{border-left:4px double #2171b5}"
    ".sev-info{border-left:2px solid #636363}\n"
    "svg{width:100%;height:auto;display:block}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9em}\n"
    "th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #ccc;vertical-align:top}\n"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.name,td.title,td.path,td.error{overflow-wrap:anywhere;unicode-bidi:isolate}\n"
    "td.bar{width:30%}td.bar span{display:block;height:10px;background:#555}\n"
    "small{color:#444}\n"
    ".tops{display:grid;grid-template-columns:1fr 1fr;gap:8px 24px}\n"
    "details{margin:6px 0}summary{cursor:pointer;color:#222}\n"
    ".status-overdue,.status-never{font-weight:700;text-decoration:underline}\n"
    ".empty{font-size:1.2em;border:1px solid #555;padding:12px}\n"
    "@page{size:A4;margin:12mm}\n"
    "@media print{main{max-width:none;padding:0}body{font-size:9.5pt}"
    "section{break-inside:avoid}h2{break-after:avoid}summary{display:none}"
    ".tops{grid-template-columns:1fr 1fr}}\n"
    "@media (max-width:700px){.tops{grid-template-columns:1fr}}\n"
    "</style>\n</head>\n<body>\n<main>\n";

constexpr char kTail[] = "</main>\n</body>\n</html>\n";

constexpr const char* kSeverityIds[] = {"critical", "high", "medium", "low", "info", "other"};

std::string column_label(std::size_t column) {
    return column < kSeverities.size() ? std::string(kSeverities[column]) : "No severity";
}

std::string count(std::int64_t n) {
    return std::to_string(n);
}

std::string days(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
}

std::string tile(const std::string& id, std::int64_t n, const std::string& label,
                 const std::string& extra_class) {
    return "<div class=\"tile" + (extra_class.empty() ? "" : " " + extra_class) + "\" id=\"tile-" +
           id + "\"><div class=\"n\">" + count(n) + "</div><div class=\"l\">" + label +
           "</div></div>\n";
}

std::string names(const std::vector<std::string>& list) {
    std::string text;
    for (const auto& name : list) {
        if (!text.empty()) text += ", ";
        text += html(name, kNameLimit);
    }
    return text;
}

void header(std::string& out, const HtmlReportData& data) {
    out += "<header>\n<h1>Code findings report</h1>\n<p class=\"meta\">Generated " +
           iso8601(data.generated_at) +
           " (UTC) from Amazon CodeGuru Security and Amazon "
           "Inspector findings; sync interval " +
           describe_age(data.sync_interval) + ".</p>\n<p class=\"meta\" id=\"filter\">";
    if (data.filter.sources.empty() && data.filter.projects.empty()) {
        out += "All sources, scans and projects.";
    } else {
        out += "Sources: " + (data.filter.sources.empty() ? "all" : names(data.filter.sources)) +
               ". Scans and projects: " +
               (data.filter.projects.empty() ? "all" : names(data.filter.projects)) + ".";
    }
    out += "</p>\n</header>\n";
}

void summary(std::string& out, const HtmlReportData& data) {
    out += "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"tiles\">\n";
    std::int64_t total = 0;
    for (std::size_t c = 0; c < kSeverityColumns; ++c) {
        total += data.open[c];
        if (c == kSeverities.size() && data.open[c] == 0) continue;  // no untriaged: no tile
        out += tile(std::string("open-") + kSeverityIds[c], data.open[c], column_label(c) + " open",
                    std::string("sev-") + kSeverityIds[c]);
    }
    out += tile("open-total", total, "Open in total", "");
    out += tile("new-7d", data.new_last_7_days, "New, last 7 days", "");
    out += tile("new-30d", data.new_last_30_days, "New, last 30 days", "");
    out += tile("closed-7d", data.closed_last_7_days, "Closed, last 7 days", "");
    out += tile("closed-30d", data.closed_last_30_days, "Closed, last 30 days", "");
    out += "</div>\n</section>\n";
}

void trend(std::string& out, const HtmlReportData& data) {
    std::vector<std::size_t> columns;  // the severities drawn: the five, and others if any
    for (std::size_t c = 0; c < kSeverityColumns; ++c) {
        const bool any = std::any_of(data.trend.begin(), data.trend.end(),
                                     [c](const TrendDay& d) { return d.open[c] > 0; });
        if (c < kSeverities.size() || any) columns.push_back(c);
    }
    std::vector<LineSeries> series;
    std::vector<std::string> labels;
    for (const std::size_t c : columns) series.push_back({column_label(c), {}});
    for (const auto& day : data.trend) {
        labels.push_back(day.day.substr(5));
        for (std::size_t s = 0; s < columns.size(); ++s) {
            series[s].values.push_back(static_cast<double>(day.open[columns[s]]));
        }
    }
    out += "<section id=\"trend\">\n<h2>Open findings per day, last 90 days</h2>\n";
    out += line_chart_svg("Open findings per day by severity over the last 90 days", series, labels,
                          15);
    out +=
        "\n<details><summary>The numbers (table)</summary>\n<table id=\"trend-table\">"
        "<thead><tr><th scope=\"col\">Day (UTC)</th>";
    for (const std::size_t c : columns)
        out += "<th scope=\"col\" class=\"num\">" + column_label(c) + "</th>";
    out += "<th scope=\"col\" class=\"num\">Total</th></tr></thead>\n<tbody>\n";
    for (auto day = data.trend.rbegin(); day != data.trend.rend(); ++day) {
        out += "<tr><th scope=\"row\">" + html(day->day, 10) + "</th>";
        std::int64_t total = 0;
        for (const std::size_t c : columns) {
            out += "<td class=\"num\">" + count(day->open[c]) + "</td>";
        }
        for (const auto n : day->open) total += n;
        out += "<td class=\"num\">" + count(total) + "</td></tr>\n";
    }
    out +=
        "</tbody></table></details>\n<p class=\"meta\">Open at the end of each day (today: "
        "now), from the versions the daemon observed.</p>\n</section>\n";
}

void close_times(std::string& out, const HtmlReportData& data) {
    out += "<section id=\"time-to-close\">\n<h2>Time to close by severity</h2>\n";
    if (data.close_times.empty()) {
        out += "<p>No finding has been closed yet.</p>\n</section>\n";
        return;
    }
    std::vector<BarGroup> groups;
    for (const auto& c : data.close_times) {
        groups.push_back(
            {c.severity.empty() ? "No severity" : c.severity, {c.median_days, c.p90_days}});
    }
    out += bar_chart_svg("Days to close by severity: median and 90th percentile", groups,
                         {"median", "90th percentile"}, " d");
    out +=
        "\n<details><summary>The numbers (table)</summary>\n<table id=\"close-table\">"
        "<thead><tr><th scope=\"col\">Severity</th><th scope=\"col\" class=\"num\">Closed</th>"
        "<th scope=\"col\" class=\"num\">Median days</th>"
        "<th scope=\"col\" class=\"num\">90th percentile days</th></tr></thead>\n<tbody>\n";
    for (const auto& c : data.close_times) {
        out += "<tr><th scope=\"row\">" +
               (c.severity.empty() ? std::string("No severity") : html(c.severity, kNameLimit)) +
               "</th><td class=\"num\">" + count(c.closed) + "</td><td class=\"num\">" +
               days(c.median_days) + "</td><td class=\"num\">" + days(c.p90_days) + "</td></tr>\n";
    }
    out +=
        "</tbody></table></details>\n<p class=\"meta\">Every close so far: from creation to "
        "the close after the last reopen.</p>\n</section>\n";
}

void top_list(std::string& out, const std::string& id, const std::string& heading,
              const std::vector<RankedItem>& items, std::size_t limit) {
    out += "<div>\n<h3>" + heading + "</h3>\n";
    if (items.empty()) {
        out += "<p class=\"meta\">None.</p>\n</div>\n";
        return;
    }
    const std::int64_t max = std::max<std::int64_t>(items.front().open, 1);
    out += "<table id=\"" + id + "\"><tbody>\n";
    for (const auto& item : items) {
        const std::int64_t percent = item.open * 100 / max;
        out += "<tr><td class=\"name\">" + html(item.name, limit);
        if (!item.detail.empty()) out += "<br><small>" + html(item.detail, kNameLimit) + "</small>";
        out += "</td><td class=\"num\">" + count(item.open) +
               "</td><td class=\"bar\" aria-hidden=\"true\"><span style=\"width:" +
               std::to_string(percent) + "%\"></span></td></tr>\n";
    }
    out += "</tbody></table>\n</div>\n";
}

void tops(std::string& out, const HtmlReportData& data) {
    out += "<section id=\"top\">\n<h2>Top 10 by open findings</h2>\n<div class=\"tops\">\n";
    top_list(out, "top-rules", "Rules", data.top_rules, kNameLimit);
    top_list(out, "top-detectors", "Detectors", data.top_detectors, kNameLimit);
    top_list(out, "top-cwes", "CWEs (Amazon Inspector)", data.top_cwes, kNameLimit);
    top_list(out, "top-files", "Files", data.top_files, kPathLimit);
    out += "</div>\n</section>\n";
}

void oldest(std::string& out, const HtmlReportData& data) {
    out += "<section id=\"oldest\">\n<h2>Oldest open Critical and High findings</h2>\n";
    if (data.oldest.empty()) {
        out += "<p>No open Critical or High finding.</p>\n</section>\n";
        return;
    }
    out +=
        "<table id=\"oldest-table\"><thead><tr><th scope=\"col\">Severity</th>"
        "<th scope=\"col\">Title</th><th scope=\"col\">Scan or project</th>"
        "<th scope=\"col\">File</th><th scope=\"col\" class=\"num\">Age (days)</th></tr>"
        "</thead>\n<tbody>\n";
    for (const auto& f : data.oldest) {
        std::string file = f.file_path.empty() ? "-" : html(f.file_path, kPathLimit);
        if (!f.file_path.empty() && f.line) file += ":" + std::to_string(*f.line);
        out += "<tr><td>" + html(f.severity, kNameLimit) + "</td><td class=\"title\">" +
               html(f.title, kTitleLimit) + "</td><td class=\"name\">" + html(f.source, 20) + ": " +
               html(f.project, kNameLimit) + "</td><td class=\"path\">" + file +
               "</td><td class=\"num\">" + count(f.age_days) + "</td></tr>\n";
    }
    out += "</tbody></table>\n</section>\n";
}

void health(std::string& out, const HtmlReportData& data) {
    out += "<section id=\"health\">\n<h2>Sync health</h2>\n";
    if (data.health.empty()) {
        out += "<p>No sync has run yet.</p>\n</section>\n";
        return;
    }
    out +=
        "<table id=\"health-table\"><thead><tr><th scope=\"col\">Source</th>"
        "<th scope=\"col\">Scan or stream</th><th scope=\"col\">Last complete pass (UTC)</th>"
        "<th scope=\"col\">Age</th><th scope=\"col\">Status</th><th scope=\"col\">Last run</th>"
        "<th scope=\"col\" class=\"num\">Failed runs, 24 h</th><th scope=\"col\">Last error"
        "</th></tr></thead>\n<tbody>\n";
    for (const auto& h : data.health) {
        const std::string status = to_string(h.status);
        out += "<tr><td>" + html(h.source, 20) + "</td><td class=\"name\">" +
               html(h.name, kNameLimit) + "</td><td>" +
               (h.last_success_at ? iso8601(*h.last_success_at) : "-") + "</td><td>" +
               (h.last_success_at ? describe_age(h.last_success_age) : "-") +
               "</td><td class=\"status-" + status + "\">" + status + "</td><td>" +
               html(h.last_outcome, 20) + "</td><td class=\"num\">" + count(h.failed_last_day) +
               "</td><td class=\"error\">" +
               (h.last_error ? html(*h.last_error, kErrorLimit) : "-") + "</td></tr>\n";
    }
    out +=
        "</tbody></table>\n<p class=\"meta\">Overdue: no complete pass within two sync "
        "intervals. An Inspector stream is a region.</p>\n</section>\n";
}

}  // namespace

std::string render_html_report(const HtmlReportData& data) {
    std::string out = kHead;
    header(out, data);
    if (data.code_findings == 0) {
        out +=
            "<section id=\"summary\">\n<p class=\"empty\" id=\"no-findings\">No findings yet: "
            "the database holds no code findings";
        if (!data.filter.sources.empty() || !data.filter.projects.empty()) {
            out += " of these sources, scans and projects";
        }
        out += ".</p>\n</section>\n";
    } else {
        summary(out, data);
        trend(out, data);
        close_times(out, data);
        tops(out, data);
        oldest(out, data);
    }
    health(out, data);
    out += kTail;
    return out;
}

}  // namespace codeguru::report
