// The headless Chromium harness sees what a report test must check: text in the DOM, a title a
// script would change, console errors including CSP violations, any request to another host
// (with and without a CSP that blocks it) and whether the screenshot shows anything.
#include "chromium_page.hpp"
#include "png_pixels.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using codeguru::test::ChromiumResult;
using codeguru::test::decode_png;
using codeguru::test::grayscale_variance;
using codeguru::test::open_in_chromium;
using codeguru::test::visible_text;

namespace {

// The report's own CSP: nothing but inline style and data: images.
constexpr const char* kStrictCsp =
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
    "style-src 'unsafe-inline'; img-src data:\">";

// A screenshot with less luma variance than this shows nothing a reader could use. Observed
// with chromium 156 at 1240x1754: a blank white page 0, a single letter 0.66, one <h1> line 73,
// the text-and-blocks page of the last test 2242, the report of the seeded history 1956.
constexpr double kMinRenderedVariance = 50.0;

ChromiumResult open_page(const std::string& name, const std::string& html) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("chromium_harness_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto file = dir / (name + ".html");
    std::ofstream(file) << html;
    ChromiumResult result = open_in_chromium(file);
    std::filesystem::remove(file);
    std::error_code not_empty;  // another test case's page is still there
    std::filesystem::remove(dir, not_empty);
    return result;
}

std::string page(const std::string& head, const std::string& body) {
    return "<!DOCTYPE html><html><head><meta charset=\"utf-8\">" + head + "</head><body>" + body +
           "</body></html>";
}

bool any_contains(const std::vector<std::string>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
        return line.find(needle) != std::string::npos;
    });
}

}  // namespace

TEST_CASE("a plain page renders: its DOM text, no console message, no request", "[browser]") {
    const auto result =
        open_page("plain", page(std::string(kStrictCsp) + "<title>Findings &amp; scans</title>",
                                "<h1>Open findings</h1><table><tr><td>Critical</td><td>4</td></tr>"
                                "<tr><td>Total</td><td>1&nbsp;234</td></tr></table>"));
    CHECK(result.title == "Findings & scans");
    CHECK_THAT(visible_text(result.dom), Catch::Contains("Open findings Critical 4 Total 1 234"));
    CHECK_THAT(visible_text(result.dom), !Catch::Contains("Findings & scans"));  // <head> left out
    CHECK(result.console_messages.empty());
    CHECK(result.network_requests.empty());
}

TEST_CASE("a script under a CSP without script-src runs not, and the violation is reported",
          "[browser]") {
    const std::string body = "<p>still here</p><script>document.title='pwned'</script>";
    SECTION("with the CSP the title stays and the console names the violation") {
        const auto result =
            open_page("csp_script", page(std::string(kStrictCsp) + "<title>kept</title>", body));
        CHECK(result.title == "kept");
        CHECK_THAT(visible_text(result.dom), Catch::Contains("still here"));
        REQUIRE(result.console_messages.size() == 1);
        CHECK_THAT(result.console_messages[0],
                   Catch::Contains("Executing inline script violates the following Content "
                                   "Security Policy directive"));
    }
    SECTION("without it the same script changes the title: the check can fail") {
        const auto result = open_page("no_csp_script", page("<title>kept</title>", body));
        CHECK(result.title == "pwned");
    }
}

TEST_CASE("console errors and uncaught exceptions are reported", "[browser]") {
    const auto result = open_page(
        "console", page("<title>c</title>",
                        "<script>console.error('deliberate failure');undefinedFn();</script>"));
    CHECK(result.console_messages ==
          std::vector<std::string>{"deliberate failure",
                                   "Uncaught ReferenceError: undefinedFn is not defined"});
}

TEST_CASE("a page that fetches from another host is caught, with or without a CSP", "[browser]") {
    const std::string body =
        "<img src=\"http://example.invalid/x.png\">"
        "<div style=\"background:url(https://example.com/a.png);width:9px;height:9px\"></div>"
        "<link rel=\"stylesheet\" href=\"http://127.0.0.1:8123/local.css\">"
        "<p style=\"font-family:Remote\">text in a remote font</p>";
    const std::string style =
        "<style>@import url(http://imports.invalid/i.css);"
        "@font-face{font-family:Remote;src:url(http://fonts.invalid/f.woff2)}</style>";
    SECTION("without a CSP every fetch reaches the recording proxy") {
        const auto result = open_page("remote", page("<title>r</title>" + style, body));
        INFO("requests: " << Catch::Detail::stringify(result.network_requests));
        CHECK(any_contains(result.network_requests, "GET http://example.invalid/x.png HTTP/1.1"));
        CHECK(any_contains(result.network_requests, "CONNECT example.com:443"));
        CHECK(any_contains(result.network_requests, "GET http://127.0.0.1:8123/local.css"));
        CHECK(any_contains(result.network_requests, "GET http://imports.invalid/i.css"));
        CHECK(any_contains(result.network_requests, "GET http://fonts.invalid/f.woff2"));
    }
    SECTION("a CSP blocks the fetches, and each blocked one is a console message") {
        const auto result = open_page(
            "remote_csp", page(std::string(kStrictCsp) + "<title>r</title>" + style, body));
        CHECK(result.network_requests.empty());
        for (const char* url :
             {"http://example.invalid/x.png", "https://example.com/a.png",
              "http://127.0.0.1:8123/local.css", "http://imports.invalid/i.css"}) {
            CAPTURE(url);
            CHECK(any_contains(result.console_messages, url));
        }
    }
}

TEST_CASE("a blank page's screenshot has no variance, a drawn page more than the threshold",
          "[browser]") {
    const auto blank = decode_png(open_page("blank", page("<title>b</title>", "")).screenshot_png);
    CHECK(blank.width == 1240);
    CHECK(blank.height == 1754);
    CHECK(grayscale_variance(blank) < 0.01);

    const auto drawn = decode_png(
        open_page("drawn",
                  page("<title>d</title>",
                       "<h1>Open findings by severity</h1><p>Critical 4, High 12, Medium 30</p>"
                       "<div style=\"background:#c0392b;width:400px;height:120px\"></div>"
                       "<div style=\"background:#2c3e50;width:800px;height:120px\"></div>"))
            .screenshot_png);
    const double variance = grayscale_variance(drawn);
    INFO("variance of the drawn page: " << variance);
    CHECK(variance > kMinRenderedVariance);
}
