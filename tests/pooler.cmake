# Real infrastructure between the daemon and PostgreSQL (issue 13): three daemons through
# PgBouncer in transaction mode, and a half-open path behind a TCP proxy.
codeguru_test(pooler_tests faults/pgbouncer_daemons_test.cpp faults/half_open_test.cpp
              e2e/daemon_process.cpp e2e/tables_snapshot.cpp PGBOUNCER)
target_include_directories(pooler_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
                                                ${CMAKE_CURRENT_SOURCE_DIR}/faults)
add_dependencies(pooler_tests codeguru-syncd)
