#include "test_database.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>

namespace codeguru::test {

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
        w.exec("DROP SCHEMA IF EXISTS " + w.quote_name(name_) + " CASCADE");
        w.commit();
    } catch (...) {
        // The cluster is thrown away after the run anyway.
    }
}

}  // namespace codeguru::test
