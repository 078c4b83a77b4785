# The daemon as a systemd service (SPEC §8): notify protocol, watchdog, reload, logs,
# metrics, /healthz and the unit file. The end-to-end ones spawn the real binary; the
# /healthz ones also stop a private PostgreSQL cluster of their own.
codeguru_test(service_tests config_metrics_log_test.cpp logging_test.cpp metrics_test.cpp
              health_check_test.cpp unit_file_test.cpp e2e/daemon_process.cpp
              e2e/tables_snapshot.cpp e2e/notify_socket.cpp e2e/systemd_notify_test.cpp
              e2e/reload_test.cpp e2e/metrics_test.cpp faults/support_private_cluster.cpp POSTGRES)
target_include_directories(service_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e
                                                 ${CMAKE_CURRENT_SOURCE_DIR}/faults)
add_dependencies(service_tests codeguru-syncd)
# The Debian package: built (and, as root on Debian, installed) from this build. A case
# that cannot run here (no cpack or dpkg, not root) exits 77, which ctest reports as skipped.
add_executable(package_tests package_test.cpp e2e/daemon_process.cpp)
target_link_libraries(package_tests PRIVATE catch_main codeguru_test_support codeguru
                                            codeguru_warnings)
catch_discover_tests(package_tests PROPERTIES SKIP_RETURN_CODE 77)
add_dependencies(package_tests codeguru-syncd)
