#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "util/stop_flag.hpp"

namespace codeguru::store {

// How the daemon talks to PostgreSQL: where, and the deadlines every call runs under.
struct DatabaseOptions {
    std::string url;  // libpq URI or key=value conninfo; the defaults of conninfo.hpp are added
    std::chrono::milliseconds statement_timeout{std::chrono::minutes(5)};
    // A call outstanding this long has its server probed on a fresh connection; a probe that
    // cannot connect and run SELECT 1 within probe_timeout abandons the call (half-open).
    std::chrono::milliseconds probe_after{std::chrono::seconds(20)};
    std::chrono::milliseconds probe_timeout{std::chrono::seconds(10)};
    // Past statement_timeout a call is cancelled; past statement_timeout + cancel_grace it is
    // abandoned.
    std::chrono::milliseconds cancel_grace{std::chrono::seconds(5)};
    // Once a stop is requested, a call gets stop_grace to finish, then is cancelled, and is
    // abandoned stop_abandon later. A connection attempt gets stop_grace too.
    std::chrono::milliseconds stop_grace{std::chrono::seconds(1)};
    std::chrono::milliseconds stop_abandon{std::chrono::milliseconds(500)};
};

class DatabaseConnection;

// The process's database access: opens connections with the daemon's defaults and watches
// every call made through them (DatabaseConnection::watched) from one background thread,
// so that a stop, a hung statement or a half-open connection never blocks a caller for
// longer than the deadlines above. Thread-safe. REQUIRES: every DatabaseConnection it made
// is destroyed before it is.
class Database {
  public:
    Database(DatabaseOptions options, StopFlag& stop);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    // Connects without blocking past the connect timeout or (after stop_grace) a stop.
    // Throws pqxx::broken_connection naming libpq's reason.
    std::unique_ptr<DatabaseConnection> connect();

    const DatabaseOptions& options() const { return options_; }

    // Calls abandoned so far (half-open connections noticed, timeouts, stops): for tests
    // and metrics.
    long abandoned_calls() const;

  private:
    friend class DatabaseConnection;
    class Watchdog;

    std::string conninfo() const;  // the URL with the defaults, as connections use it now

    DatabaseOptions options_;
    StopFlag& stop_;
    std::atomic<bool> server_timeout_{true};  // false once the server refused `options`
    std::unique_ptr<Watchdog> watchdog_;
};

// One connection of a Database. Not thread-safe: one caller at a time, as pqxx requires.
class DatabaseConnection {
  public:
    ~DatabaseConnection();
    DatabaseConnection(const DatabaseConnection&) = delete;
    DatabaseConnection& operator=(const DatabaseConnection&) = delete;

    // The connection, for calls the caller runs through watched().
    pqxx::connection_base& get() { return *connection_; }

    // Runs call(get()) under the Database's deadlines. A call that is abandoned fails the way
    // a lost connection does (pqxx::broken_connection); a cancelled one with SQLSTATE 57014.
    template <class Call>
    decltype(auto) watched(Call&& call) {
        const Watch watch(*this);
        return std::forward<Call>(call)(*connection_);
    }

  private:
    friend class Database;
    struct Handle;
    class Watch {
      public:
        explicit Watch(DatabaseConnection& connection);
        ~Watch();
        Watch(const Watch&) = delete;
        Watch& operator=(const Watch&) = delete;

      private:
        DatabaseConnection& connection_;
        std::uint64_t id_;
    };

    DatabaseConnection(Database& database, std::unique_ptr<Handle> handle);

    Database& database_;
    std::unique_ptr<Handle> handle_;
    pqxx::connection_base* connection_;
};

}  // namespace codeguru::store
