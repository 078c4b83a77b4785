# Reporting: the views over both sources, the Grafana dashboard's queries, the documented
# queries and codeguru-syncd --report (its HTML page too), all against one seeded history
# (reporting_history.cpp and reporting_inspector_history.cpp); html_escape_test needs none.
codeguru_test(reporting_tests reporting_history.cpp reporting_inspector_history.cpp
              reporting_views_test.cpp reporting_sources_test.cpp dashboard_queries_test.cpp
              reporting_docs_test.cpp report_format_test.cpp report_cli_test.cpp
              report_html_test.cpp html_escape_test.cpp POSTGRES)
# report_cli_test runs the daemon binary.
add_dependencies(reporting_tests codeguru-syncd)
