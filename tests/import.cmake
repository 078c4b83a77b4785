# Importing CodeGuru Security exports (--import): the export splitter and reader.
codeguru_test(import_tests export_splitter_test.cpp export_reader_test.cpp)
codeguru_test(import_store_tests export_import_test.cpp POSTGRES)
# The real binary: exports written by botocore (a python3 whose botocore has the
# codeguru-security model, >= 1.31), against the test cluster and the fake API.
find_program(CODEGURU_TEST_PYTHON python3 REQUIRED)
codeguru_test(import_e2e_tests import_e2e_test.cpp e2e/daemon_process.cpp POSTGRES)
target_include_directories(import_e2e_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
target_compile_definitions(import_e2e_tests PRIVATE CODEGURU_TEST_PYTHON="${CODEGURU_TEST_PYTHON}")
add_dependencies(import_e2e_tests codeguru-syncd)
