# The page mappers against the outcomes frozen in tests/data/mapper_golden (issue 14):
# frozen generated pages, the fuzz corpus, deterministic mutations of both, and bodies
# written by hand; and the walker's short-number readers against the general lexer.
codeguru_test(mapper_golden_tests mapper_golden_test.cpp mapper_golden_outcome.cpp
              mapper_golden_mutator.cpp ondemand_number_tokens_test.cpp)
