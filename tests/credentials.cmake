# The AWS credential chain: each provider against loopback fakes, the chain's order, and the
# real daemon's output at debug level through each provider.
codeguru_test(credential_tests web_identity_provider_test.cpp assume_role_provider_test.cpp
              process_provider_test.cpp ecs_provider_test.cpp imds_provider_test.cpp
              credential_chain_test.cpp credentials_secrets_test.cpp e2e/daemon_process.cpp
              e2e/tables_snapshot.cpp POSTGRES)
target_include_directories(credential_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
# The secrets test spawns the binary: building the tests builds it.
add_dependencies(credential_tests codeguru-syncd)
