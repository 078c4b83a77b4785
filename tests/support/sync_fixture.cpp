#include "sync_fixture.hpp"

#include "store/migrations.hpp"

namespace codeguru::test {

SyncFixture::SyncFixture()
    : stack(std::make_unique<ClientStack>(ClientStackOptions{.endpoint = fake.endpoint()})),
      application_name("sync_fixture_" + schema.name()) {
    pqxx::connection c(schema.conninfo());
    store::apply_migrations(c, schema.name());
}

std::unique_ptr<store::Database> SyncFixture::database() const {
    store::DatabaseOptions options;
    options.url = schema.conninfo() + " application_name=" + application_name;
    return std::make_unique<store::Database>(options, stack->stop());
}

sync::ScanResult SyncFixture::sync(const std::string& scan, int page_size) {
    return sync(scan, stack->clock(), page_size);
}

sync::ScanResult SyncFixture::sync(const std::string& scan, const Clock& clock, int page_size) {
    sync::ScanSyncOptions options;
    options.schema = schema.name();
    options.page_size = page_size;
    options.reconnect_initial = std::chrono::milliseconds(50);
    options.owner = {"sync-fixture", std::chrono::seconds(120), nullptr};
    const auto db = database();
    sync::ScanSync scan_sync(stack->client(), *db, clock, stack->stop(), options);
    return scan_sync.run(scan);
}

pqxx::result SyncFixture::query(const std::string& sql) {
    pqxx::connection c(schema.conninfo());
    pqxx::work tx(c);
    tx.exec("SET search_path TO " + tx.quote_name(schema.name()));
    auto r = tx.exec(sql);
    tx.commit();
    return r;
}

void SyncFixture::restart_client() {
    stack = std::make_unique<ClientStack>(ClientStackOptions{.endpoint = fake.endpoint()});
}

std::string SyncFixture::write_counters() {
    pqxx::connection c(schema.conninfo());
    pqxx::work tx(c);
    const auto r = tx.exec_params(
        "SELECT string_agg(relname || '=' || n_tup_ins || '/' || n_tup_upd || '/' || "
        "n_tup_del, ' ' ORDER BY relname) FROM pg_stat_user_tables "
        "WHERE schemaname = $1 AND relname LIKE 'finding%'",
        schema.name());
    return r[0][0].as<std::string>();
}

}  // namespace codeguru::test
