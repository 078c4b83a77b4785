#include "support_private_cluster.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>

namespace codeguru::test {
namespace {

constexpr char kPgBinDir[] = "/usr/lib/postgresql/15/bin";

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string out = text.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

void run(const std::string& command) {
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("private cluster: `" + command + "` failed");
    }
}

}  // namespace

PrivateCluster::PrivateCluster() : state_file_(state_dir_.path() / "conninfo") {
    // Durable: an immediate stop must lose no committed transaction.
    run("PG_FIXTURE_DURABLE=1 " + std::string(CODEGURU_SOURCE_DIR) +
        "/tests/support/pg_fixture start " + state_file_.string() + " >/dev/null");
    dir_ = read_file(state_file_.string() + ".dir");
    conninfo_ = read_file(state_file_);
    // Plain `pg_ctl start` must bring it back where the fixture put it.
    std::ofstream conf(data_dir() / "postgresql.conf", std::ios::app);
    conf << "\nlisten_addresses = ''\nunix_socket_directories = '" << (dir_ / "socket").string()
         << "'\nmax_connections = 200\n";
}

PrivateCluster::~PrivateCluster() {
    const std::string command = std::string(CODEGURU_SOURCE_DIR) +
                                "/tests/support/pg_fixture stop " + state_file_.string() +
                                " >/dev/null 2>&1";
    [[maybe_unused]] const int ignored = std::system(command.c_str());
}

void PrivateCluster::pg_ctl(const std::string& arguments) {
    const std::string as_owner = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    run(as_owner + kPgBinDir + "/pg_ctl -D " + data_dir().string() + " -l " +
        (dir_ / "server.log").string() + " " + arguments + " >/dev/null");
}

void PrivateCluster::restart() {
    pg_ctl("-m fast -w -t 60 restart");
}

void PrivateCluster::crash() {
    pg_ctl("-m immediate -w stop");
}

void PrivateCluster::start() {
    pg_ctl("-w -t 60 start");
}

void PrivateCluster::require_password(const std::string& user, const std::string& password) {
    pqxx::connection connection(conninfo_);
    pqxx::nontransaction tx(connection);
    tx.exec0("SET password_encryption = 'scram-sha-256'");
    tx.exec0("CREATE ROLE " + tx.quote_name(user) + " LOGIN PASSWORD " + tx.quote(password));
    const auto hba = data_dir() / "pg_hba.conf";
    const std::string rest = read_file(hba);
    std::ofstream out(hba, std::ios::trunc);
    out << "local all " << user << " scram-sha-256\n" << rest << "\n";
    out.close();
    tx.exec("SELECT pg_reload_conf()");
}

}  // namespace codeguru::test
