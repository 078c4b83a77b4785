# The page mappers against the outcomes frozen in tests/data/mapper_golden (issue 14):
# frozen generated pages, the fuzz corpus, deterministic mutations of both, and bodies
# written by hand; the walker's short-number readers against the general lexer; and kept
# JSON text written the same from plain and escaped strings.
codeguru_test(mapper_golden_tests mapper_golden_test.cpp mapper_golden_outcome.cpp
              mapper_golden_mutator.cpp ondemand_number_tokens_test.cpp kept_json_text_test.cpp)
