# Importing CodeGuru Security exports (--import): the export splitter and reader.
codeguru_test(import_tests export_splitter_test.cpp export_reader_test.cpp)
codeguru_test(import_store_tests export_import_test.cpp POSTGRES)

# The real binary, with exports written by botocore's own parser and by the AWS CLI (v1)
# itself: that needs a python3 with awscli and a botocore that has the codeguru-security
# model (>= 1.31). Debian bookworm's python3-botocore (1.29) has not; this machine's pyenv
# Python has both. The first python3 that has it is used:
# -DCODEGURU_TEST_PYTHON=..., then python3 on PATH, then pyenv's. With none, the tests are
# still built and run, and fail saying so (tests/support/codeguru_export.py exits 3): the
# acceptance tests of --import are never left out silently.
set(_codeguru_python_candidates)
if(CODEGURU_TEST_PYTHON)
    list(APPEND _codeguru_python_candidates "${CODEGURU_TEST_PYTHON}")
endif()
find_program(_codeguru_path_python python3)
if(_codeguru_path_python)
    list(APPEND _codeguru_python_candidates "${_codeguru_path_python}")
endif()
file(GLOB _codeguru_pyenv_pythons "$ENV{HOME}/.pyenv/versions/*/bin/python3"
     "/root/.pyenv/versions/*/bin/python3")
list(APPEND _codeguru_python_candidates ${_codeguru_pyenv_pythons})
set(_codeguru_found_python "")
foreach(_python IN LISTS _codeguru_python_candidates)
    execute_process(
        COMMAND "${_python}" -c "import awscli, botocore.session, sys; sys.exit(0 if 'codeguru-security' in botocore.session.get_session().get_available_services() else 1)"
        RESULT_VARIABLE _codeguru_python_rc OUTPUT_QUIET ERROR_QUIET)
    if(_codeguru_python_rc EQUAL 0)
        set(_codeguru_found_python "${_python}")
        break()
    endif()
endforeach()
if(NOT _codeguru_found_python)
    set(_codeguru_found_python python3)
    message(WARNING "no python3 with awscli and botocore's codeguru-security model (>= 1.31) "
                    "among: ${_codeguru_python_candidates}; import_e2e_tests will fail. "
                    "Pass -DCODEGURU_TEST_PYTHON=/path/to/python3.")
endif()
message(STATUS "import_e2e_tests write exports with ${_codeguru_found_python}")
codeguru_test(import_e2e_tests import_e2e_test.cpp e2e/daemon_process.cpp POSTGRES)
target_include_directories(import_e2e_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/e2e)
target_compile_definitions(import_e2e_tests
                           PRIVATE CODEGURU_TEST_PYTHON="${_codeguru_found_python}")
add_dependencies(import_e2e_tests codeguru-syncd)
