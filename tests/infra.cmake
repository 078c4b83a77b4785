# The test infrastructure itself: the PgBouncer fixture and the TCP proxy.
codeguru_test(infra_tests support_infra_test.cpp POSTGRES PGBOUNCER)
