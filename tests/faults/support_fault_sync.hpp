#pragma once

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "client_stack.hpp"
#include "fake_api.hpp"
#include "sources/codeguru/scan_sync.hpp"
#include "store/migrations.hpp"
#include "sync_fixture.hpp"
#include "tables_snapshot.hpp"
#include "test_database.hpp"

namespace codeguru::test {

// Gives the fixture a fresh client stack with `options`, pointed at its fake API unless
// options.endpoint names another.
inline void use_client(SyncFixture& fx, ClientStackOptions options) {
    if (options.endpoint.empty()) options.endpoint = fx.fake.endpoint();
    fx.stack = std::make_unique<ClientStack>(options);
}

// One uninterrupted in-process sync of `scan` from `endpoint` into a schema of its own:
// the state that every faulted sync of the same data must end in. Throws
// std::runtime_error when that sync does not succeed.
inline TablesSnapshot clean_snapshot(const std::string& endpoint, const std::string& scan,
                                     int page_size) {
    TestSchema schema;
    {
        pqxx::connection connection(schema.conninfo());
        store::apply_migrations(connection, schema.name());
    }
    ClientStack stack(ClientStackOptions{.endpoint = endpoint});
    sync::ScanSyncOptions options;
    options.schema = schema.name();
    options.page_size = page_size;
    options.owner = {"clean-snapshot", std::chrono::seconds(120), nullptr};
    store::Database database(store::DatabaseOptions{.url = schema.conninfo()}, stack.stop());
    sync::ScanSync clean(stack.client(), database, stack.clock(), stack.stop(), options);
    const auto result = clean.run(scan);
    if (result.outcome != sync::ScanResult::Outcome::kSucceeded) {
        throw std::runtime_error("the clean sync of " + scan + " failed: " + result.error);
    }
    return snapshot_tables(schema.conninfo(), schema.name());
}

// Empty when the fixture's schema holds exactly what `clean` holds.
inline std::string difference_from(const TablesSnapshot& clean, const SyncFixture& fx) {
    return describe_difference(clean, snapshot_tables(fx.schema.conninfo(), fx.schema.name()));
}

}  // namespace codeguru::test
