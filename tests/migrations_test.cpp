#include "store/migrations.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "store/embedded_migrations.hpp"
#include "store/store_error.hpp"
#include "test_database.hpp"

using codeguru::store::apply_migrations;
using codeguru::store::embedded_migrations;
using codeguru::store::latest_schema_version;
using codeguru::store::StoreError;
using codeguru::test::TestSchema;

namespace {

int count_rows(pqxx::connection& connection, const std::string& sql) {
    pqxx::nontransaction tx(connection);
    return tx.exec1(sql)[0].as<int>();
}

}  // namespace

TEST_CASE("embedded migrations are numbered in strictly increasing order", "[migrations]") {
    const auto migrations = embedded_migrations();
    REQUIRE_FALSE(migrations.empty());
    CHECK(migrations.front().version == 1);
    CHECK(migrations.front().name == "001_initial");
    for (std::size_t i = 1; i < migrations.size(); ++i) {
        CHECK(migrations[i].version > migrations[i - 1].version);
    }
    CHECK(latest_schema_version() == migrations.back().version);
}

TEST_CASE("migrating a new schema applies every migration and records each", "[migrations]") {
    TestSchema schema;
    pqxx::connection connection(schema.conninfo());

    const auto result = apply_migrations(connection, schema.name());

    CHECK(result.applied == static_cast<int>(embedded_migrations().size()));
    CHECK(result.version == latest_schema_version());
    const std::string quoted = connection.quote_name(schema.name());
    CHECK(count_rows(connection, "SELECT count(*) FROM " + quoted + ".schema_migrations") ==
          result.applied);
    CHECK(count_rows(connection, "SELECT count(*) FROM " + quoted +
                                     ".schema_migrations WHERE applied_at IS NULL") == 0);
    for (const char* table :
         {"findings", "finding_versions", "finding_detector_tags", "finding_code_lines",
          "finding_suggested_fixes", "finding_reference_urls", "finding_related_vulnerabilities",
          "sync_checkpoints", "sync_runs", "sync_pass_seen"}) {
        INFO(table);
        CHECK(count_rows(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = " +
                                         connection.quote(schema.name()) +
                                         " AND tablename = " + connection.quote(table)) == 1);
    }
}

TEST_CASE("migrating twice applies nothing the second time", "[migrations]") {
    TestSchema schema;
    pqxx::connection connection(schema.conninfo());
    apply_migrations(connection, schema.name());

    const auto again = apply_migrations(connection, schema.name());

    CHECK(again.applied == 0);
    CHECK(again.version == latest_schema_version());
}

TEST_CASE("a database at a newer schema version is refused with an upgrade hint", "[migrations]") {
    TestSchema schema;
    pqxx::connection connection(schema.conninfo());
    apply_migrations(connection, schema.name());
    const int newer = latest_schema_version() + 1;
    {
        pqxx::work tx(connection);
        tx.exec_params0("INSERT INTO " + tx.quote_name(schema.name()) +
                            ".schema_migrations (version, name) VALUES ($1, 'from_the_future')",
                        newer);
        tx.commit();
    }

    const std::string expected = "database schema version " + std::to_string(newer) +
                                 " is newer than this codeguru-syncd supports (" +
                                 std::to_string(latest_schema_version()) +
                                 "); upgrade codeguru-syncd";
    CHECK_THROWS_MATCHES(apply_migrations(connection, schema.name()), StoreError,
                         Catch::Matchers::Message(expected));
}

TEST_CASE("two daemons migrating at once serialize and apply each migration once", "[migrations]") {
    TestSchema schema;
    pqxx::connection first(schema.conninfo());
    pqxx::connection second(schema.conninfo());
    codeguru::store::MigrationResult a{-1, -1};
    codeguru::store::MigrationResult b{-1, -1};
    std::string error_a, error_b;

    std::thread ta([&] {
        try {
            a = apply_migrations(first, schema.name());
        } catch (const std::exception& e) {
            error_a = e.what();
        }
    });
    std::thread tb([&] {
        try {
            b = apply_migrations(second, schema.name());
        } catch (const std::exception& e) {
            error_b = e.what();
        }
    });
    ta.join();
    tb.join();

    CHECK(error_a.empty());
    CHECK(error_b.empty());
    CHECK(a.applied + b.applied == static_cast<int>(embedded_migrations().size()));
    CHECK(a.version == latest_schema_version());
    CHECK(b.version == latest_schema_version());
}

TEST_CASE("the schema name is configurable and quoted as an identifier", "[migrations]") {
    TestSchema base;
    const std::string name = base.name() + " Odd \"Name\"";
    pqxx::connection connection(base.conninfo());

    const auto result = apply_migrations(connection, name);

    CHECK(result.version == latest_schema_version());
    pqxx::work tx(connection);
    CHECK(tx.exec1("SELECT count(*) FROM " + tx.quote_name(name) + ".findings")[0].as<int>() == 0);
    tx.exec0("DROP SCHEMA " + tx.quote_name(name) + " CASCADE");
    tx.commit();
}
