codeguru_test(transport_tests
  text_sanitizer_test.cpp timestamp_test.cpp finding_json_test.cpp error_parser_test.cpp
  retry_strategy_test.cpp rate_limiter_test.cpp curl_transport_test.cpp page_buffer_test.cpp
  entries_cut_test.cpp)
