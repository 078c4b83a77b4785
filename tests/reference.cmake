# The independent reference mapper the end-to-end tests compare the daemon's tables with
# (tests/support/reference_mapper), pinned by hand-written cases.
codeguru_test(reference_tests reference_mapper_test.cpp)
