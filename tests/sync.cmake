codeguru_test(sync_tests scan_sync_test.cpp owner_id_test.cpp POSTGRES)
