# The Inspector side of the store: page columns (pure), migration 006's page and snippet
# functions through their writers, and the code_findings view.
codeguru_test(inspector_page_columns_tests inspector_page_columns_test.cpp)
codeguru_test(inspector_store_tests inspector_store_test.cpp POSTGRES)
