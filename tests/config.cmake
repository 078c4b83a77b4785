codeguru_test(config_tests duration_test.cpp config_test.cpp)
