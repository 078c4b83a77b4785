# Importing CodeGuru Security exports (--import): the export splitter and reader.
codeguru_test(import_tests export_splitter_test.cpp export_reader_test.cpp)
codeguru_test(import_store_tests export_import_test.cpp POSTGRES)
