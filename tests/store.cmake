# The store: migrations, the child tables' references, Finding -> rows, the per-page writer,
# checkpoints and runs.
codeguru_test(store_tests migrations_test.cpp page_columns_test.cpp copy_rows_test.cpp
              findings_page_writer_test.cpp finding_references_test.cpp
              sync_state_store_test.cpp conninfo_test.cpp POSTGRES)
