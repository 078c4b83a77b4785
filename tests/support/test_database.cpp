#include "test_database.hpp"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>

namespace codeguru::test {
namespace {

// Appends `text` with one write(2) on an O_APPEND descriptor, so that lines of test
// processes running in parallel never interleave.
void append_to(const std::string& path, const std::string& text) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error("cannot open " + path);
    const ssize_t written = ::write(fd, text.data(), text.size());
    ::close(fd);
    if (written != static_cast<ssize_t>(text.size())) {
        throw std::runtime_error("cannot write " + path);
    }
}

// The runs of `schema` still `running` (none when it has no sync_runs table), as lines.
std::string running_runs(pqxx::work& w, const std::string& schema) {
    const bool has_runs =
        w.exec_params("SELECT to_regclass(format('%I.sync_runs', $1::text)) IS NOT NULL", schema)
            .at(0)
            .at(0)
            .as<bool>();
    if (!has_runs) return "";
    std::string lines;
    for (const auto& row : w.exec("SELECT run_id, scan_name FROM " + w.quote_name(schema) +
                                  ".sync_runs WHERE outcome = 'running' ORDER BY run_id")) {
        lines += schema + ": run " + row[0].as<std::string>() + " of scan " +
                 row[1].as<std::string>() + " (" + program_invocation_short_name + ")\n";
    }
    return lines;
}

}  // namespace

std::string test_conninfo() {
    const char* file = CODEGURU_TEST_PG_FILE;
    std::ifstream in(file);
    std::string conninfo;
    if (!std::getline(in, conninfo) || conninfo.empty()) {
        throw std::runtime_error(std::string("no PostgreSQL test cluster: ") + file +
                                 " is missing (the pg_start fixture did not run)");
    }
    return conninfo;
}

std::string running_runs_file() {
    return std::string(CODEGURU_TEST_PG_FILE) + ".running-runs";
}

TestSchema::TestSchema() : conninfo_(test_conninfo()) {
    static std::atomic<int> counter{0};
    name_ = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    pqxx::connection c(conninfo_);
    pqxx::work w(c);
    w.exec("DROP SCHEMA IF EXISTS " + w.quote_name(name_) + " CASCADE");
    w.commit();
}

TestSchema::~TestSchema() {
    try {
        pqxx::connection c(conninfo_);
        pqxx::work w(c);
        if (const auto lines = running_runs(w, name_); !lines.empty()) {
            append_to(running_runs_file(), lines);
        }
        w.exec("DROP SCHEMA IF EXISTS " + w.quote_name(name_) + " CASCADE");
        w.commit();
    } catch (...) {
        // The cluster is thrown away after the run anyway.
    }
}

}  // namespace codeguru::test
