#pragma once

#include <chrono>
#include <cstdint>
#include <pqxx/pqxx>
#include <string>

#include "sources/codeguru/finding.hpp"
#include "store/migrations.hpp"
#include "store/sync_state_store.hpp"
#include "test_database.hpp"

namespace codeguru::test {

inline Timestamp at_us(std::int64_t microseconds) {
    return Timestamp{std::chrono::microseconds{microseconds}};
}
inline Timestamp at_s(std::int64_t seconds) {
    return at_us(seconds * 1'000'000);
}

// The daemon instance the store tests take leases as.
inline const store::Owner kTestOwner{"test-owner", std::chrono::seconds(120), nullptr};

inline Finding finding_at(const std::string& id, Timestamp updated_at) {
    Finding finding;
    finding.id = id;
    finding.updated_at = updated_at;
    return finding;
}

// A migrated schema of its own, the store's connection to it, and a second connection
// for inspection whose search_path is that schema.
struct StoreDatabase {
    TestSchema schema;
    pqxx::connection connection{schema.conninfo()};
    pqxx::connection inspector{schema.conninfo()};

    StoreDatabase() {
        store::apply_migrations(connection, schema.name());
        pqxx::nontransaction tx(inspector);
        tx.exec0("SET search_path TO " + tx.quote_name(schema.name()));
    }

    // The store tests begin runs as fixtures of what they test, not as daemon lifecycles:
    // those still running are closed here, so that the suite's check for runs left
    // 'running' (tests/support/test_database.cpp) speaks of daemons only.
    ~StoreDatabase() {
        try {
            query(
                "UPDATE sync_runs SET outcome = 'interrupted', finished_at = now()"
                " WHERE outcome = 'running'");
        } catch (const std::exception&) {
            // a test that dropped the tables has no runs left
        }
    }
    StoreDatabase(const StoreDatabase&) = delete;
    StoreDatabase& operator=(const StoreDatabase&) = delete;

    pqxx::result query(const std::string& sql) {
        pqxx::nontransaction tx(inspector);
        return tx.exec(sql);
    }

    template <typename T>
    T scalar(const std::string& sql) {
        return query(sql).at(0).at(0).as<T>();
    }

    bool is_null(const std::string& sql) { return query(sql).at(0).at(0).is_null(); }
};

}  // namespace codeguru::test
