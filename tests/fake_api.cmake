# The fake CodeGuru Security and Inspector APIs and the finding generators behind every other test.
codeguru_test(fake_api_tests fake_api_test.cpp finding_generator_test.cpp fake_api_main_test.cpp
              fake_inspector_test.cpp)
add_dependencies(fake_api_tests codeguru-fake-api)
