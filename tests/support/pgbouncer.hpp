#pragma once

#include <string>

namespace codeguru::test {

// The server connections PgBouncer keeps per (database, user) pair: default_pool_size in
// tests/support/pgbouncer_fixture, smaller than the clients the acceptance tests open.
constexpr int kPgBouncerPoolSize = 3;

// The conninfo of the PgBouncer started by the `pgbouncer` ctest fixture (transaction pool
// mode, in front of the `pg` cluster). Throws when the fixture is not running.
std::string pgbouncer_conninfo();

// A fresh database of its own on the test cluster, reached through PgBouncer: its pool of
// kPgBouncerPoolSize server connections is shared with no other test running at the same
// time. Dropped (with its connections) on destruction.
class PgBouncerDatabase {
  public:
    PgBouncerDatabase();
    ~PgBouncerDatabase();
    PgBouncerDatabase(const PgBouncerDatabase&) = delete;
    PgBouncerDatabase& operator=(const PgBouncerDatabase&) = delete;

    const std::string& name() const { return name_; }
    // Through PgBouncer, in transaction pool mode.
    const std::string& conninfo() const { return conninfo_; }
    // Straight to the cluster, bypassing PgBouncer.
    const std::string& direct_conninfo() const { return direct_conninfo_; }

  private:
    std::string name_;
    std::string conninfo_;
    std::string direct_conninfo_;
};

}  // namespace codeguru::test
