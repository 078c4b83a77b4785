#include "store/migrations.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <thread>

#include "sources/codeguru/findings_page_writer.hpp"
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

// Creates schema `quoted` as a daemon of `version` left it: that version's migrations
// applied and recorded, in `tx`, whose search_path then is the schema.
void migrate_to(pqxx::work& tx, const std::string& quoted, int version) {
    tx.exec0("CREATE SCHEMA " + quoted);
    tx.exec0("CREATE TABLE " + quoted +
             ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())");
    tx.exec0("SET LOCAL search_path TO " + quoted);
    for (const auto& migration : embedded_migrations()) {
        if (migration.version > version) break;
        tx.exec(std::string(migration.sql));
        tx.exec_params0("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        migration.version, std::string(migration.name));
    }
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

TEST_CASE("migration 3 keeps the seen-set of a pass in progress, which then sets missing_since",
          "[migrations]") {
    TestSchema schema;
    pqxx::connection connection(schema.conninfo());
    const std::string quoted = connection.quote_name(schema.name());
    {
        // The schema as a version-2 daemon left it, halfway through a pass of scan "s":
        // page 1 returned a and b; c is stored from an earlier pass.
        pqxx::work tx(connection);
        migrate_to(tx, quoted, 2);
        tx.exec0(
            "INSERT INTO sync_runs (scan_name, started_at) VALUES ('s', '2026-01-01 00:00+00')");
        tx.exec0(
            "INSERT INTO sync_checkpoints (scan_name, status_filter, next_token, pages_done,"
            " run_id) SELECT 's', 'All', 'page-2', 1, max(run_id) FROM sync_runs");
        tx.exec0(
            "INSERT INTO findings (scan_name, finding_id, updated_at, first_seen_at,"
            " last_changed_at) SELECT 's', id, '2026-01-01 00:00+00', '2026-01-01 00:00+00',"
            " '2026-01-01 00:00+00' FROM unnest(ARRAY['a', 'b', 'c']) AS id");
        tx.exec0(
            "INSERT INTO sync_pass_seen (scan_name, finding_id) VALUES ('s', 'a'), ('s', 'b')");
        tx.commit();
    }

    const auto result = apply_migrations(connection, schema.name());

    CHECK(result.version == latest_schema_version());
    CHECK(count_rows(connection, "SELECT count(*) FROM " + quoted +
                                     ".sync_pass_seen WHERE scan_name = 's' AND page_number = 0"
                                     " AND finding_ids @> ARRAY['a', 'b']"
                                     " AND cardinality(finding_ids) = 2") == 1);

    // The pass's last page (d) completes it: only c was not returned.
    const auto run_id = count_rows(connection, "SELECT max(run_id) FROM " + quoted + ".sync_runs");
    codeguru::Finding d;
    d.id = "d";
    codeguru::store::FindingsPageWriter writer(connection, schema.name());
    writer.apply("s", run_id, std::string("page-2"), {d}, std::nullopt,
                 codeguru::Timestamp{std::chrono::seconds{1'800'000'000}}, /*expect_new=*/true);
    {
        pqxx::nontransaction tx(connection);
        const auto missing = tx.exec("SELECT finding_id FROM " + quoted +
                                     ".findings WHERE missing_since IS NOT NULL");
        REQUIRE(missing.size() == 1);
        CHECK(missing[0][0].as<std::string>() == "c");
    }
    CHECK(count_rows(connection, "SELECT count(*) FROM " + quoted + ".sync_pass_seen") == 0);

    // The run belonged to the version-2 daemon this test plays, which never comes back to
    // finish it: closed here, as no run may outlive its test (TestSchema checks).
    pqxx::nontransaction close(connection);
    close.exec_params0("UPDATE " + quoted +
                           ".sync_runs SET outcome = 'interrupted', finished_at = now()"
                           " WHERE run_id = $1",
                       run_id);
}

TEST_CASE(
    "migration 11 replaces the child tables' foreign keys, keeps their rows and leaves an "
    "operator's own foreign key to findings alone",
    "[migrations]") {
    TestSchema schema;
    pqxx::connection connection(schema.conninfo());
    const std::string quoted = connection.quote_name(schema.name());
    const auto foreign_keys_to = [&](const std::string& parent) {
        return count_rows(connection,
                          "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND "
                          "connamespace = " +
                              connection.quote(schema.name()) + "::regnamespace AND confrelid = '" +
                              schema.name() + "." + parent + "'::regclass");
    };
    {
        // A version-10 schema with a finding, its code line, and a table of the operator's.
        pqxx::work tx(connection);
        migrate_to(tx, quoted, 10);
        tx.exec0(
            "INSERT INTO findings (scan_name, finding_id, updated_at, first_seen_at,"
            " last_changed_at) VALUES ('s', 'a', now(), now(), now())");
        tx.exec0("INSERT INTO finding_code_lines VALUES ('s', 'a', 1, 'line')");
        tx.exec0(
            "CREATE TABLE triage (scan_name text, finding_id text, note text,"
            " FOREIGN KEY (scan_name, finding_id) REFERENCES findings)");
        tx.commit();
    }
    REQUIRE(foreign_keys_to("findings") == 7);  // six child tables and the operator's
    REQUIRE(foreign_keys_to("inspector_findings") == 11);

    const auto result = apply_migrations(connection, schema.name());

    CHECK(result.applied == latest_schema_version() - 10);
    CHECK(foreign_keys_to("findings") == 1);
    CHECK(count_rows(connection, "SELECT count(*) FROM pg_constraint WHERE conrelid = '" +
                                     schema.name() + ".triage'::regclass AND contype = 'f'") == 1);
    CHECK(foreign_keys_to("inspector_findings") == 0);
    CHECK(count_rows(connection, "SELECT count(*) FROM " + quoted + ".finding_code_lines") == 1);
}
