# The SAX and On-Demand page mappers against each other (issue 14): generated pages, the fuzz
# corpus and deterministic mutations of both.
codeguru_test(mapper_differential_tests mapper_differential_test.cpp)
