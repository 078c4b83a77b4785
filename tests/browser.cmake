# The browser side of the HTML report: a harness that loads a page in Debian's headless
# Chromium (tests/support/chromium_page.hpp) and a PNG reader for its screenshots
# (tests/support/png_pixels.hpp), both in codeguru_test_support; png_pixels needs zlib.
find_package(ZLIB REQUIRED)
target_link_libraries(codeguru_test_support PUBLIC ZLIB::ZLIB)

# The harness and the PNG reader, without a database.
codeguru_test(browser_tests png_pixels_test.cpp chromium_harness_test.cpp)

# codeguru-syncd --report --format html opened in Chromium: runs the daemon binary against the
# seeded reporting history.
codeguru_test(report_browser_tests report_browser_test.cpp reporting_history.cpp
              reporting_inspector_history.cpp POSTGRES)
add_dependencies(report_browser_tests codeguru-syncd)
