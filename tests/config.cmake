codeguru_test(config_tests duration_test.cpp config_test.cpp)
# --check: the real binary against the fake API and the test cluster.
codeguru_test(preflight_tests preflight_check_test.cpp e2e/daemon_process.cpp
              e2e/tables_snapshot.cpp POSTGRES)
target_include_directories(preflight_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
add_dependencies(preflight_tests codeguru-syncd)
