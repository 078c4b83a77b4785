#pragma once

#include <pqxx/pqxx>
#include <string>

namespace codeguru::store {

struct MigrationResult {
    int applied;  // migrations applied by this call
    int version;  // the schema version the database is at afterwards
};

// Brings `schema` (created if missing) up to the latest embedded version: each pending
// migration in its own transaction, in order, under an advisory lock keyed by the schema
// name, so concurrent callers serialize and each migration runs once. Throws StoreError
// when the database is at a version newer than this binary knows.
MigrationResult apply_migrations(pqxx::connection_base& connection, const std::string& schema);

// The highest migration version compiled into this binary.
int latest_schema_version();

// The version `schema` is at, read in a read-only transaction that changes nothing:
// 0 when the schema or its schema_migrations ledger does not exist. Throws pqxx errors.
int applied_schema_version(pqxx::connection_base& connection, const std::string& schema);

}  // namespace codeguru::store
