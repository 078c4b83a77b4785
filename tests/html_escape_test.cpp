// report/html_escape: untrusted text made inert for HTML text, attributes and SVG text.
#include <catch2/catch.hpp>

#include <string>

#include "report/html_escape.hpp"

using codeguru::report::clean_text;
using codeguru::report::escape_html;
using codeguru::report::html;

TEST_CASE("escape_html turns the five markup characters into references") {
    CHECK(escape_html("<script>alert('x')</script>") ==
          "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    CHECK(escape_html("\" onerror=\"x\" & </svg>") ==
          "&quot; onerror=&quot;x&quot; &amp; &lt;/svg&gt;");
    CHECK(escape_html("plain text, é") == "plain text, é");
    CHECK(escape_html("") == "");
}

TEST_CASE("clean_text removes NUL, controls and bidi overrides and keeps tab and newline") {
    CHECK(clean_text(std::string("a\0b", 3), 100) == "ab");
    CHECK(clean_text("a\x01\x1b[31mb\x7f", 100) == "a[31mb");
    CHECK(clean_text("a\tb\nc\rd", 100) == "a\tb\ncd");
    CHECK(clean_text("\xC2\x85next line", 100) == "next line");  // U+0085, a C1 control
    // U+202E (right-to-left override), U+202A, U+2066 (isolate) and U+2069 go; U+200F stays.
    CHECK(clean_text("evil\xE2\x80\xAEtxt.exe\xE2\x80\xAA\xE2\x81\xA6x\xE2\x81\xA9", 100) ==
          "eviltxt.exex");
    CHECK(clean_text("\xE2\x80\x8F", 100) == "\xE2\x80\x8F");
}

TEST_CASE("clean_text replaces invalid UTF-8 with U+FFFD, one per offending byte") {
    CHECK(clean_text("a\xFF"
                     "b",
                     100) ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(clean_text("\xC0\xAF", 100) == "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong
    CHECK(clean_text("\xED\xA0\x80", 100) == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
    CHECK(clean_text("x\xE2\x82", 100) == "x\xEF\xBF\xBD\xEF\xBF\xBD");                // truncated
    CHECK(clean_text("\xF0\x9F\x94\x92 ok", 100) == "\xF0\x9F\x94\x92 ok");            // U+1F512
}

TEST_CASE("clean_text shortens to the limit in code points with an ellipsis") {
    CHECK(clean_text("abcdef", 6) == "abcdef");
    CHECK(clean_text("abcdefg", 6) == "abcde\xE2\x80\xA6");
    // Cut on code point boundaries: é is two bytes, the lock four.
    CHECK(clean_text("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    CHECK(clean_text("\xF0\x9F\x94\x92\xF0\x9F\x94\x92\xF0\x9F\x94\x92", 2) ==
          "\xF0\x9F\x94\x92\xE2\x80\xA6");
    CHECK(clean_text("ab", 1) == "\xE2\x80\xA6");
    CHECK(clean_text("a", 1) == "a");
    CHECK(clean_text("abc", 0) == "");
    // Removed characters do not count.
    CHECK(clean_text(std::string("a\0\0\0b", 5), 2) == "ab");
}

TEST_CASE("html cleans, shortens and escapes a 10 MB hostile string into a short inert one") {
    std::string hostile = "\"><script>alert(1)</script>\xE2\x80\xAE";
    hostile += std::string(10 * 1024 * 1024, '<');
    const std::string out = html(hostile, 50);
    CHECK(out.find('<') == std::string::npos);
    CHECK(out.find('"') == std::string::npos);
    CHECK(out.find("\xE2\x80\xAE") == std::string::npos);
    CHECK(out.rfind("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;", 0) == 0);
    CHECK(out.ends_with("&lt;\xE2\x80\xA6"));
    // 49 code points kept: 27 of the prefix and 22 '<' (4 bytes each as &lt;).
    CHECK(out.size() ==
          std::string("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;").size() + 22 * 4 + 3);
}
