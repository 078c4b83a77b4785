# The daemon as a systemd service (SPEC §8): notify protocol, watchdog, reload, logs,
# metrics, the unit file and the Debian package. The end-to-end ones spawn the real binary.
codeguru_test(service_tests config_metrics_log_test.cpp logging_test.cpp metrics_test.cpp
              unit_file_test.cpp package_test.cpp e2e/daemon_process.cpp e2e/tables_snapshot.cpp
              e2e/notify_socket.cpp e2e/systemd_notify_test.cpp e2e/reload_test.cpp
              e2e/metrics_test.cpp POSTGRES)
target_include_directories(service_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
add_dependencies(service_tests codeguru-syncd)
