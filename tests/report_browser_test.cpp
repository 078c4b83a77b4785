// codeguru-syncd --report --format html --output FILE, opened in headless Chromium: the page
// of the seeded history (reporting_history.cpp) shows its totals without a console message
// or a request, and a page of hostile texts runs nothing, still renders and stays small.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <string>

#include "chromium_page.hpp"
#include "png_pixels.hpp"
#include "reporting_history.hpp"
#include "store/migrations.hpp"
#include "test_database.hpp"

using namespace codeguru::test;

namespace {

// As in chromium_harness_test: a blank page is 0, one line of text 73; observed here 1956
// for the seeded history and 1339 for the hostile page.
constexpr double kMinRenderedVariance = 50.0;
// The report shortens every database text; 10 MB in one title must not reach the page (the
// hostile page below is about 29 KB).
constexpr std::uintmax_t kMaxReportBytes = 200 * 1024;

constexpr char kReportTitle[] = "Code findings report";

// Writes the report of `schema` to a file with the daemon binary (1 h sync interval) and
// returns the file's path; REQUIREs exit status 0.
std::filesystem::path write_report(const std::string& conninfo, const std::string& schema) {
    const auto dir = std::filesystem::temp_directory_path() / ("report_browser_test_" + schema);
    std::filesystem::create_directories(dir);
    const auto config = dir / "codeguru-syncd.conf";
    const auto report = dir / "report.html";
    std::ofstream(config) << "[aws]\nregion = us-east-1\n[sync]\ninterval = 1h\n";
    const std::string command =
        std::string(CODEGURU_BIN_DIR "/daemon/codeguru-syncd") + " --config " + config.string() +
        " --log-level=warn '--database.url=" + conninfo + "' --database.schema=" + schema +
        " --report --format html --output " + report.string();
    const int status = std::system(command.c_str());
    INFO(command);
    REQUIRE(status == 0);
    REQUIRE(std::filesystem::is_regular_file(report));
    return report;
}

double screenshot_variance(const ChromiumResult& result) {
    return grayscale_variance(decode_png(result.screenshot_png));
}

}  // namespace

TEST_CASE("the HTML report opens in Chromium with its totals, no console message, no request") {
    ReportingHistory h;
    const auto report = write_report(h.conninfo(), h.schema());
    const ChromiumResult result = open_in_chromium(report);
    std::filesystem::remove_all(report.parent_path());
    INFO("browser log:\n" << result.browser_log);

    CHECK(result.title == kReportTitle);
    CHECK(result.console_messages.empty());
    CHECK(result.network_requests.empty());
    // Open findings, hand-worked from the history as report_cli_test counts them per scan
    // (alpha 0,0,1,1,0; beta 1,2,2,1,1; payments-api 0,0,0,0,1 and f06 untriaged; shop-web
    // 1,1,1,0,0): Critical 2, High 3, Medium 4, Low 2, Info 2, no severity 1, in total 14.
    // Closed in the last 30 days: beta's b7 and payments-api's f07.
    CHECK_THAT(visible_text(result.dom),
               Catch::Contains("2 Critical open 3 High open 4 Medium open 2 Low open 2 Info open "
                               "1 No severity open 14 Open in total"));
    CHECK_THAT(visible_text(result.dom), Catch::Contains("2 Closed, last 30 days"));
    const double variance = screenshot_variance(result);
    INFO("screenshot variance " << variance);
    CHECK(variance > kMinRenderedVariance);
}

TEST_CASE("the HTML report of hostile texts runs nothing in Chromium, renders and stays small") {
    TestSchema schema;
    pqxx::connection c(schema.conninfo());
    codeguru::store::apply_migrations(c, schema.name());
    const std::string script_title = "<script>document.title='pwned'</script>";
    const std::string attribute_title = "\"onerror=alert(1) x=\"";
    const std::string svg_rule = "</svg><script>document.title='pwned'</script>";
    const std::string bidi_path = "src/\xE2\x80\xAEyp.exe";  // U+202E RIGHT-TO-LEFT OVERRIDE
    const std::string huge_title = "<script>" + std::string(10 * 1024 * 1024, 'A');
    {
        pqxx::work tx(c);
        tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema.name()));
        const struct {
            const char* id;
            const std::string& title;
        } findings[] = {{"h1", script_title}, {"h2", attribute_title}, {"h3", huge_title}};
        for (const auto& f : findings) {
            tx.exec_params0(
                "INSERT INTO findings (scan_name, finding_id, created_at, updated_at, status, "
                "severity, title, rule_id, file_path, start_line, detector_id, detector_name, "
                "first_seen_at, last_changed_at) VALUES ('hostile', $1, now() - interval '3 "
                "days', now() - interval '3 days', 'Open', 'Critical', $2, $3, $4, 7, $5, $5, "
                "now(), now())",
                f.id, f.title, svg_rule, bidi_path, attribute_title);
            tx.exec_params0(
                "INSERT INTO finding_versions (scan_name, finding_id, updated_at, status, "
                "severity, title, observed_at) VALUES ('hostile', $1, now() - interval '3 days', "
                "'Open', 'Critical', $2, now())",
                f.id, f.title);
        }
        tx.exec_params0(
            "INSERT INTO sync_runs (source, scan_name, started_at, finished_at, outcome, pages, "
            "error) VALUES ('codeguru', 'hostile', now(), now(), 'failed', 0, $1)",
            svg_rule);
        tx.commit();
    }
    const auto report = write_report(schema.conninfo(), schema.name());
    const auto size = std::filesystem::file_size(report);
    const ChromiumResult result = open_in_chromium(report);
    std::filesystem::remove_all(report.parent_path());
    INFO("browser log:\n" << result.browser_log);

    CHECK(size < kMaxReportBytes);
    // Nothing ran and nothing was even blocked: no script element reached the DOM (text
    // serializes as &lt;script), so no CSP violation was logged either.
    CHECK(result.title == kReportTitle);
    CHECK(result.dom.find("<script") == std::string::npos);
    CHECK(result.console_messages.empty());
    CHECK(result.network_requests.empty());
    // The hostile texts are shown as text.
    const std::string text = visible_text(result.dom);
    CHECK_THAT(text, Catch::Contains(script_title));
    CHECK_THAT(text, Catch::Contains("3 Critical open"));
    const double variance = screenshot_variance(result);
    INFO("screenshot variance " << variance);
    CHECK(variance > kMinRenderedVariance);
}
