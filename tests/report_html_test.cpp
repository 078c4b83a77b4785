// codeguru-syncd --report --format html: the page of the seeded history of
// reporting_history.cpp (both sources) against numbers worked out by hand from it (the same
// findings the view tests count), the views of migration 8 behind it, hostile texts, and an
// empty database.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "report/html_report.hpp"
#include "report/html_report_query.hpp"
#include "reporting_history.hpp"
#include "store/migrations.hpp"
#include "test_database.hpp"

using namespace codeguru::test;
using codeguru::report::load_html_report;
using codeguru::report::render_html_report;
using codeguru::report::ReportFilter;

namespace {

std::string render(const std::string& conninfo, const std::string& schema,
                   const ReportFilter& filter = {}) {
    pqxx::connection c(conninfo);
    return render_html_report(load_html_report(c, schema, filter, std::chrono::hours(1)));
}

std::string render(const ReportingHistory& h, const ReportFilter& filter = {}) {
    return render(h.conninfo(), h.schema(), filter);
}

bool contains(const std::string& page, const std::string& snippet) {
    return page.find(snippet) != std::string::npos;
}

std::string tile(const std::string& id, int n) {
    return "id=\"tile-" + id + "\"><div class=\"n\">" + std::to_string(n) + "</div>";
}

// The element <table id="ID"> ... </table> of the page; "" if there is none.
std::string table(const std::string& page, const std::string& id) {
    const auto start = page.find("<table id=\"" + id + "\">");
    if (start == std::string::npos) return "";
    return page.substr(start, page.find("</table>", start) - start);
}

// A top-10 table as "name|count" lines.
std::string ranking(const std::string& page, const std::string& id) {
    const std::string t = table(page, id);
    static const std::regex row("<td class=\"name\">(.*?)</td><td class=\"num\">([0-9]+)</td>");
    std::string text;
    for (auto it = std::sregex_iterator(t.begin(), t.end(), row); it != std::sregex_iterator();
         ++it) {
        text += (*it)[1].str() + "|" + (*it)[2].str() + "\n";
    }
    return text;
}

// A trend table row: the day, then open findings per severity column and the total.
std::string trend_row(const std::string& day, const std::vector<int>& counts) {
    std::string row = "<tr><th scope=\"row\">" + day + "</th>";
    int total = 0;
    for (const int n : counts) {
        row += "<td class=\"num\">" + std::to_string(n) + "</td>";
        total += n;
    }
    return row + "<td class=\"num\">" + std::to_string(total) + "</td></tr>";
}

std::string close_row(const std::string& severity, int closed, const std::string& median,
                      const std::string& p90) {
    return "<tr><th scope=\"row\">" + severity + "</th><td class=\"num\">" +
           std::to_string(closed) + "</td><td class=\"num\">" + median + "</td><td class=\"num\">" +
           p90 + "</td></tr>";
}

std::string iso(std::chrono::sys_seconds at) {
    std::string text = timestamptz_of(at);  // "YYYY-MM-DD HH:MM:SS+00"
    return text.replace(10, 1, "T").replace(19, 3, "Z");
}

std::size_t occurrences(const std::string& page, const std::string& what) {
    std::size_t n = 0;
    for (auto at = page.find(what); at != std::string::npos; at = page.find(what, at + 1)) ++n;
    return n;
}

// Every '<' of the page opens a tag of the report's own vocabulary, whose attributes are all
// of the form name="value" with known names: nothing a database text could have injected.
std::string first_foreign_markup(const std::string& page) {
    static const std::set<std::string> tags = {
        "html",     "head", "meta", "title",   "style",   "body",    "main",  "header", "h1",
        "h2",       "h3",   "p",    "section", "div",     "svg",     "g",     "line",   "text",
        "polyline", "rect", "defs", "pattern", "details", "summary", "table", "thead",  "tbody",
        "tr",       "th",   "td",   "small",   "br",      "span"};
    static const std::set<std::string> attributes = {"class",
                                                     "id",
                                                     "lang",
                                                     "charset",
                                                     "http-equiv",
                                                     "content",
                                                     "name",
                                                     "xmlns",
                                                     "role",
                                                     "viewBox",
                                                     "aria-label",
                                                     "aria-hidden",
                                                     "x",
                                                     "y",
                                                     "x1",
                                                     "x2",
                                                     "y1",
                                                     "y2",
                                                     "width",
                                                     "height",
                                                     "fill",
                                                     "stroke",
                                                     "stroke-width",
                                                     "stroke-dasharray",
                                                     "points",
                                                     "text-anchor",
                                                     "font-size",
                                                     "scope",
                                                     "style",
                                                     "patternUnits",
                                                     "patternTransform"};
    static const std::regex open_tag("<([a-z0-9]+)((?: [a-zA-Z][a-zA-Z0-9-]*=\"[^\"<>]*\")*) ?/?>");
    static const std::regex close_tag("</([a-z0-9]+)>");
    static const std::regex attribute(" ([a-zA-Z][a-zA-Z0-9-]*)=\"[^\"<>]*\"");
    for (auto at = page.find('<'); at != std::string::npos; at = page.find('<', at + 1)) {
        const auto end = page.find('>', at);
        if (end == std::string::npos) return page.substr(at, 80);
        const std::string markup = page.substr(at, end + 1 - at);
        if (markup == "<!DOCTYPE html>") continue;
        std::smatch m;
        if (std::regex_match(markup, m, close_tag)) {
            if (tags.count(m[1]) == 0) return markup;
            continue;
        }
        if (!std::regex_match(markup, m, open_tag) || tags.count(m[1]) == 0) {
            return markup.substr(0, 200);
        }
        const std::string attrs = m[2];
        for (auto it = std::sregex_iterator(attrs.begin(), attrs.end(), attribute);
             it != std::sregex_iterator(); ++it) {
            if (attributes.count((*it)[1]) == 0) return markup.substr(0, 200);
        }
    }
    return "";
}

}  // namespace

TEST_CASE("the HTML report's tiles count open, new and closed findings of both sources") {
    ReportingHistory h;
    const std::string page = render(h);
    // Open: b1 f01 | b2 b3 f03 | a5 b4 b10 f10 | a6 b5 | b6 f05 | f06 untriaged.
    CHECK(contains(page, tile("open-critical", 2)));
    CHECK(contains(page, tile("open-high", 3)));
    CHECK(contains(page, tile("open-medium", 4)));
    CHECK(contains(page, tile("open-low", 2)));
    CHECK(contains(page, tile("open-info", 2)));
    CHECK(contains(page, tile("open-other", 1)));
    CHECK(contains(page, tile("open-total", 14)));
    // New within 7 days: b6 (T), f05 (3 days), f06 (5 days); within 30 also b4 (8), b5 (7),
    // f01 (20), f03 (10); b10 and f07, created exactly 30 days before T, are not within.
    CHECK(contains(page, tile("new-7d", 3)));
    CHECK(contains(page, tile("new-30d", 7)));
    // Closed now, within 7 and 30 days: b7 (5 days ago), f07 (2 days ago); b10's close
    // 25 days ago was undone by its reopen.
    CHECK(contains(page, tile("closed-7d", 2)));
    CHECK(contains(page, tile("closed-30d", 2)));
    CHECK_FALSE(contains(page, "no-findings"));
    CHECK(page.size() < 100 * 1024);
}

TEST_CASE("the HTML report's trend gives open findings per day and severity for 90 days") {
    ReportingHistory h;
    const std::string page = render(h);
    const std::string trend = table(page, "trend-table");
    REQUIRE_FALSE(trend.empty());
    CHECK(occurrences(trend, "<th scope=\"row\">") == 90);
    // Columns: Critical, High, Medium, Low, Info, No severity (f06 is untriaged).
    CHECK(contains(trend, "<th scope=\"col\" class=\"num\">No severity</th>"));
    // Today: as the tiles.
    CHECK(contains(trend, trend_row(date_of(h.day(0)), {2, 3, 4, 2, 2, 1})));
    // Day 10: b1 f01 | b2 b3 b7 f03 | a5 f10 | a6 f07 (reopened on day 12); b4 b5 b6 f05 f06
    // are younger, b9 and f08 vanished on day 15, b10 was closed from day 25 to day 8.
    CHECK(contains(trend, trend_row(date_of(h.day(10)), {2, 4, 2, 2, 0, 0})));
    // Day 40: b1 | b2 b7 b9 f02 f08 | a5 f10 | a6 b8.
    CHECK(contains(trend, trend_row(date_of(h.day(40)), {1, 5, 2, 2, 0, 0})));
    // Day 89, the first: b1 | b2 | a5 f04 (suppressed on day 60) f10 | a6.
    CHECK(contains(trend, trend_row(date_of(h.day(89)), {1, 1, 3, 1, 0, 0})));
    CHECK_FALSE(contains(trend, date_of(h.day(90))));
    // The chart draws a line per column: the five severities and the untriaged.
    CHECK(occurrences(page, "<polyline ") == 6);
}

TEST_CASE("the HTML report's time to close gives median and 90th percentile by severity") {
    ReportingHistory h;
    const std::string page = render(h);
    const std::string closes = table(page, "close-table");
    // Critical: a3 32. High: f12 3, a7 6, a1 10, f02 12, a2 20, f11 30, b7 35: median 12,
    // p90 30 + 0.4 * 5. Medium: a4 4. Low: b8 25, f07 28: median 26.5, p90 25 + 0.9 * 3.
    CHECK(contains(closes, close_row("Critical", 1, "32.0", "32.0") + "\n" +
                               close_row("High", 7, "12.0", "32.0") + "\n" +
                               close_row("Medium", 1, "4.0", "4.0") + "\n" +
                               close_row("Low", 2, "26.5", "27.7") + "\n</tbody>"));
    CHECK(occurrences(page, "<svg ") == 2);
}

TEST_CASE("the HTML report ranks rules, detectors, CWEs and files by open findings") {
    ReportingHistory h;
    const std::string page = render(h);
    // Open: a5 b1 b2 b10 py-sqli; a6 b3 b4 py-hardcoded-secret; b5 b6 py-log; f01 f10
    // javascript-sql-injection; f03 javascript-xss; f05 python-log-injection; f06
    // python-hardcoded-credentials.
    CHECK(ranking(page, "top-rules") ==
          "py-sqli|4\npy-hardcoded-secret|3\njavascript-sql-injection|2\npy-log|2\n"
          "javascript-xss|1\npython-hardcoded-credentials|1\npython-log-injection|1\n");
    CHECK(ranking(page, "top-detectors") ==
          "sql-injection<br><small>python/sql-injection</small>|4\n"
          "hardcoded-credentials<br><small>python/hardcoded-credentials</small>|3\n"
          "SQL injection<br><small>javascript/sql-injection@v1.0</small>|2\n"
          "log-injection<br><small>python/log-injection</small>|2\n"
          "Cross-site scripting<br><small>javascript/cross-site-scripting@v1.0</small>|1\n"
          "Hardcoded credentials<br><small>python/hardcoded-credentials@v1.0</small>|1\n"
          "Log injection<br><small>python/log-injection@v1.0</small>|1\n");
    // f01 CWE-89; f03 CWE-79; f06 CWE-798; f10 CWE-89, CWE-22; f05 has none.
    CHECK(ranking(page, "top-cwes") == "CWE-89|2\nCWE-22|1\nCWE-79|1\nCWE-798|1\n");
    // A file is a path in one scan or project; eleven files hold open findings, ten shown.
    CHECK(ranking(page, "top-files") ==
          "src/api/users.py<br><small>beta</small>|2\n"
          "src/lib/db.py<br><small>beta</small>|2\n"
          "src/db.js<br><small>shop-web</small>|2\n"
          "src/api/users.py<br><small>alpha</small>|1\n"
          "src/lib/db.py<br><small>alpha</small>|1\n"
          "src/api/orders.py<br><small>beta</small>|1\n"
          "tests/test_auth.py<br><small>beta</small>|1\n"
          "app/audit.py<br><small>payments-api</small>|1\n"
          "app/settings.py<br><small>payments-api</small>|1\n"
          "src/views/search.js<br><small>shop-web</small>|1\n");
}

TEST_CASE("the HTML report lists the oldest open critical and high findings and sync health") {
    ReportingHistory h;
    const std::string page = render(h);
    const std::string oldest = table(page, "oldest-table");
    const auto row = [](const char* severity, const char* title, const char* project,
                        const char* file, int age) {
        return std::string("<tr><td>") + severity + "</td><td class=\"title\">" + title +
               "</td><td class=\"name\">" + project + "</td><td class=\"path\">" + file +
               "</td><td class=\"num\">" + std::to_string(age) + "</td></tr>\n";
    };
    CHECK(contains(
        oldest,
        row("Critical", "Critical finding b1", "codeguru: beta", "src/api/users.py", 91) +
            row("High", "High finding b2", "codeguru: beta", "src/api/orders.py", 90) +
            row("High", "High finding b3", "codeguru: beta", "src/lib/db.py", 31) +
            row("Critical", "CRITICAL finding f01", "inspector: shop-web", "src/db.js:12", 20) +
            row("High", "HIGH finding f03", "inspector: shop-web", "src/views/search.js:12", 10) +
            "</tbody>"));

    // alpha, beta, us-east-1 succeeded at T; gamma two days ago, then failed twice in the
    // last day; eu-west-1 two days ago. With a 1 h interval, two days is overdue.
    const std::string health = table(page, "health-table");
    const std::string recent = "[0-9]+[sm]";
    const struct {
        const char* source;
        const char* name;
        std::string success;
        std::string age;
        const char* status;
        const char* outcome;
        int failed;
        std::string error;
    } expected[] = {
        {"codeguru", "alpha", iso(h.t()), recent, "ok", "succeeded", 0, "-"},
        {"codeguru", "beta", iso(h.t()), recent, "ok", "succeeded", 0, "-"},
        {"codeguru", "gamma", iso(h.day(2)), "2d 0h", "overdue", "failed", 2,
         "[^<]*AccessDenied[^<]*"},
        {"inspector", "eu-west-1", iso(h.day(2)), "2d 0h", "overdue", "succeeded", 0, "-"},
        {"inspector", "us-east-1", iso(h.t()), recent, "ok", "succeeded", 0, "-"},
    };
    std::string pattern;
    for (const auto& e : expected) {
        pattern += std::string("<tr><td>") + e.source + "</td><td class=\"name\">" + e.name +
                   "</td><td>" + e.success + "</td><td>" + e.age + "</td><td class=\"status-" +
                   e.status + "\">" + e.status + "</td><td>" + e.outcome +
                   "</td><td class=\"num\">" + std::to_string(e.failed) +
                   "</td><td class=\"error\">" + e.error + "</td></tr>\n";
    }
    INFO(health);
    CHECK(std::regex_search(health, std::regex(pattern + "</tbody>")));
}

TEST_CASE("the HTML report keeps to the sources and projects of its filter") {
    ReportingHistory h;
    SECTION("one Inspector project") {
        const std::string page = render(h, ReportFilter{{}, {"shop-web"}});
        // f01 | f03 | f10; new within 30 days f01 (20), f03 (10); nothing closed recently.
        CHECK(contains(page, tile("open-critical", 1)));
        CHECK(contains(page, tile("open-high", 1)));
        CHECK(contains(page, tile("open-medium", 1)));
        CHECK(contains(page, tile("open-low", 0)));
        CHECK_FALSE(contains(page, "tile-open-other"));
        CHECK(contains(page, tile("open-total", 3)));
        CHECK(contains(page, tile("new-7d", 0)));
        CHECK(contains(page, tile("new-30d", 2)));
        CHECK(contains(page, tile("closed-30d", 0)));
        // f02 12, f11 30: median 21, p90 12 + 0.9 * 18.
        CHECK(contains(table(page, "close-table"),
                       "<tbody>\n" + close_row("High", 2, "21.0", "28.2") + "\n</tbody>"));
        CHECK(ranking(page, "top-cwes") == "CWE-89|2\nCWE-22|1\nCWE-79|1\n");
        // Its streams: both regions hold shop-web's findings; no CodeGuru scan.
        const std::string health = table(page, "health-table");
        CHECK(occurrences(health, "<tr><td>inspector</td>") == 2);
        CHECK(occurrences(health, "<tr><td>codeguru</td>") == 0);
        CHECK(contains(page, "Scans and projects: shop-web."));
    }
    SECTION("one source") {
        const std::string page = render(h, ReportFilter{{"codeguru"}, {}});
        // b1 | b2 b3 | a5 b4 b10 | a6 b5 | b6.
        CHECK(contains(page, tile("open-critical", 1)));
        CHECK(contains(page, tile("open-high", 2)));
        CHECK(contains(page, tile("open-medium", 3)));
        CHECK(contains(page, tile("open-low", 2)));
        CHECK(contains(page, tile("open-info", 1)));
        CHECK(contains(page, tile("open-total", 9)));
        // a7 6, a1 10, a2 20, b7 35: median 15, p90 20 + 0.7 * 15 (as docs/reporting.md).
        CHECK(contains(table(page, "close-table"), close_row("High", 4, "15.0", "30.5")));
        CHECK(ranking(page, "top-cwes").empty());
        CHECK(occurrences(table(page, "health-table"), "<tr><td>codeguru</td>") == 3);
        CHECK(occurrences(table(page, "health-table"), "<tr><td>inspector</td>") == 0);
        CHECK(occurrences(page, "<polyline ") == 5);  // nothing untriaged
    }
    SECTION("a project that does not exist") {
        const std::string page = render(h, ReportFilter{{}, {"nosuch"}});
        CHECK(contains(page, "id=\"no-findings\""));
        CHECK(contains(page, "No sync has run yet."));
    }
}

TEST_CASE("migration 8's views and function give the report's numbers to any query") {
    ReportingHistory h;
    CHECK(rows_text(h.query("SELECT severity, sum(open_findings) FROM daily_open_findings "
                            "WHERE day = '" +
                            date_of(h.day(40)) +
                            "' GROUP BY severity, severity_rank ORDER BY severity_rank")) ==
          "Critical|1\nHigh|5\nMedium|2\nLow|2\n");
    CHECK(rows_text(h.query("SELECT count(DISTINCT day) FROM daily_open_findings")) == "90\n");
    CHECK(
        rows_text(h.query("SELECT source, scan_name, severity, new_last_7_days, new_last_30_days, "
                          "closed_last_7_days, closed_last_30_days FROM recent_finding_counts "
                          "ORDER BY source, scan_name, severity_rank")) ==
        "codeguru|beta|High|0|0|1|1\n"
        "codeguru|beta|Medium|0|1|0|0\n"
        "codeguru|beta|Low|0|1|0|0\n"
        "codeguru|beta|Info|1|1|0|0\n"
        "inspector|payments-api|Low|0|0|1|1\n"
        "inspector|payments-api|Info|1|1|0|0\n"
        "inspector|payments-api|NULL|1|1|0|0\n"
        "inspector|shop-web|Critical|0|1|0|0\n"
        "inspector|shop-web|High|0|1|0|0\n");
    CHECK(rows_text(h.query("SELECT severity, closed_findings, round(median_days::numeric, 1), "
                            "round(p90_days::numeric, 1) "
                            "FROM time_to_close_by_severity(ARRAY['inspector'], NULL)")) ==
          "High|3|12.0|26.4\nLow|1|28.0|28.0\n");
    CHECK(rows_text(h.query("SELECT severity, closed_findings, round(median_days::numeric, 1) "
                            "FROM time_to_close_by_severity(NULL, ARRAY['alpha'])")) ==
          "Critical|1|32.0\nHigh|3|10.0\nMedium|1|4.0\n");
}

TEST_CASE("the HTML report leaves hostile texts inert and its size bounded") {
    TestSchema schema;
    pqxx::connection c(schema.conninfo());
    codeguru::store::apply_migrations(c, schema.name());
    // PostgreSQL text cannot hold NUL: html_escape_test covers it.
    const std::string scan = "<script>alert('scan')</script>";
    const std::string title =
        "\"><script>alert(1)</script>\xE2\x80\xAE" + std::string(10 * 1024 * 1024, 'A');
    const std::string path = "src/\" onerror=\"alert(1)\"</svg><svg onload=alert(2)>.py";
    const std::string rule = "</svg><script>alert(3)</script>\xE2\x81\xA6";
    const std::string detector = "<img src=x onerror=alert(4)>";
    const std::string error = "</td></tr></table><script>alert(5)</script>";
    {
        pqxx::work tx(c);
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema.name()));
        for (const char* id : {"h1", "h2"}) {
            tx.exec_params0(
                "INSERT INTO findings (scan_name, finding_id, created_at, updated_at, status, "
                "severity, title, rule_id, file_path, start_line, detector_id, detector_name, "
                "first_seen_at, last_changed_at) VALUES ($1, $2, now() - interval '3 days', "
                "now() - interval '3 days', 'Open', 'Critical', $3, $4, $5, 7, $6, $6, now(), "
                "now())",
                scan, id, title, rule, path, detector);
            tx.exec_params0(
                "INSERT INTO finding_versions (scan_name, finding_id, updated_at, status, "
                "severity, title, observed_at) VALUES ($1, $2, now() - interval '3 days', "
                "'Open', 'Critical', $3, now())",
                scan, id, title);
        }
        tx.exec_params0(
            "INSERT INTO sync_runs (source, scan_name, started_at, finished_at, outcome, pages, "
            "error) VALUES ('codeguru', $1, now(), now(), 'failed', 0, $2)",
            scan, error);
        tx.commit();
    }
    const std::string page = render(schema.conninfo(), schema.name());

    CHECK(page.size() < 200 * 1024);
    CHECK(page.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0) == 0);
    CHECK(page.ends_with("</html>\n"));
    CHECK(contains(page, tile("open-critical", 2)));
    std::string lower = page;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    CHECK_FALSE(contains(lower, "<script"));
    CHECK_FALSE(contains(lower, "<img"));
    CHECK_FALSE(contains(page, "\" onerror"));
    CHECK(occurrences(page, "<svg ") == occurrences(page, "</svg>"));
    CHECK_FALSE(contains(page, "\xE2\x80\xAE"));
    CHECK_FALSE(contains(page, "\xE2\x81\xA6"));
    INFO(first_foreign_markup(page));
    CHECK(first_foreign_markup(page).empty());
    // The title, escaped, cut to 120 code points with an ellipsis.
    CHECK(contains(page, "<td class=\"title\">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" +
                             std::string(120 - 1 - 27, 'A') + "\xE2\x80\xA6</td>"));
    CHECK(contains(page,
                   "src/&quot; onerror=&quot;alert(1)&quot;&lt;/svg&gt;&lt;svg "
                   "onload=alert(2)&gt;.py:7"));
    CHECK(contains(page, "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;alert(5)"));
    CHECK(contains(page,
                   "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                   "img-src data:\""));
}

TEST_CASE("the HTML report of an empty database is a valid page that says so") {
    TestSchema schema;
    pqxx::connection c(schema.conninfo());
    codeguru::store::apply_migrations(c, schema.name());
    const std::string page = render(schema.conninfo(), schema.name());
    CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(page.ends_with("</body>\n</html>\n"));
    CHECK(contains(page, "<p class=\"empty\" id=\"no-findings\">No findings yet"));
    CHECK(contains(page, "No sync has run yet."));
    CHECK_FALSE(contains(page, "<svg"));
    CHECK(first_foreign_markup(page).empty());
    CHECK(occurrences(page, "<section") == occurrences(page, "</section>"));
}
