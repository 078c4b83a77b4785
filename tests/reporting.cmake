# Reporting: the views over both sources, the Grafana dashboard's queries, the documented
# queries and codeguru-syncd --report, all against one seeded history (reporting_history.cpp
# and reporting_inspector_history.cpp).
codeguru_test(reporting_tests reporting_history.cpp reporting_inspector_history.cpp
              reporting_views_test.cpp reporting_sources_test.cpp dashboard_queries_test.cpp
              reporting_docs_test.cpp report_format_test.cpp report_cli_test.cpp POSTGRES)
# report_cli_test runs the daemon binary.
add_dependencies(reporting_tests codeguru-syncd)
