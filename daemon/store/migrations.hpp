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
MigrationResult apply_migrations(pqxx::connection& connection, const std::string& schema);

// The highest migration version compiled into this binary.
int latest_schema_version();

}  // namespace codeguru::store
