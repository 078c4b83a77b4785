# The fake CodeGuru Security API and the finding generator behind every other test.
codeguru_test(fake_api_tests fake_api_test.cpp finding_generator_test.cpp fake_api_main_test.cpp)
add_dependencies(fake_api_tests codeguru-fake-api)
