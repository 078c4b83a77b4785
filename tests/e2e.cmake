# End-to-end: the real codeguru-syncd process against the fake API and the test cluster.
codeguru_test(e2e_tests e2e/daemon_process.cpp e2e/tables_snapshot.cpp e2e/daemon_cli_test.cpp
              e2e/crash_resume_test.cpp e2e/concurrent_daemons_test.cpp
              e2e/inspector_daemon_test.cpp POSTGRES)
# The tests spawn the binary: building them builds it.
add_dependencies(e2e_tests codeguru-syncd)
