#include "store/migrations.hpp"

#include <spdlog/spdlog.h>

#include "store/embedded_migrations.hpp"
#include "store/store_error.hpp"

namespace codeguru::store {
namespace {

// A transaction-level lock: released by the commit or rollback of each migration.
constexpr char kLockSql[] =
    "SELECT pg_advisory_xact_lock(hashtext('codeguru-sync schema migrations: ' || $1))";
// Existence is checked first so that a role without CREATE can run an up-to-date schema.
constexpr char kSchemaExistsSql[] = "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)";
constexpr char kLedgerExistsSql[] =
    "SELECT to_regclass(quote_ident($1) || '.schema_migrations') IS NOT NULL";
constexpr char kCreateLedgerSql[] =
    " (version integer PRIMARY KEY, name text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

int ledger_version(pqxx::transaction_base& tx, const std::string& quoted) {
    return tx.exec1("SELECT coalesce(max(version), 0) FROM " + quoted + ".schema_migrations")[0]
        .as<int>();
}

// Returns the version the schema is at, creating the schema and its ledger when missing.
int current_version(pqxx::work& tx, const std::string& schema, const std::string& quoted) {
    if (!tx.exec_params1(kSchemaExistsSql, schema)[0].as<bool>()) {
        tx.exec0("CREATE SCHEMA " + quoted);
    }
    if (!tx.exec_params1(kLedgerExistsSql, schema)[0].as<bool>()) {
        tx.exec0("CREATE TABLE " + quoted + ".schema_migrations" + kCreateLedgerSql);
    }
    return ledger_version(tx, quoted);
}

}  // namespace

int latest_schema_version() {
    const auto migrations = embedded_migrations();
    return migrations.empty() ? 0 : migrations.back().version;
}

int applied_schema_version(pqxx::connection_base& connection, const std::string& schema) {
    pqxx::read_transaction tx(connection, "codeguru_schema_version");
    // A missing schema makes to_regclass() NULL as well: one question answers both.
    if (!tx.exec_params1(kLedgerExistsSql, schema)[0].as<bool>()) return 0;
    return ledger_version(tx, connection.quote_name(schema));
}

MigrationResult apply_migrations(pqxx::connection_base& connection, const std::string& schema) {
    const std::string quoted = connection.quote_name(schema);
    const int latest = latest_schema_version();
    MigrationResult result{0, 0};
    // One transaction per migration; each re-reads the version under the lock, so a
    // concurrent daemon that got there first leaves nothing for this one to do.
    for (;;) {
        pqxx::work tx(connection, "codeguru_migrate");
        tx.exec_params(kLockSql, schema);
        result.version = current_version(tx, schema, quoted);
        if (result.version > latest) {
            throw StoreError("database schema version " + std::to_string(result.version) +
                             " is newer than this codeguru-syncd supports (" +
                             std::to_string(latest) + "); upgrade codeguru-syncd");
        }
        const EmbeddedMigration* next = nullptr;
        for (const auto& migration : embedded_migrations()) {
            if (migration.version > result.version) {
                next = &migration;
                break;
            }
        }
        if (next == nullptr) {
            tx.commit();
            return result;
        }
        tx.exec0("SET LOCAL search_path TO " + quoted);
        tx.exec(std::string(next->sql));
        tx.exec_params0(
            "INSERT INTO " + quoted + ".schema_migrations (version, name) VALUES ($1, $2)",
            next->version, std::string(next->name));
        tx.commit();
        spdlog::info("applied schema migration {} ({}) to schema {}", next->version, next->name,
                     schema);
        result.version = next->version;
        ++result.applied;
    }
}

}  // namespace codeguru::store
