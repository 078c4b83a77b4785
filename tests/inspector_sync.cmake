# Amazon Inspector streams end to end in-process (issue 12, SPEC §10): the production client
# stack against the fake Inspector, the pass runner and the real PostgreSQL, compared with the
# independent reference (tests/support/inspector_reference).
codeguru_test(inspector_sync_tests inspector_sync_test.cpp POSTGRES)
