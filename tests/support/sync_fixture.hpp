#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "client_stack.hpp"
#include "fake_api.hpp"
#include "sources/codeguru/scan_sync.hpp"
#include "store/database.hpp"
#include "test_database.hpp"
#include "util/clock.hpp"

namespace codeguru::test {

// A clock that reads whatever it was last set to. Thread-safe.
class PinnedClock final : public Clock {
  public:
    explicit PinnedClock(std::chrono::system_clock::time_point at) : at_(at) {}
    std::chrono::system_clock::time_point now() const override { return at_.load(); }
    void set(std::chrono::system_clock::time_point at) { at_.store(at); }

  private:
    std::atomic<std::chrono::system_clock::time_point> at_;
};

// A migrated schema, the fake API and the production client stack, wired together so
// that a test runs syncs in-process, as the daemon's scheduler would.
struct SyncFixture {
    TestSchema schema;
    FakeCodeGuruApi fake;
    std::unique_ptr<ClientStack> stack;
    std::string application_name;

    SyncFixture();

    // The daemon's database access to the test schema's database (connections tagged with
    // application_name), stopped by the stack's stop flag.
    std::unique_ptr<store::Database> database() const;

    // One run of ScanSync for `scan`, timed by the stack's wall clock or by `clock`.
    sync::ScanResult sync(const std::string& scan, int page_size = 1000);
    sync::ScanResult sync(const std::string& scan, const Clock& clock, int page_size = 1000);

    // Runs `sql` in its own transaction with search_path set to the test schema.
    pqxx::result query(const std::string& sql);

    // A fresh client with a fresh stop flag, as after a restart of the daemon.
    void restart_client();

    // Insert/update/delete counters of every finding table, as PostgreSQL counts them.
    std::string write_counters();
};

}  // namespace codeguru::test
