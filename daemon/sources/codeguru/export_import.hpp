#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <pqxx/pqxx>
#include <string>

#include "util/timestamp.hpp"

namespace codeguru {

// One file of an import. The files of a --complete import together hold the scan's whole
// result: the ids they hold are kept across their transactions (the first file starts
// that set, the last one ends it), and only the last marks what none held missing.
struct ImportOptions {
    std::string scan;               // the scan the findings are of
    bool complete = false;          // the set of files holds the scan's whole result
    bool first_of_set = true;       // drop what an earlier, failed import left of its set
    bool last_of_set = true;        // end the set: mark missing (with complete), clear it
    std::size_t batch_size = 1000;  // findings per page applied
};

// What importing one file did. Counted as a sync counts (SPEC §5): seen = inserted +
// updated + unchanged + rejected.
struct FileImportResult {
    std::int64_t run_id = 0;
    std::int64_t seen = 0;
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t rejected = 0;
    std::int64_t marked_missing = 0;  // with complete: findings the file did not hold
    std::uint64_t pages = 0;
    std::uint64_t documents = 0;
    std::uint64_t bytes = 0;
};

// Imports the export in `in` (named `name`: its path, or "-" for standard input) into
// `schema` in one transaction: its findings, page by page, with the sync's mapping and
// upsert rules (upsert_findings_page(), schema/009), and a run (source 'import',
// detail: the file's name and what it held) with the counts, `sync_time` as its time. With
// options.complete and last_of_set, the scan's findings that no file of the set held get
// missing_since. The scan's checkpoint does not change.
// Throws ImportFileError (export_reader.hpp) for input that is not an export, naming the
// file and where; then nothing of the file is applied, and a failed run with that error is
// recorded. pqxx errors for database failures (also undoing the file).
FileImportResult import_export_file(pqxx::connection_base& connection, const std::string& schema,
                                    std::istream& in, const std::string& name,
                                    const ImportOptions& options, Timestamp sync_time);

}  // namespace codeguru
