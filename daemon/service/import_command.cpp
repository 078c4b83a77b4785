#include "service/import_command.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <ostream>

#include "sources/codeguru/export_import.hpp"
#include "util/one_line.hpp"

namespace codeguru::service {
namespace {

// Findings per page applied: a GetFindings page's worth, a few MB at most.
constexpr std::size_t kImportBatch = 1000;

Timestamp now_us() {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now());
}

}  // namespace

int run_import(pqxx::connection_base& connection, const std::string& schema,
               const std::vector<std::string>& files, const std::string& scan, bool complete,
               std::istream& stdin_stream, std::ostream& out, std::ostream& err) {
    ImportOptions options;
    options.scan = scan;
    options.complete = complete;
    options.batch_size = kImportBatch;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string& file = files[i];
        // With --complete the files are one set; otherwise each file is a set of its own.
        options.first_of_set = !complete || i == 0;
        options.last_of_set = !complete || i + 1 == files.size();
        const bool is_stdin = file == "-";
        const std::string name = is_stdin ? "standard input" : file;
        std::ifstream opened;
        if (!is_stdin) {
            std::error_code ignored;
            if (std::filesystem::is_directory(file, ignored)) {
                err << "codeguru-syncd: --import: cannot read " << file << ": it is a directory\n";
                return 1;
            }
            opened.open(file, std::ios::binary);
            if (!opened) {
                err << "codeguru-syncd: --import: cannot open " << file << ": "
                    << std::strerror(errno) << "\n";
                return 1;
            }
        }
        std::istream& in = is_stdin ? stdin_stream : opened;
        try {
            const FileImportResult r =
                import_export_file(connection, schema, in, name, options, now_us());
            out << name << ": scan " << scan << ", run " << r.run_id << ": " << r.seen
                << " findings (" << r.inserted << " new, " << r.updated << " updated, "
                << r.unchanged << " unchanged, " << r.rejected << " rejected)";
            if (complete && options.last_of_set) {
                out << ", " << r.marked_missing << " marked missing";
            }
            out << "\n";
        } catch (const std::exception& e) {
            err << "codeguru-syncd: --import: " << one_line(e.what())
                << " (nothing of this file was applied)\n";
            return 1;
        }
    }
    return 0;
}

}  // namespace codeguru::service
