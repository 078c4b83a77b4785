codeguru_test(sync_tests scan_sync_test.cpp POSTGRES)
