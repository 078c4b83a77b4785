#include "sources/codeguru/export_import.hpp"

#include <spdlog/spdlog.h>

#include "sources/codeguru/export_reader.hpp"
#include "sources/codeguru/findings_page_writer.hpp"
#include "sources/json_mapping/answer_warnings.hpp"
#include "store/sql_support.hpp"

namespace codeguru {
namespace {

std::string described(const std::string& name, const FileImportResult& r) {
    return "import of " + name + ": " + std::to_string(r.bytes) + " bytes, " +
           std::to_string(r.documents) + " document(s), " + std::to_string(r.seen) + " finding(s)";
}

// A run for a file that could not be imported, in a transaction of its own (the file's
// was rolled back, and its run with it). Best effort: the import's error is what matters.
void record_failed_run(pqxx::connection_base& connection, const std::string& quoted_schema,
                       const std::string& scan, const std::string& name, const std::string& error,
                       Timestamp sync_time) {
    try {
        pqxx::work tx(connection, "codeguru_import_failed");
        tx.exec_params("INSERT INTO " + quoted_schema +
                           ".sync_runs (source, scan_name, started_at, finished_at, outcome, "
                           "error, detail) VALUES ('import', $1, $2, now(), 'failed', $3, $4)",
                       scan, format_timestamp(sync_time), error, "import of " + name);
        tx.commit();
    } catch (const std::exception& e) {
        spdlog::warn("import of {}: could not record the failed run: {}", name, e.what());
    }
}

// What --complete made of the file, for its run's detail.
const char* set_note(const ImportOptions& options) {
    if (!options.complete) return "";
    return options.last_of_set ? " (--complete: the last file of the set)"
                               : " (--complete: a file of the set)";
}

}  // namespace

FileImportResult import_export_file(pqxx::connection_base& connection, const std::string& schema,
                                    std::istream& in, const std::string& name,
                                    const ImportOptions& options, Timestamp sync_time) {
    const std::string quoted_schema = connection.quote_name(schema);
    const std::string time = format_timestamp(sync_time);
    FileImportResult result;
    try {
        pqxx::work tx(connection, "codeguru_import");
        result.run_id = tx.exec_params1("INSERT INTO " + quoted_schema +
                                            ".sync_runs (source, scan_name, started_at, detail) "
                                            "VALUES ('import', $1, $2, $3) RETURNING run_id",
                                        options.scan, time, "import of " + name)[0]
                            .as<std::int64_t>();
        tx.exec_params("SELECT " + quoted_schema + ".start_import($1, $2)", options.scan,
                       options.first_of_set);
        store::FindingsPageWriter writer(connection, schema);
        const std::string who = "import of " + name;
        const ExportReadSummary read =
            read_export(in, name, options.batch_size, [&](ParsedFindingsPage& page) {
                log_answer_warnings(who, "GetFindings page", page);
                if (page.page.findings.empty()) return;  // a document's wrapper
                const store::PageCounts counts =
                    writer.apply_imported(tx, options.scan, result.run_id, page.page.findings,
                                          sync_time, options.complete);
                result.seen += counts.seen;
                result.inserted += counts.inserted;
                result.updated += counts.updated;
                result.unchanged += counts.unchanged;
                result.rejected += counts.rejected;
                ++result.pages;
            });
        result.documents = read.documents;
        result.bytes = read.bytes;
        result.marked_missing =
            tx.exec_params1("SELECT " + quoted_schema + ".finish_import($1, $2, $3, $4)",
                            options.scan, time, options.complete, options.last_of_set)[0]
                .as<std::int64_t>();
        tx.exec_params("UPDATE " + quoted_schema +
                           ".sync_runs SET finished_at = now(), outcome = 'succeeded', "
                           "detail = $2 WHERE run_id = $1",
                       result.run_id, described(name, result) + set_note(options));
        tx.commit();
    } catch (const ImportFileError& error) {
        record_failed_run(connection, quoted_schema, options.scan, name, error.what(), sync_time);
        throw;
    } catch (const pqxx::broken_connection&) {
        throw;
    } catch (const std::exception& error) {
        record_failed_run(connection, quoted_schema, options.scan, name,
                          "import of " + name + ": " + error.what(), sync_time);
        throw;
    }
    return result;
}

}  // namespace codeguru
