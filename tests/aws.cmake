# AWS plumbing: SigV4 (published vectors and botocore, request for request) and credentials.
codeguru_test(aws_tests sigv4_signer_test.cpp sigv4_botocore_test.cpp credentials_test.cpp
  adaptive_rate_botocore_test.cpp)
