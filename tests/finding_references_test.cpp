// The child tables' references to their findings (schema/011_set_based_references.sql):
// what the foreign keys guaranteed, now checked once per statement. Every child table of
// both sources is named here, not taken from the catalog, so a table that lost its checks
// fails the test.
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "store/migrations.hpp"
#include "test_database.hpp"

using codeguru::test::TestSchema;

namespace {

constexpr char kForeignKeyViolation[] = "23503";

// One child table: the columns its rows need besides the key, and their values.
struct ChildTable {
    const char* name;
    const char* columns;
    const char* values;
};

// A source's findings table, how a key is written, and its child tables.
struct Source {
    const char* parent;
    const char* key_columns;
    std::string (*key)(const std::string& id);    // the key's values as SQL, for finding `id`
    std::string (*match)(const std::string& id);  // WHERE clause selecting finding `id`'s rows
    const char* parent_columns;                   // its NOT NULL columns besides the key
    std::vector<ChildTable> children;
};

const Source kCodeGuru{
    "findings",
    "scan_name, finding_id",
    [](const std::string& id) { return "'scan-a', '" + id + "'"; },
    [](const std::string& id) { return "scan_name = 'scan-a' AND finding_id = '" + id + "'"; },
    "updated_at, first_seen_at, last_changed_at",
    {{"finding_versions", "updated_at, observed_at", "'2026-01-01Z', '2026-01-02Z'"},
     {"finding_detector_tags", "tag, ordinal", "'tag', 1"},
     {"finding_code_lines", "line_number", "1"},
     {"finding_suggested_fixes", "ordinal", "1"},
     {"finding_reference_urls", "ordinal, url", "1, 'https://example.com'"},
     {"finding_related_vulnerabilities", "ordinal, related_id", "1, 'CWE-1'"}}};

const Source kInspector{
    "inspector_findings",
    "finding_arn",
    [](const std::string& id) {
        return "'arn:aws:inspector2:us-east-1:111122223333:finding/" + id + "'";
    },
    [](const std::string& id) {
        return "finding_arn = 'arn:aws:inspector2:us-east-1:111122223333:finding/" + id + "'";
    },
    "updated_at, first_seen_at, last_changed_at",
    {{"inspector_finding_versions", "updated_at, observed_at", "'2026-01-01Z', '2026-01-02Z'"},
     {"inspector_finding_resources", "ordinal", "1"},
     {"inspector_finding_cwes", "ordinal, cwe", "1, 'CWE-1'"},
     {"inspector_finding_detector_tags", "tag, ordinal", "'tag', 1"},
     {"inspector_finding_reference_urls", "ordinal, url", "1, 'https://example.com'"},
     {"inspector_finding_related_vulnerabilities", "ordinal, related_id", "1, 'CVE-1'"},
     {"inspector_finding_packages", "ordinal", "1"},
     {"inspector_finding_cvss", "ordinal", "1"},
     {"inspector_finding_network_path", "ordinal", "1"},
     {"inspector_finding_code_lines", "line_number", "1"},
     {"inspector_finding_suggested_fixes", "ordinal", "1"}}};

std::string insert_parent(const Source& source, const std::string& id) {
    return std::string("INSERT INTO ") + source.parent + " (" + source.key_columns + ", " +
           source.parent_columns + ") VALUES (" + source.key(id) + ", now(), now(), now())";
}

std::string insert_child(const Source& source, const ChildTable& child, const std::string& id) {
    return std::string("INSERT INTO ") + child.name + " (" + source.key_columns + ", " +
           child.columns + ") VALUES (" + source.key(id) + ", " + child.values + ")";
}

int backend_pid(pqxx::connection& connection) {
    pqxx::nontransaction tx(connection);
    return tx.exec1("SELECT pg_backend_pid()")[0].as<int>();
}

// A migrated schema, and statements run in it.
struct ReferencesDatabase {
    ReferencesDatabase() {
        pqxx::connection connection(schema.conninfo());
        codeguru::store::apply_migrations(connection, schema.name());
    }

    // A connection whose search_path is the schema.
    std::unique_ptr<pqxx::connection> connect() const {
        auto connection = std::make_unique<pqxx::connection>(schema.conninfo());
        pqxx::nontransaction tx(*connection);
        tx.exec0("SET search_path TO " + connection->quote_name(schema.name()));
        return connection;
    }

    void exec(const std::string& sql) const {
        auto connection = connect();
        pqxx::work tx(*connection);
        tx.exec0(sql);
        tx.commit();
    }

    int count(const std::string& sql) const {
        auto connection = connect();
        pqxx::nontransaction tx(*connection);
        return tx.exec1(sql)[0].as<int>();
    }

    // The SQLSTATE `sql` fails with in a transaction of its own ("" when it succeeds), and
    // its message.
    std::pair<std::string, std::string> failure_of(const std::string& sql) const {
        auto connection = connect();
        try {
            pqxx::work tx(*connection);
            tx.exec0(sql);
            tx.commit();
        } catch (const pqxx::sql_error& e) {
            return {e.sqlstate(), e.what()};
        }
        return {"", ""};
    }

    // A finding of `source` with one row in each of its child tables.
    void add_finding_with_children(const Source& source, const std::string& id) const {
        std::string sql = insert_parent(source, id) + ";";
        for (const ChildTable& child : source.children)
            sql += insert_child(source, child, id) + ";";
        auto connection = connect();
        pqxx::work tx(*connection);
        tx.exec(sql);
        tx.commit();
    }

    int child_rows(const Source& source, const ChildTable& child, const std::string& id) const {
        return count(std::string("SELECT count(*) FROM ") + child.name + " WHERE " +
                     source.match(id));
    }

    // Waits (up to 10 s) until the backend `pid` waits for a lock; false if it never does.
    bool waits_for_lock(int pid) const {
        for (int i = 0; i < 200; ++i) {
            if (count("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(pid) +
                      " AND wait_event_type = 'Lock'") == 1) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    // Runs `first` in a transaction left open, then `second` in another, which must wait for
    // a lock `first` holds (the test fails if it does not), then commits `first`. Returns
    // the SQLSTATE `second` ended with ("" when it committed).
    std::string second_waits_for_first(const std::string& first, const std::string& second) const {
        auto first_connection = connect();
        pqxx::work first_tx(*first_connection);
        first_tx.exec0(first);

        auto second_connection = connect();
        const int second_pid = backend_pid(*second_connection);
        auto outcome = std::async(std::launch::async, [&] {
            try {
                pqxx::work tx(*second_connection);
                tx.exec0(second);
                tx.commit();
            } catch (const pqxx::sql_error& e) {
                return e.sqlstate();
            }
            return std::string();
        });
        CHECK(waits_for_lock(second_pid));
        first_tx.commit();
        return outcome.get();
    }

    TestSchema schema;
};

}  // namespace

TEST_CASE("a child row whose finding does not exist is refused, naming the table and the key",
          "[references]") {
    const Source& source = GENERATE(std::cref(kCodeGuru), std::cref(kInspector));
    ReferencesDatabase db;
    db.exec(insert_parent(source, "present"));

    for (const ChildTable& child : source.children) {
        INFO(child.name);
        const auto [state, message] = db.failure_of(insert_child(source, child, "absent"));
        CHECK(state == kForeignKeyViolation);
        CHECK_THAT(message, Catch::Contains(std::string("\"") + child.name + "\"") &&
                                Catch::Contains("absent"));
        CHECK(db.child_rows(source, child, "absent") == 0);

        // A statement with one orphan among valid rows fails whole.
        const auto [mixed_state, mixed_message] = db.failure_of(
            insert_child(source, child, "present") + ";" + insert_child(source, child, "absent"));
        CHECK(mixed_state == kForeignKeyViolation);
        CHECK(db.child_rows(source, child, "present") == 0);

        // A row of a stored finding is accepted; moving it to another key is checked too.
        CHECK(db.failure_of(insert_child(source, child, "present")).first.empty());
        CHECK(db.child_rows(source, child, "present") == 1);
        const auto [moved_state, moved_message] = db.failure_of(
            std::string("UPDATE ") + child.name + " SET (" + source.key_columns + ") = (SELECT " +
            source.key("elsewhere") + ") WHERE " + source.match("present"));
        CHECK(moved_state == kForeignKeyViolation);
        CHECK(db.child_rows(source, child, "present") == 1);
    }
}

TEST_CASE("deleting a finding deletes its child rows and no other finding's", "[references]") {
    const Source& source = GENERATE(std::cref(kCodeGuru), std::cref(kInspector));
    ReferencesDatabase db;
    db.add_finding_with_children(source, "gone");
    db.add_finding_with_children(source, "kept");

    db.exec(std::string("DELETE FROM ") + source.parent + " WHERE " + source.match("gone"));

    for (const ChildTable& child : source.children) {
        INFO(child.name);
        CHECK(db.child_rows(source, child, "gone") == 0);
        CHECK(db.child_rows(source, child, "kept") == 1);
    }
}

TEST_CASE("a finding's key cannot change while rows refer to it", "[references]") {
    const Source& source = GENERATE(std::cref(kCodeGuru), std::cref(kInspector));
    ReferencesDatabase db;
    db.add_finding_with_children(source, "referenced");
    db.exec(insert_parent(source, "alone"));
    const auto rename = [&](const std::string& from, const std::string& to) {
        return std::string("UPDATE ") + source.parent + " SET (" + source.key_columns +
               ") = (SELECT " + source.key(to) + ") WHERE " + source.match(from);
    };

    const auto [state, message] = db.failure_of(rename("referenced", "renamed"));
    CHECK(state == kForeignKeyViolation);
    CHECK_THAT(message, Catch::Contains("referenced"));
    CHECK(db.count(std::string("SELECT count(*) FROM ") + source.parent + " WHERE " +
                   source.match("referenced")) == 1);

    // A finding no row refers to may change its key.
    CHECK(db.failure_of(rename("alone", "renamed")).first.empty());
    CHECK(db.count(std::string("SELECT count(*) FROM ") + source.parent + " WHERE " +
                   source.match("renamed")) == 1);
}

TEST_CASE("truncating a findings table empties its child tables", "[references]") {
    const Source& source = GENERATE(std::cref(kCodeGuru), std::cref(kInspector));
    ReferencesDatabase db;
    db.add_finding_with_children(source, "one");
    db.add_finding_with_children(source, "two");

    db.exec(std::string("TRUNCATE ") + source.parent);

    for (const ChildTable& child : source.children) {
        INFO(child.name);
        CHECK(db.count(std::string("SELECT count(*) FROM ") + child.name) == 0);
    }
}

TEST_CASE("a child row written while its finding is deleted fails once the delete commits",
          "[references]") {
    const Source& source = GENERATE(std::cref(kCodeGuru), std::cref(kInspector));
    const ChildTable& child = source.children.front();
    ReferencesDatabase db;
    db.exec(insert_parent(source, "contested"));

    // The child's check must wait for the delete's transaction: the finding is locked.
    CHECK(db.second_waits_for_first(
              std::string("DELETE FROM ") + source.parent + " WHERE " + source.match("contested"),
              insert_child(source, child, "contested")) == kForeignKeyViolation);
    CHECK(db.child_rows(source, child, "contested") == 0);
}

TEST_CASE("a finding deleted while a child row is written waits, then takes the row with it",
          "[references]") {
    const Source& source = GENERATE(std::cref(kCodeGuru), std::cref(kInspector));
    const ChildTable& child = source.children.back();
    ReferencesDatabase db;
    db.exec(insert_parent(source, "contested"));

    // The child's check locked the finding FOR KEY SHARE: the delete waits for the write.
    CHECK(db.second_waits_for_first(
                insert_child(source, child, "contested"),
                std::string("DELETE FROM ") + source.parent + " WHERE " + source.match("contested"))
              .empty());
    CHECK(db.count(std::string("SELECT count(*) FROM ") + source.parent + " WHERE " +
                   source.match("contested")) == 0);
    CHECK(db.child_rows(source, child, "contested") == 0);
}
