#include "sources/codeguru/findings_page_writer.hpp"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "store/store_error.hpp"
#include "store/sync_state_store.hpp"
#include "store_test_database.hpp"

using codeguru::CodeLine;
using codeguru::FilePath;
using codeguru::Finding;
using codeguru::Timestamp;
using codeguru::Vulnerability;
using codeguru::store::FindingsPageWriter;
using codeguru::store::PageCounts;
using codeguru::store::StalePageError;
using codeguru::store::SyncStateStore;
using codeguru::test::at_s;
using codeguru::test::at_us;
using codeguru::test::finding_at;
using codeguru::test::StoreDatabase;

namespace {

const std::string kScan = "scan-a";

// A migrated schema with a running run of kScan that owns its checkpoint. Every test runs
// twice: its pages applied by apply_findings_page(), then claimed as all new first (COPY
// when they are, apply_findings_page() in the claim's transaction when not); both must
// give what the test expects.
struct WriterDatabase : StoreDatabase {
    SyncStateStore state{connection, schema.name()};
    FindingsPageWriter writer{connection, schema.name()};
    std::int64_t run_id =
        state.begin_run(kScan, "All", codeguru::test::kTestOwner, at_s(1'000)).value().run_id;
    const bool expect_new = GENERATE(false, true);

    PageCounts apply(const std::string& scan, std::int64_t run, std::optional<std::string> expected,
                     const std::vector<Finding>& page, std::optional<std::string> next,
                     Timestamp sync_time) {
        return writer.apply(scan, run, expected, page, next, sync_time, expect_new);
    }

    // A pass of one page: the first page is also the last.
    PageCounts pass(const std::vector<Finding>& page, Timestamp sync_time) {
        return apply(kScan, run_id, std::nullopt, page, std::nullopt, sync_time);
    }

    std::string text(const std::string& sql) { return scalar<std::string>(sql); }
    long count(const std::string& sql) { return scalar<long>(sql); }
};

// Inserted, updated and deleted tuples of the findings tables, as the statistics see them.
struct TupleCounts {
    long inserted, updated, deleted;
    bool operator==(const TupleCounts&) const = default;
};

TupleCounts finding_tuple_counts(WriterDatabase& db) {
    {
        // Statistics are flushed when a backend goes idle; this makes the next idle flush them.
        pqxx::nontransaction tx(db.connection);
        tx.exec("SELECT pg_stat_force_next_flush()");
    }
    const auto row = db.query(
        "SELECT coalesce(sum(n_tup_ins), 0)::bigint, coalesce(sum(n_tup_upd), 0)::bigint,"
        " coalesce(sum(n_tup_del), 0)::bigint FROM pg_stat_user_tables"
        " WHERE schemaname = current_schema() AND relname LIKE 'finding%'")[0];
    return {row[0].as<long>(), row[1].as<long>(), row[2].as<long>()};
}

Finding full_finding() {
    Finding f = finding_at("f-1", at_us(1'758'000'100'000'001));
    f.created_at = at_us(1'758'000'000'872'000);
    f.title = "Überprüfung — 検出 🔒";
    f.description = "SQL built from \"user\" input";
    f.type = "Code";
    f.status = "Open";
    f.severity = "Critical";
    f.generator_id = "gen-1";
    f.detector_id = "python/sql-injection@v1.0";
    f.detector_name = "SQL injection";
    f.detector_tags = std::vector<std::string>{"injection", "sql", "injection", "cwe-89"};
    f.rule_id = "rule-1";
    f.resource = codeguru::Resource{"res-1", "sub-1"};
    f.remediation = codeguru::Remediation{
        codeguru::Recommendation{"Use bound parameters", "https://example.com/rec"},
        std::vector<codeguru::SuggestedFix>{{"first fix", "cur.execute(q, (a,))"},
                                            {"second fix", std::nullopt}}};
    f.vulnerability = Vulnerability{
        "vuln-1", 4, std::vector<std::string>{"https://cwe.mitre.org/89", "https://owasp.org"},
        std::vector<std::string>{"CWE-89", "CWE-564"},
        FilePath{"app.py", "src/app.py", 41, 43,
                 std::vector<CodeLine>{{41, "q = f\"…{x}\""}, {42, "  run(q)"}, {41, "dup"}}}};
    return f;
}

}  // namespace

TEST_CASE("every member of a finding lands in its column and child table", "[page_writer]") {
    WriterDatabase db;

    const auto counts = db.pass({full_finding()}, at_s(1'760'000'000));

    CHECK(counts.inserted == 1);
    const auto row = db.query(
        "SELECT *, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS created,"
        " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS updated,"
        " extract(epoch FROM first_seen_at)::bigint AS first_seen"
        " FROM findings WHERE scan_name = 'scan-a' AND finding_id = 'f-1'")[0];
    CHECK(row["created"].as<std::string>() == "2025-09-16 05:20:00.872000");
    CHECK(row["updated"].as<std::string>() == "2025-09-16 05:21:40.000001");
    CHECK(row["title"].as<std::string>() == "Überprüfung — 検出 🔒");
    CHECK(row["description"].as<std::string>() == "SQL built from \"user\" input");
    CHECK(row["type"].as<std::string>() == "Code");
    CHECK(row["status"].as<std::string>() == "Open");
    CHECK(row["severity"].as<std::string>() == "Critical");
    CHECK(row["generator_id"].as<std::string>() == "gen-1");
    CHECK(row["detector_id"].as<std::string>() == "python/sql-injection@v1.0");
    CHECK(row["detector_name"].as<std::string>() == "SQL injection");
    CHECK(row["rule_id"].as<std::string>() == "rule-1");
    CHECK(row["resource_id"].as<std::string>() == "res-1");
    CHECK(row["sub_resource_id"].as<std::string>() == "sub-1");
    CHECK(row["vulnerability_id"].as<std::string>() == "vuln-1");
    CHECK(row["item_count"].as<long>() == 4);
    CHECK(row["file_name"].as<std::string>() == "app.py");
    CHECK(row["file_path"].as<std::string>() == "src/app.py");
    CHECK(row["start_line"].as<long>() == 41);
    CHECK(row["end_line"].as<long>() == 43);
    CHECK(row["recommendation_text"].as<std::string>() == "Use bound parameters");
    CHECK(row["recommendation_url"].as<std::string>() == "https://example.com/rec");
    CHECK(row["first_seen"].as<long>() == 1'760'000'000);
    CHECK(row["last_changed_at"].as<std::string>() == row["first_seen_at"].as<std::string>());
    CHECK(row["missing_since"].is_null());

    CHECK(db.text("SELECT string_agg(ordinal || ':' || tag, ' ' ORDER BY ordinal)"
                  " FROM finding_detector_tags") == "1:injection 2:sql 3:cwe-89");
    CHECK(db.text("SELECT string_agg(line_number || ':' || content, '|' ORDER BY line_number)"
                  " FROM finding_code_lines") == "41:q = f\"…{x}\"|42:  run(q)");
    CHECK(
        db.text("SELECT string_agg(ordinal || ':' || description || ':' ||"
                " coalesce(code, '<null>'), '|' ORDER BY ordinal) FROM finding_suggested_fixes") ==
        "1:first fix:cur.execute(q, (a,))|2:second fix:<null>");
    CHECK(db.text("SELECT string_agg(ordinal || ':' || url, ' ' ORDER BY ordinal)"
                  " FROM finding_reference_urls") ==
          "1:https://cwe.mitre.org/89 2:https://owasp.org");
    CHECK(db.text("SELECT string_agg(ordinal || ':' || related_id, ' ' ORDER BY ordinal)"
                  " FROM finding_related_vulnerabilities") == "1:CWE-89 2:CWE-564");
    CHECK(db.text("SELECT status || '/' || severity || '/' || title || '/' ||"
                  " extract(epoch FROM observed_at)::bigint || '/' ||"
                  " to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
                  " FROM finding_versions") ==
          "Open/Critical/Überprüfung — 検出 🔒/1760000000/2025-09-16 05:21:40.000001");
}

TEST_CASE("text with tabs, newlines, backslashes and NULL-like words lands byte for byte",
          "[page_writer]") {
    WriterDatabase db;
    auto f = finding_at("id\\N\t1", at_s(1));
    f.title = "\\N";
    f.description = "\\.";
    f.detector_tags = std::vector<std::string>{"\\N", "NULL", "\t"};
    f.vulnerability = Vulnerability{
        std::nullopt, std::nullopt, std::vector<std::string>{"{\"a\",b}"}, std::nullopt,
        FilePath{std::nullopt, "C:\\src\tdir", std::nullopt, std::nullopt,
                 std::vector<CodeLine>{{1, "\\."}, {2, "\r\n"}, {3, ""}}}};

    db.pass({f}, at_s(1'000));

    CHECK(db.text("SELECT finding_id FROM findings") == "id\\N\t1");
    CHECK(db.text("SELECT title || '|' || description || '|' || file_path FROM findings") ==
          "\\N|\\.|C:\\src\tdir");
    CHECK(db.text("SELECT string_agg(ordinal || '=' || tag, '|' ORDER BY ordinal)"
                  " FROM finding_detector_tags") == "1=\\N|2=NULL|3=\t");
    CHECK(db.text("SELECT string_agg(line_number || '=' || content, '|' ORDER BY line_number)"
                  " FROM finding_code_lines") == "1=\\.|2=\r\n|3=");
    CHECK(db.text("SELECT url FROM finding_reference_urls") == "{\"a\",b}");
    CHECK(db.text("SELECT title FROM finding_versions") == "\\N");
    CHECK(db.count("SELECT count(*) FROM findings WHERE title IS NULL OR description IS NULL") ==
          0);
}

TEST_CASE(
    "a sync's page of new findings is COPYed after its claim, and a page holding a stored "
    "finding is applied in the claim's transaction",
    "[page_writer]") {
    StoreDatabase db;
    SyncStateStore state{db.connection, db.schema.name()};
    FindingsPageWriter writer{db.connection, db.schema.name()};
    const auto run_id =
        state.begin_run(kScan, "All", codeguru::test::kTestOwner, at_s(1'000)).value().run_id;
    {
        pqxx::nontransaction tx(db.connection);
        tx.exec("SET track_functions = 'pl'");
    }
    const auto calls = [&](const char* function) {
        {
            pqxx::nontransaction tx(db.connection);
            tx.exec("SELECT pg_stat_force_next_flush()");
        }
        return db.scalar<long>(
            std::string("SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_user_functions"
                        " WHERE schemaname = current_schema() AND funcname = '") +
            function + "'");
    };

    const auto first = writer.apply(kScan, run_id, std::nullopt,
                                    {finding_at("a", at_s(1)), finding_at("b", at_s(1))},
                                    std::string("p2"), at_s(1'000), true);
    CHECK(calls("claim_new_findings_page") == 1);
    CHECK(calls("apply_findings_page") == 0);
    CHECK(first.inserted == 2);

    // b is stored: the claim changes nothing, and apply_findings_page() does the page.
    const auto second = writer.apply(kScan, run_id, std::string("p2"),
                                     {finding_at("b", at_s(2)), finding_at("c", at_s(1))},
                                     std::nullopt, at_s(1'001), true);
    CHECK(calls("claim_new_findings_page") == 2);
    CHECK(calls("apply_findings_page") == 1);
    CHECK(second.inserted == 1);
    CHECK(second.updated == 1);

    const auto run = db.query(
        "SELECT pages, findings_seen, findings_inserted, findings_updated,"
        " findings_unchanged FROM sync_runs WHERE run_id = " +
        std::to_string(run_id))[0];
    CHECK(run[0].as<long>() == 2);
    CHECK(run[1].as<long>() == 4);
    CHECK(run[2].as<long>() == 3);
    CHECK(run[3].as<long>() == 1);
    CHECK(run[4].as<long>() == 0);
    CHECK(db.scalar<long>("SELECT count(*) FROM finding_versions") == 4);
    CHECK(db.scalar<long>("SELECT count(*) FROM sync_pass_seen") == 0);
    CHECK(db.is_null("SELECT next_token FROM sync_checkpoints"));
}

TEST_CASE("absent members are stored as NULL and leave no child rows", "[page_writer]") {
    WriterDatabase db;
    Finding bare;
    bare.id = "bare";

    db.pass({bare}, at_s(1'760'000'000));

    CHECK(db.count("SELECT count(*) FROM findings WHERE finding_id = 'bare' AND"
                   " num_nulls(created_at, title, description, type, status, severity,"
                   " generator_id, detector_id, detector_name, rule_id, resource_id,"
                   " sub_resource_id, vulnerability_id, item_count, file_name, file_path,"
                   " start_line, end_line, recommendation_text, recommendation_url) = 20") == 1);
    CHECK(db.count("SELECT count(*) FROM findings WHERE updated_at = to_timestamp(1760000000)") ==
          1);
    for (const char* table :
         {"finding_detector_tags", "finding_code_lines", "finding_suggested_fixes",
          "finding_reference_urls", "finding_related_vulnerabilities"}) {
        INFO(table);
        CHECK(db.count(std::string("SELECT count(*) FROM ") + table) == 0);
    }
    CHECK(db.count("SELECT count(*) FROM finding_versions") == 1);
}

TEST_CASE("an equal or older updatedAt changes nothing: no tuple written, locked or deleted",
          "[page_writer]") {
    WriterDatabase db;
    Finding v1 = full_finding();
    db.pass({v1}, at_s(1'760'000'000));
    const std::string row_sql = "SELECT xmin::text || '/' || xmax::text FROM findings";
    const std::string versions_before = db.text(row_sql);
    const TupleCounts before = finding_tuple_counts(db);

    Finding older = full_finding();
    older.updated_at = *v1.updated_at - std::chrono::microseconds(1);
    older.title = "older title";
    Finding equal = full_finding();
    equal.title = "same updatedAt, other title";
    const auto equal_counts = db.pass({equal}, at_s(1'760'000'100));
    const auto older_counts = db.pass({older}, at_s(1'760'000'200));

    CHECK(equal_counts.unchanged == 1);
    CHECK(older_counts.unchanged == 1);
    CHECK(equal_counts.inserted + equal_counts.updated + older_counts.inserted +
              older_counts.updated ==
          0);
    CHECK(finding_tuple_counts(db) == before);
    CHECK(db.text(row_sql) == versions_before);
    CHECK(db.text("SELECT title FROM findings") == "Überprüfung — 検出 🔒");
    CHECK(db.count("SELECT count(*) FROM finding_versions") == 1);
}

TEST_CASE("a newer updatedAt rewrites the finding, replaces its children and adds a version",
          "[page_writer]") {
    WriterDatabase db;
    db.pass({full_finding()}, at_s(1'760'000'000));
    const TupleCounts before = finding_tuple_counts(db);

    Finding v2 = full_finding();
    v2.updated_at = *v2.updated_at + std::chrono::seconds(60);
    v2.status = "Closed";
    v2.title = "fixed";
    v2.detector_tags = std::vector<std::string>{"sql"};
    v2.vulnerability->file_path->code_snippet = std::vector<CodeLine>{{7, "safe()"}};
    v2.remediation->suggested_fixes.reset();
    v2.vulnerability->reference_urls = std::vector<std::string>{"https://new"};
    v2.vulnerability->related_vulnerabilities.reset();
    const auto counts = db.pass({v2}, at_s(1'760'000'100));

    CHECK(counts.updated == 1);
    CHECK(counts.inserted == 0);
    const TupleCounts after = finding_tuple_counts(db);
    CHECK(after.updated == before.updated + 1);
    CHECK(after.deleted == before.deleted + 3 + 2 + 2 + 2 + 2);  // the old children
    CHECK(after.inserted == before.inserted + 1 + 1 + 1 + 1);    // new children and version
    CHECK(db.text("SELECT title || '/' || status || '/' || extract(epoch FROM first_seen_at) ||"
                  " '/' || extract(epoch FROM last_changed_at) FROM findings") ==
          "fixed/Closed/1760000000.000000/1760000100.000000");
    CHECK(db.text("SELECT string_agg(tag, ' ') FROM finding_detector_tags") == "sql");
    CHECK(
        db.text("SELECT string_agg(line_number || ':' || content, '|') FROM finding_code_lines") ==
        "7:safe()");
    CHECK(db.count("SELECT count(*) FROM finding_suggested_fixes") == 0);
    CHECK(db.text("SELECT string_agg(ordinal || ':' || url, ' ') FROM finding_reference_urls") ==
          "1:https://new");
    CHECK(db.count("SELECT count(*) FROM finding_related_vulnerabilities") == 0);
    CHECK(db.text("SELECT string_agg(status || ':' || title, ',' ORDER BY updated_at)"
                  " FROM finding_versions") == "Open:Überprüfung — 検出 🔒,Closed:fixed");
}

TEST_CASE("a page applied twice or by a run that lost the checkpoint raises StalePageError",
          "[page_writer]") {
    WriterDatabase db;
    const std::vector<Finding> page1 = {finding_at("a", at_s(100))};
    db.apply(kScan, db.run_id, std::nullopt, page1, std::string("token/2+="), at_s(1'000));
    const std::string state_sql =
        "SELECT c.next_token || '/' || c.pages_done || '/' || r.pages || '/' || r.findings_seen"
        " FROM sync_checkpoints c JOIN sync_runs r USING (run_id)";
    const std::string state_before = db.text(state_sql);
    const TupleCounts before = finding_tuple_counts(db);

    // The same page again, as after a commit whose answer was lost.
    const std::vector<Finding> changed = {finding_at("a", at_s(200)), finding_at("b", at_s(1))};
    CHECK_THROWS_AS(
        db.apply(kScan, db.run_id, std::nullopt, changed, std::string("x"), at_s(1'001)),
        StalePageError);
    // The right token, but for a run that does not own the checkpoint.
    CHECK_THROWS_AS(db.apply(kScan, db.run_id + 1, std::string("token/2+="), changed, std::nullopt,
                             at_s(1'002)),
                    StalePageError);
    // A scan without a checkpoint.
    CHECK_THROWS_AS(db.apply("other", db.run_id, std::nullopt, changed, std::nullopt, at_s(1'003)),
                    StalePageError);

    CHECK(db.text(state_sql) == state_before);
    CHECK(state_before == "token/2+=/1/1/1");
    CHECK(finding_tuple_counts(db) == before);
    CHECK(db.count("SELECT count(*) FROM findings") == 1);

    // The connection is still usable, and the right next page applies.
    const auto counts =
        db.apply(kScan, db.run_id, std::string("token/2+="), changed, std::nullopt, at_s(1'004));
    CHECK(counts.updated == 1);
    CHECK(counts.inserted == 1);
}

TEST_CASE("a complete pass marks findings it did not return missing, their return clears it",
          "[page_writer]") {
    WriterDatabase db;
    const auto a = finding_at("a", at_s(100));
    const auto b = finding_at("b", at_s(100));
    const auto c = finding_at("c", at_s(100));
    // Pass 1 over two pages: nothing is missing.
    db.apply(kScan, db.run_id, std::nullopt, {a, b}, std::string("p2"), at_s(1'000));
    db.apply(kScan, db.run_id, std::string("p2"), {c}, std::nullopt, at_s(1'000));
    CHECK(db.count("SELECT count(*) FROM findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);

    // Pass 2 returns only a: b and c go missing at the pass's sync time.
    db.apply(kScan, db.run_id, std::nullopt, {a}, std::string("p2"), at_s(2'000));
    CHECK(db.count("SELECT count(*) FROM findings WHERE missing_since IS NOT NULL") == 0);
    db.apply(kScan, db.run_id, std::string("p2"), {}, std::nullopt, at_s(2'000));
    CHECK(db.text("SELECT string_agg(finding_id || ':' || extract(epoch FROM missing_since),"
                  " ' ' ORDER BY finding_id) FROM findings WHERE missing_since IS NOT NULL") ==
          "b:2000.000000 c:2000.000000");

    // Pass 3: b is back unchanged, c is back newer; pass 4 keeps b's missing_since cleared.
    auto c2 = c;
    c2.updated_at = at_s(300);
    const auto counts = db.pass({a, b, c2}, at_s(3'000));
    CHECK(counts.unchanged == 2);
    CHECK(counts.updated == 1);
    CHECK(db.count("SELECT count(*) FROM findings WHERE missing_since IS NOT NULL") == 0);
    CHECK(db.count("SELECT count(*) FROM finding_versions WHERE finding_id = 'b'") == 1);
    CHECK(db.text("SELECT to_char(last_completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
                  " FROM sync_checkpoints") == "1970-01-01 00:50");
    CHECK(db.count("SELECT pages_done FROM sync_checkpoints") == 0);
}

TEST_CASE("duplicate ids within a page keep the newest version, and the last on a tie",
          "[page_writer]") {
    WriterDatabase db;
    auto newest = finding_at("a", at_s(300));
    newest.title = "newest";
    auto older = finding_at("a", at_s(100));
    older.title = "older";
    auto tie_first = finding_at("b", at_s(100));
    tie_first.title = "first";
    auto tie_last = finding_at("b", at_s(100));
    tie_last.title = "last";

    const auto counts = db.pass({newest, tie_first, older, tie_last}, at_s(1'000));

    CHECK(counts.seen == 4);
    CHECK(counts.inserted == 2);
    CHECK(counts.unchanged == 2);
    CHECK(db.text("SELECT string_agg(finding_id || ':' || title, ' ' ORDER BY finding_id)"
                  " FROM findings") == "a:newest b:last");
    CHECK(db.count("SELECT count(*) FROM finding_versions") == 2);
}

TEST_CASE("a finding without an id is rejected, counted in the run, and the page goes on",
          "[page_writer]") {
    WriterDatabase db;
    Finding no_id;
    no_id.title = "who am I";

    const auto counts =
        db.pass({finding_at("a", at_s(1)), no_id, finding_at("b", at_s(1))}, at_s(1'000));

    CHECK(counts.seen == 3);
    CHECK(counts.inserted == 2);
    CHECK(counts.rejected == 1);
    CHECK(db.text("SELECT pages || '/' || findings_seen || '/' || findings_inserted || '/' ||"
                  " findings_updated || '/' || findings_unchanged || '/' || findings_rejected"
                  " FROM sync_runs") == "1/3/2/0/0/1");
}

TEST_CASE("NUL and invalid UTF-8 are stored as U+FFFD and the finding is kept", "[page_writer]") {
    WriterDatabase db;
    auto f = finding_at(std::string("id\0x", 4), at_s(1));
    f.description = std::string("a\0b\xC3(", 5);
    f.detector_tags = std::vector<std::string>{"\xFFtag"};

    db.pass({f}, at_s(1'000));

    CHECK(db.text("SELECT finding_id || '|' || description FROM findings") ==
          "id\xEF\xBF\xBDx|a\xEF\xBF\xBD"
          "b\xEF\xBF\xBD(");
    CHECK(db.text("SELECT tag FROM finding_detector_tags") == "\xEF\xBF\xBDtag");
}

TEST_CASE("timestamps are stored to the microsecond", "[page_writer]") {
    WriterDatabase db;
    auto f = finding_at("a", at_us(1'758'000'000'872'000));
    f.created_at = at_us(1'758'000'000'000'001);

    db.pass({f}, at_us(1'760'000'000'123'456));

    CHECK(db.text("SELECT to_char(updated_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') || ' ' ||"
                  " to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') || ' ' ||"
                  " to_char(first_seen_at AT TIME ZONE 'UTC', 'SS.US') FROM findings") ==
          "05:20:00.872000 05:20:00.000001 20.123456");
}
