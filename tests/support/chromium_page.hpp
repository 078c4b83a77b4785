#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace codeguru::test {

// How open_in_chromium runs the browser.
struct ChromiumOptions {
    std::filesystem::path binary = "/usr/bin/chromium";  // Debian's launcher
    std::chrono::seconds timeout{60};                    // then the whole process group is killed
    int window_width = 1240;                             // A4 at 150 dpi
    int window_height = 1754;
};

// What one headless Chromium load of a page showed.
struct ChromiumResult {
    std::string dom;    // the serialized DOM after load (--dump-dom)
    std::string title;  // text of the DOM's first <title> element, entities decoded
    // Every console message, in order: the page's console calls, uncaught errors, CSP violations,
    // failed loads. Chromium 156 logs all of them at the same level (INFO), so console.error cannot
    // be told from console.log here: a page that runs no script must produce none at all.
    std::vector<std::string> console_messages;
    // Each connection the browser opened to any host while loading the page, as the first request
    // line the recording proxy read ("GET http://host/x HTTP/1.1", "CONNECT host:443 HTTP/1.1"), or
    // "(connection without a request)".
    std::vector<std::string> network_requests;
    std::vector<unsigned char> screenshot_png;  // the window as rendered (--screenshot)
    std::string browser_log;                    // Chromium's stderr, for failure messages
};

// Loads file://<html> in a fresh headless Chromium (own temporary profile, removed after), every
// http(s) fetch routed to an in-process recording proxy that answers 502, background traffic to
// Google services switched off so that only the page's requests are seen. Throws std::runtime_error
// when Chromium cannot start, times out or writes no screenshot.
ChromiumResult open_in_chromium(const std::filesystem::path& html,
                                const ChromiumOptions& options = {});

// The text a reader sees in a serialized DOM: <head>, <script>, <style> and tags removed, entities
// decoded, whitespace runs folded to one space.
std::string visible_text(const std::string& dom);

}  // namespace codeguru::test
