// codeguru-syncd --report [--format table|csv|json|html] [--output FILE] [--source S]...
// [--project NAME]...: the flags, and the binary's output against the seeded history of
// reporting_history.cpp in all formats (report_html_test.cpp checks the HTML page's numbers).
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "command_line_args.hpp"
#include "config/command_line.hpp"
#include "config/config_error.hpp"
#include "reporting_history.hpp"

using namespace codeguru;
using namespace codeguru::test;

namespace {

struct Run {
    int status = -1;
    std::string out;
};

// Runs the daemon binary with the history's database and a 1 h interval.
Run run_report(const ReportingHistory& h, const std::string& extra) {
    const auto config =
        std::filesystem::temp_directory_path() / ("report_cli_test_" + h.schema() + ".conf");
    std::ofstream(config) << "[aws]\nregion = us-east-1\n[sync]\ninterval = 1h\n";
    const std::string command =
        std::string(CODEGURU_BIN_DIR "/daemon/codeguru-syncd") + " --config " + config.string() +
        " --log-level=warn"
        " '--database.url=" +
        h.conninfo() + "' --database.schema=" + h.schema() + " --report " + extra;
    Run run;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::array<char, 4096> buffer;
    std::size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        run.out.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::filesystem::remove(config);
    return run;
}

std::vector<std::string> lines_of(const std::string& text, char separator = '\n') {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line, separator);) lines.push_back(line);
    return lines;
}

std::string iso(std::chrono::sys_seconds at) {
    std::string text = timestamptz_of(at);  // "YYYY-MM-DD HH:MM:SS+00"
    return text.replace(10, 1, "T").replace(19, 3, "Z");
}

// Hand-worked from the history, with a 1 h interval: alpha a5 Medium, a6 Low; beta b1
// Critical, b2 b3 High, b4 b10 Medium, b5 Low, b6 Info, and b7 closed 5 days ago (b10
// closed 25 days ago but reopened since); gamma has no findings, its last success is two
// days old. Inspector: payments-api f05 Info, f06 untriaged (no severity, in the total),
// f07 closed 2 days ago, all in us-east-1 (synced at T); shop-web f01 Critical, f03 High,
// f10 Medium, in us-east-1 and eu-west-1, whose last success is two days old.
constexpr char kAlphaCounts[] = "0,0,1,1,0,2,0";
constexpr char kBetaCounts[] = "1,2,2,1,1,7,1";
constexpr char kGammaCounts[] = "0,0,0,0,0,0,0";
constexpr char kPaymentsCounts[] = "0,0,0,0,1,2,1";
constexpr char kShopCounts[] = "1,1,1,0,0,3,0";

}  // namespace

TEST_CASE("codeguru-syncd --report takes an optional --format of table, csv or json") {
    CHECK(parse_args({"--report"}).report);
    CHECK(parse_args({"--report"}).report_format == "table");
    CHECK(parse_args({"--report", "--format", "csv"}).report_format == "csv");
    CHECK(parse_args({"--format=json", "--report"}).report_format == "json");
    CHECK(parse_args({"--report", "--scan", "a", "--scan", "b"}).scans.size() == 2);
    CHECK_FALSE(parse_args({"--once"}).report);
}

TEST_CASE(
    "codeguru-syncd --format without --report, an unknown format or a second action is bad usage") {
    CHECK_THAT(usage_error_text({"--format=csv"}), Catch::Contains("--format applies to --report"));
    CHECK_THAT(usage_error_text({"--report", "--format=xml"}),
               Catch::Contains("--format must be table, csv, json or html"));
    CHECK_THAT(usage_error_text({"--report", "--format"}), Catch::Contains("format"));
    CHECK_THAT(usage_error_text({"--report", "--format=csv", "--format=json"}),
               Catch::Contains("--format given more than once"));
    CHECK_THAT(usage_error_text({"--report", "--once"}), Catch::Contains("cannot be combined"));
    CHECK_THAT(usage_error_text({"--migrate", "--report"}), Catch::Contains("cannot be combined"));
    CHECK(usage_text().find("--report") != std::string::npos);
    CHECK(usage_text().find("--format FORMAT") != std::string::npos);
}

TEST_CASE(
    "codeguru-syncd --report --format csv gives per scan and project open findings, recent closes "
    "and sync health") {
    ReportingHistory h;
    const auto run = run_report(h, "--format csv");
    INFO(run.out);
    REQUIRE(run.status == 0);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 6);
    CHECK(lines[0] ==
          "source,scan,critical,high,medium,low,info,open,closed_last_30_days,last_success_at,"
          "last_success_age_s,sync_status\r");
    // The age is now minus the last success: checked by range, the rest exactly.
    const std::regex row("([a-z]+),([a-z-]+),([0-9,]+),([^,]*),([0-9]+),([a-z]+)\r");
    const struct {
        const char* source;
        const char* scan;
        const char* counts;
        std::string last_success;
        long min_age;
        const char* status;
    } expected[] = {{"codeguru", "alpha", kAlphaCounts, iso(h.t()), 0, "ok"},
                    {"codeguru", "beta", kBetaCounts, iso(h.t()), 0, "ok"},
                    {"codeguru", "gamma", kGammaCounts, iso(h.day(2)), 2 * 86400, "overdue"},
                    {"inspector", "payments-api", kPaymentsCounts, iso(h.t()), 0, "ok"},
                    {"inspector", "shop-web", kShopCounts, iso(h.day(2)), 2 * 86400, "overdue"}};
    for (int i = 0; i < 5; ++i) {
        INFO(expected[i].scan);
        std::smatch m;
        REQUIRE(std::regex_match(lines[i + 1], m, row));
        CHECK(m[1] == expected[i].source);
        CHECK(m[2] == expected[i].scan);
        CHECK(m[3] == expected[i].counts);
        CHECK(m[4] == expected[i].last_success);
        CHECK(std::stol(m[5]) >= expected[i].min_age);
        CHECK(std::stol(m[5]) < expected[i].min_age + 3600);
        CHECK(m[6] == expected[i].status);
    }
}

TEST_CASE("codeguru-syncd --report --format json gives the same numbers as a document") {
    ReportingHistory h;
    const auto run = run_report(h, "--format json");
    INFO(run.out);
    REQUIRE(run.status == 0);
    auto doc = nlohmann::json::parse(run.out);
    CHECK(doc["sync_interval_s"] == 3600);
    REQUIRE(doc["scans"].size() == 5);
    for (auto& scan : doc["scans"]) scan.erase("last_success_age_s");
    CHECK(doc["scans"] == nlohmann::json::parse(R"([
        {"source": "codeguru", "scan": "alpha",
         "open": {"Critical": 0, "High": 0, "Medium": 1, "Low": 1, "Info": 0, "total": 2},
         "closed_last_30_days": 0, "last_success_at": ")" +
                                                iso(h.t()) + R"(",
         "sync_status": "ok"},
        {"source": "codeguru", "scan": "beta",
         "open": {"Critical": 1, "High": 2, "Medium": 2, "Low": 1, "Info": 1, "total": 7},
         "closed_last_30_days": 1, "last_success_at": ")" +
                                                iso(h.t()) + R"(",
         "sync_status": "ok"},
        {"source": "codeguru", "scan": "gamma",
         "open": {"Critical": 0, "High": 0, "Medium": 0, "Low": 0, "Info": 0, "total": 0},
         "closed_last_30_days": 0, "last_success_at": ")" +
                                                iso(h.day(2)) + R"(",
         "sync_status": "overdue"},
        {"source": "inspector", "scan": "payments-api",
         "open": {"Critical": 0, "High": 0, "Medium": 0, "Low": 0, "Info": 1, "total": 2},
         "closed_last_30_days": 1, "last_success_at": ")" +
                                                iso(h.t()) + R"(",
         "sync_status": "ok"},
        {"source": "inspector", "scan": "shop-web",
         "open": {"Critical": 1, "High": 1, "Medium": 1, "Low": 0, "Info": 0, "total": 3},
         "closed_last_30_days": 0, "last_success_at": ")" +
                                                iso(h.day(2)) + R"(",
         "sync_status": "overdue"}])"));
}

TEST_CASE(
    "codeguru-syncd --report in a table lists the scans and projects of --scan, also one without "
    "data") {
    ReportingHistory h;
    // A CodeGuru scan named like the Inspector project, never synced: a line of its own.
    h.query(
        "INSERT INTO findings (scan_name, finding_id, created_at, updated_at, status, severity, "
        "first_seen_at, last_changed_at) VALUES ('shop-web', 'c1', now(), now(), 'Open', 'Low', "
        "now(), now())");
    const auto run = run_report(h, "--scan beta --scan nosuch --scan shop-web");
    INFO(run.out);
    REQUIRE(run.status == 0);
    const auto lines = lines_of(run.out);
    REQUIRE(lines.size() == 7);
    CHECK(lines[0].rfind("Findings report at ", 0) == 0);
    CHECK_THAT(lines[0], Catch::EndsWith(" UTC (sync interval 1h 0m)"));
    CHECK(lines[1].empty());
    const std::regex columns("  +");
    const auto cells = [&](const std::string& line) {
        return std::vector<std::string>(
            std::sregex_token_iterator(line.begin(), line.end(), columns, -1), {});
    };
    CHECK(cells(lines[2]) == std::vector<std::string>{"SOURCE", "SCAN", "CRITICAL", "HIGH",
                                                      "MEDIUM", "LOW", "INFO", "OPEN", "CLOSED 30D",
                                                      "LAST SUCCESS", "AGE", "SYNC"});
    const std::string t = timestamptz_of(h.t()).substr(0, 16) + " UTC";
    auto beta = cells(lines[3]);
    REQUIRE(beta.size() == 12);
    CHECK_THAT(beta[10], Catch::Matches("[0-9]+[sm]"));  // seconds or minutes since T
    beta[10] = "AGE";
    CHECK(beta == std::vector<std::string>{"codeguru", "beta", "1", "2", "2", "1", "1", "7", "1", t,
                                           "AGE", "ok"});
    // A name that is neither a scan nor a project is taken for a CodeGuru scan.
    CHECK(cells(lines[4]) == std::vector<std::string>{"codeguru", "nosuch", "0", "0", "0", "0", "0",
                                                      "0", "0", "-", "-", "never"});
    CHECK(cells(lines[5]) == std::vector<std::string>{"codeguru", "shop-web", "0", "0", "0", "1",
                                                      "0", "1", "0", "-", "-", "never"});
    // An Inspector project: as fresh as its stalest stream, eu-west-1, two days ago.
    auto shop = cells(lines[6]);
    REQUIRE(shop.size() == 12);
    CHECK_THAT(shop[10], Catch::Matches("2d [0-9]+h"));
    shop[10] = "AGE";
    CHECK(shop == std::vector<std::string>{"inspector", "shop-web", "1", "1", "1", "0", "0", "3",
                                           "0", timestamptz_of(h.day(2)).substr(0, 16) + " UTC",
                                           "AGE", "overdue"});
}

TEST_CASE("codeguru-syncd --report takes --output, and --source and --project, repeatable") {
    CHECK(parse_args({"--report", "--format=html"}).report_format == "html");
    CHECK(parse_args({"--report", "--output", "/tmp/r.html"}).report_output == "/tmp/r.html");
    CHECK(parse_args({"--report"}).report_output.empty());
    const auto filtered = parse_args({"--report", "--source", "inspector", "--source=codeguru",
                                      "--project", "shop-web", "--project", "beta"});
    CHECK(filtered.sources == std::vector<std::string>{"inspector", "codeguru"});
    CHECK(filtered.projects == std::vector<std::string>{"shop-web", "beta"});
    CHECK(filtered.scans.empty());
    CHECK(usage_text().find("--output FILE") != std::string::npos);
    CHECK(usage_text().find("--source SOURCE") != std::string::npos);
    CHECK(usage_text().find("--project NAME") != std::string::npos);
    CHECK(usage_text().find("table|csv|json|html") != std::string::npos);
}

TEST_CASE("codeguru-syncd --output, --source or --project without --report or with a bad value") {
    CHECK_THAT(usage_error_text({"--output=r.html"}),
               Catch::Contains("--output applies to --report"));
    CHECK_THAT(usage_error_text({"--once", "--source=codeguru"}),
               Catch::Contains("--source applies to --report"));
    CHECK_THAT(usage_error_text({"--project", "beta"}),
               Catch::Contains("--project applies to --report"));
    CHECK_THAT(usage_error_text({"--report", "--source", "github"}),
               Catch::Contains("--source must be codeguru or inspector, not \"github\""));
    CHECK_THAT(usage_error_text({"--report", "--output="}),
               Catch::Contains("--output needs a file"));
    CHECK_THAT(usage_error_text({"--report", "--project="}), Catch::Contains("--project needs a"));
    CHECK_THAT(usage_error_text({"--report", "--output=a", "--output=b"}),
               Catch::Contains("--output given more than once"));
}

TEST_CASE("codeguru-syncd --report --format html --output writes the page to the file") {
    ReportingHistory h;
    const auto directory = std::filesystem::temp_directory_path() / ("report_html_" + h.schema());
    std::filesystem::create_directories(directory);
    const auto file = directory / "report.html";
    std::ofstream(file) << "the previous report";
    const auto run = run_report(h,
                                "--format html --source inspector --project shop-web "
                                "--output " +
                                    file.string());
    REQUIRE(run.status == 0);
    CHECK(run.out.empty());
    std::ifstream in(file);
    const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(page.ends_with("</html>\n"));
    // shop-web: f01 Critical, f03 High, f10 Medium.
    CHECK(page.find("id=\"tile-open-total\"><div class=\"n\">3</div>") != std::string::npos);
    CHECK(page.find("Sources: inspector. Scans and projects: shop-web.") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0644);
    // Renamed into place: no temporary file left beside it.
    CHECK(std::distance(std::filesystem::directory_iterator(directory),
                        std::filesystem::directory_iterator()) == 1);
    std::filesystem::remove_all(directory);

    // Without --output, the page goes to stdout.
    const auto printed = run_report(h, "--format html --project nosuch");
    REQUIRE(printed.status == 0);
    CHECK(printed.out.find("id=\"no-findings\"") != std::string::npos);

    // A file that cannot be written: status 1, the reason on stderr.
    const auto failed = run_report(h, "--format html --output /nonexistent-dir/report.html 2>&1");
    CHECK(failed.status == 1);
    CHECK_THAT(failed.out, Catch::Contains("/nonexistent-dir/report.html"));
}

TEST_CASE("codeguru-syncd --report --source and --project filter the table, csv and json too") {
    ReportingHistory h;
    const auto inspector = lines_of(run_report(h, "--format csv --source inspector").out);
    REQUIRE(inspector.size() == 3);
    CHECK(inspector[1].rfind("inspector,payments-api," + std::string(kPaymentsCounts) + ",", 0) ==
          0);
    CHECK(inspector[2].rfind("inspector,shop-web," + std::string(kShopCounts) + ",", 0) == 0);
    // --project and --scan name scans and projects alike; --source keeps one source's.
    const auto both = lines_of(run_report(h, "--format csv --project beta --scan shop-web").out);
    REQUIRE(both.size() == 3);
    CHECK(both[1].rfind("codeguru,beta," + std::string(kBetaCounts) + ",", 0) == 0);
    CHECK(both[2].rfind("inspector,shop-web,", 0) == 0);
    const auto one = lines_of(
        run_report(h, "--format csv --project beta --project shop-web --source codeguru").out);
    REQUIRE(one.size() == 2);
    CHECK(one[1].rfind("codeguru,beta,", 0) == 0);
}
