#include "pgbouncer.hpp"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <pqxx/pqxx>
#include <stdexcept>

#include "test_database.hpp"

namespace codeguru::test {

std::string pgbouncer_conninfo() {
    const char* file = CODEGURU_TEST_PGBOUNCER_FILE;
    std::ifstream in(file);
    std::string conninfo;
    if (!std::getline(in, conninfo) || conninfo.empty()) {
        throw std::runtime_error(std::string("no PgBouncer for the tests: ") + file +
                                 " is missing (the pgbouncer_start fixture did not run)");
    }
    return conninfo;
}

namespace {

// In a libpq conninfo string the last value of a repeated keyword wins.
std::string with_dbname(const std::string& conninfo, const std::string& dbname) {
    return conninfo + " dbname=" + dbname;
}

}  // namespace

PgBouncerDatabase::PgBouncerDatabase() {
    static std::atomic<int> counter{0};
    name_ = "pgb" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    const std::string cluster = test_conninfo();
    conninfo_ = with_dbname(pgbouncer_conninfo(), name_);
    direct_conninfo_ = with_dbname(cluster, name_);
    pqxx::connection c(cluster);
    pqxx::nontransaction w(c);
    w.exec("DROP DATABASE IF EXISTS " + w.quote_name(name_) + " WITH (FORCE)");
    // template0: nobody connects to it, so its copy cannot fail on another test's session.
    w.exec("CREATE DATABASE " + w.quote_name(name_) + " TEMPLATE template0");
}

PgBouncerDatabase::~PgBouncerDatabase() {
    try {
        pqxx::connection c(test_conninfo());
        pqxx::nontransaction w(c);
        // FORCE ends the server connections PgBouncer still pools for this database.
        w.exec("DROP DATABASE IF EXISTS " + w.quote_name(name_) + " WITH (FORCE)");
    } catch (...) {
        // The cluster is thrown away after the run anyway.
    }
}

}  // namespace codeguru::test
