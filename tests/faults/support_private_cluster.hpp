#pragma once

#include <filesystem>
#include <string>

#include "daemon_process.hpp"

namespace codeguru::test {

// A PostgreSQL cluster of one test's own (tests/support/pg_fixture on a private socket),
// for faults that the shared test cluster must never see: restarts, outages, password
// authentication. Stopped and removed on destruction. Not thread-safe.
class PrivateCluster {
  public:
    // Throws std::runtime_error when the cluster does not start.
    PrivateCluster();
    ~PrivateCluster();
    PrivateCluster(const PrivateCluster&) = delete;
    PrivateCluster& operator=(const PrivateCluster&) = delete;

    // "host=SOCKETDIR port=5432 user=postgres dbname=postgres" (trust authentication).
    const std::string& conninfo() const { return conninfo_; }
    std::filesystem::path data_dir() const { return dir_ / "data"; }

    // pg_ctl restart -m fast: every session is terminated, the server is back when it returns.
    void restart();
    // pg_ctl stop -m immediate (a crash: recovery on the next start), and start again.
    void crash();
    void start();

    // Creates `user` with `password` and makes the server demand it (scram-sha-256) for
    // that user only.
    void require_password(const std::string& user, const std::string& password);

  private:
    void pg_ctl(const std::string& arguments);

    TempDir state_dir_;
    std::filesystem::path state_file_;
    std::filesystem::path dir_;
    std::string conninfo_;
};

}  // namespace codeguru::test
