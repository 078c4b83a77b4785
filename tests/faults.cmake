# Faults and hostile input (issue 8): the network, the API and the database misbehaving,
# hostile findings and configuration, SIGKILL loops and three daemons on one database,
# each case ending with the database compared to one clean sync.
codeguru_test(fault_tests faults/support_raw_api.cpp faults/support_private_cluster.cpp
              faults/api_faults_test.cpp faults/hostile_findings_test.cpp
              faults/database_faults_test.cpp faults/kill_loop_test.cpp
              faults/three_daemons_test.cpp faults/stop_latency_test.cpp
              faults/hostile_config_test.cpp
              faults/sql_injection_test.cpp faults/hostile_pages_test.cpp
              e2e/daemon_process.cpp e2e/tables_snapshot.cpp
              POSTGRES)
target_include_directories(fault_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
                                               ${CMAKE_CURRENT_SOURCE_DIR}/faults)
# The end-to-end cases spawn the binary: building the tests builds it.
add_dependencies(fault_tests codeguru-syncd)
