// Importing an export into PostgreSQL (sources/codeguru/export_import.hpp, schema/009): the
// findings land as a sync of the same findings stores them (compared with the independent
// reference mapper and with a real sync), per file in one transaction with a run of source
// 'import', and the scan's checkpoint never moves.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "contract_rows.hpp"
#include "finding_generator.hpp"
#include "reference_mapper.hpp"
#include "sources/codeguru/export_import.hpp"
#include "sources/codeguru/export_reader.hpp"
#include "sync_fixture.hpp"

using namespace codeguru;
using namespace codeguru::test;
using nlohmann::json;

namespace {

const Timestamp kImportTime{std::chrono::microseconds{1'760'000'000'000'000}};

// The AWS CLI's shape: one document, every page merged.
std::string one_document(const std::vector<json>& findings) {
    return json{{"findings", findings}}.dump(4);
}

// One document per page of `page_size`, as JSON Lines, with the API's nextToken.
std::string json_lines(const std::vector<json>& findings, std::size_t page_size) {
    std::string out;
    for (std::size_t i = 0; i < findings.size(); i += page_size) {
        json page{{"findings", json::array()}};
        for (std::size_t j = i; j < std::min(findings.size(), i + page_size); ++j) {
            page["findings"].push_back(findings[j]);
        }
        if (i + page_size < findings.size()) page["nextToken"] = "t" + std::to_string(i);
        out += page.dump() + "\n";
    }
    return out;
}

FileImportResult import_text(SyncFixture& fx, const std::string& text, const std::string& name,
                             bool complete = false, std::size_t batch = 40) {
    // A connection per import: finished, it has flushed its statistics (write_counters).
    pqxx::connection connection(fx.schema.conninfo());
    std::istringstream in(text);
    ImportOptions options;
    options.scan = "s";
    options.complete = complete;
    options.batch_size = batch;
    return import_export_file(connection, fx.schema.name(), in, name, options, kImportTime);
}

std::string difference(SyncFixture& fx, const std::vector<json>& findings) {
    return describe_difference(reference_rows("s", findings),
                               stored_contract_rows(fx.schema.conninfo(), fx.schema.name()));
}

std::int64_t count(SyncFixture& fx, const std::string& sql) {
    return fx.query(sql)[0][0].as<std::int64_t>();
}

}  // namespace

TEST_CASE("an import stores what the reference mapper reads from the findings, in any format") {
    const auto findings = generate_findings("s", 130, 16);
    for (const std::string& text : {one_document(findings), json_lines(findings, 40)}) {
        SyncFixture fx;
        const auto r = import_text(fx, text, "export.json");
        CHECK(difference(fx, findings).empty());
        CHECK(r.seen == 130);
        CHECK(r.inserted == 130);
        CHECK(r.pages == 4);  // batches of 40
        const auto run = fx.query(
            "SELECT source, scan_name, outcome, pages, findings_seen, findings_inserted, detail, "
            "error IS NULL, finished_at IS NOT NULL FROM sync_runs");
        REQUIRE(run.size() == 1);
        CHECK(run[0][0].as<std::string>() == "import");
        CHECK(run[0][1].as<std::string>() == "s");
        CHECK(run[0][2].as<std::string>() == "succeeded");
        CHECK(run[0][3].as<int>() == 4);
        CHECK(run[0][4].as<int>() == 130);
        CHECK(run[0][5].as<int>() == 130);
        CHECK(run[0][6].as<std::string>().find("export.json") != std::string::npos);
        CHECK(run[0][7].as<bool>());
        CHECK(run[0][8].as<bool>());
        // Nothing of a checkpoint: the scan was never synced, and still has none.
        CHECK(count(fx, "SELECT count(*) FROM sync_checkpoints") == 0);
        CHECK(count(fx, "SELECT count(*) FROM sync_pass_seen") == 0);
    }
}

TEST_CASE("an import equals a sync of the same findings, and leaves the checkpoint alone") {
    const auto findings = generate_findings("s", 120, 17);
    SyncFixture synced;
    synced.fake.set_scan("s", findings);
    REQUIRE(synced.sync("s", 50).outcome == sync::ScanResult::Outcome::kSucceeded);

    SyncFixture imported;
    import_text(imported, json_lines(findings, 50), "pages.jsonl");
    CHECK(describe_difference(
              stored_contract_rows(synced.schema.conninfo(), synced.schema.name()),
              stored_contract_rows(imported.schema.conninfo(), imported.schema.name()))
              .empty());

    // Importing over the synced scan changes no finding and no part of its checkpoint.
    const std::string checkpoint_sql =
        "SELECT row_to_json(c)::text FROM sync_checkpoints AS c WHERE scan_name = 's'";
    const auto before = synced.query(checkpoint_sql)[0][0].as<std::string>();
    const auto r = import_text(synced, one_document(findings), "export.json");
    CHECK(r.unchanged == 120);
    CHECK(synced.query(checkpoint_sql)[0][0].as<std::string>() == before);
}

TEST_CASE("importing the same file twice writes no finding row the second time") {
    SyncFixture fx;
    const auto findings = generate_findings("s", 90, 18);
    const std::string text = one_document(findings);
    import_text(fx, text, "a.json");
    const std::string before = fx.write_counters();
    const auto again = import_text(fx, text, "a.json");
    CHECK(again.unchanged == 90);
    CHECK(again.inserted + again.updated == 0);
    CHECK(fx.write_counters() == before);
    CHECK(before.find("findings=90/0/0") != std::string::npos);
    CHECK(count(fx, "SELECT count(*) FROM sync_runs WHERE outcome = 'succeeded'") == 2);
    // Without --complete an import keeps no seen-set: not a row written there.
    CHECK(count(fx,
                "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = 'sync_pass_seen' "
                "AND schemaname = current_schema()") == 0);
}

TEST_CASE("a later export updates exactly the changed findings and adds their versions") {
    SyncFixture fx;
    auto findings = generate_findings("s", 100, 19);
    import_text(fx, one_document(findings), "september.json");
    const auto versions_before = count(fx, "SELECT count(*) FROM finding_versions");
    EvolveOptions options;
    options.removed_fraction = 0.0;
    const auto summary = evolve_findings(findings, 7, options);
    const auto r = import_text(fx, one_document(findings), "october.json");
    CHECK(r.inserted == static_cast<std::int64_t>(summary.added()));
    CHECK(r.updated == static_cast<std::int64_t>(summary.updated() + summary.closed()));
    CHECK(count(fx, "SELECT count(*) FROM finding_versions") ==
          versions_before +
              static_cast<std::int64_t>(summary.added() + summary.updated() + summary.closed()));
    CHECK(count(fx, "SELECT count(*) FROM findings WHERE missing_since IS NOT NULL") == 0);
}

TEST_CASE(
    "a complete import (--complete) marks the scan's findings the file does not hold missing") {
    auto findings = generate_findings("s", 60, 20);
    EvolveOptions options;
    options.removed_fraction = 0.1;
    auto later = findings;
    const auto summary = evolve_findings(later, 9, options);
    REQUIRE(summary.removed() > 0);
    for (const bool complete : {false, true}) {
        SyncFixture fx;
        import_text(fx, one_document(findings), "first.json");
        const auto r = import_text(fx, json_lines(later, 25), "later.jsonl", complete);
        const auto missing = fx.query(
            "SELECT finding_id, missing_since = '2025-10-09 08:53:20+00' FROM findings "
            "WHERE missing_since IS NOT NULL ORDER BY finding_id");
        if (!complete) {
            CHECK(missing.empty());
            CHECK(r.marked_missing == 0);
            continue;
        }
        auto removed = summary.removed_ids;
        std::sort(removed.begin(), removed.end());
        REQUIRE(missing.size() == removed.size());
        for (std::size_t i = 0; i < removed.size(); ++i) {
            CHECK(missing[i][0].as<std::string>() == removed[i]);
            CHECK(missing[i][1].as<bool>());
        }
        CHECK(r.marked_missing == static_cast<std::int64_t>(removed.size()));
        CHECK(count(fx, "SELECT count(*) FROM sync_pass_seen") == 0);
    }
}

TEST_CASE("the files of a complete import are one set: only what none holds is missing") {
    auto findings = generate_findings("s", 60, 24);
    SyncFixture fx;
    import_text(fx, one_document(findings), "first.json");
    EvolveOptions options;
    options.removed_fraction = 0.1;
    const auto summary = evolve_findings(findings, 11, options);
    REQUIRE(summary.removed() > 0);
    // The later result split in two files, imported as one --complete set.
    const std::vector<json> head(findings.begin(), findings.begin() + 30);
    const std::vector<json> tail(findings.begin() + 30, findings.end());
    pqxx::connection connection(fx.schema.conninfo());
    ImportOptions set;
    set.scan = "s";
    set.complete = true;
    set.last_of_set = false;
    std::istringstream first(one_document(head));
    const auto a =
        import_export_file(connection, fx.schema.name(), first, "head.json", set, kImportTime);
    CHECK(a.marked_missing == 0);
    CHECK(count(fx, "SELECT count(*) FROM findings WHERE missing_since IS NOT NULL") == 0);
    set.first_of_set = false;
    set.last_of_set = true;
    std::istringstream second(one_document(tail));
    const auto b =
        import_export_file(connection, fx.schema.name(), second, "tail.json", set, kImportTime);
    CHECK(b.marked_missing == static_cast<std::int64_t>(summary.removed()));
    auto removed = summary.removed_ids;
    std::sort(removed.begin(), removed.end());
    std::vector<std::string> missing;
    for (const auto& row :
         fx.query("SELECT finding_id FROM findings WHERE missing_since IS NOT NULL ORDER BY 1")) {
        missing.push_back(row[0].as<std::string>());
    }
    CHECK(missing == removed);
    CHECK(count(fx, "SELECT count(*) FROM sync_pass_seen") == 0);
}

TEST_CASE("a new import drops what a failed complete import left of its set") {
    const auto findings = generate_findings("s", 20, 25);
    SyncFixture fx;
    pqxx::connection connection(fx.schema.conninfo());
    ImportOptions set;
    set.scan = "s";
    set.complete = true;
    set.last_of_set = false;  // its last file never came (it failed)
    std::istringstream in(one_document(findings));
    import_export_file(connection, fx.schema.name(), in, "a.json", set, kImportTime);
    REQUIRE(count(fx, "SELECT count(*) FROM sync_pass_seen WHERE source = 'import'") > 0);
    // A later complete import of a single file: the earlier set's ids do not count as held.
    const std::vector<json> fewer(findings.begin(), findings.begin() + 15);
    const auto r = import_text(fx, one_document(fewer), "b.json", true);
    CHECK(r.marked_missing == 5);
    CHECK(count(fx, "SELECT count(*) FROM sync_pass_seen") == 0);
}

TEST_CASE("findings without an id are rejected and counted as a sync counts them") {
    SyncFixture fx;
    auto findings = generate_findings("s", 5, 21);
    findings.push_back(json{{"title", "no id"}});
    const auto r = import_text(fx, one_document(findings), "x.json");
    CHECK(r.rejected == 1);
    CHECK(r.seen == 6);
    CHECK(count(fx, "SELECT findings_rejected FROM sync_runs") == 1);
    CHECK(count(fx, "SELECT count(*) FROM findings") == 5);
}

TEST_CASE("a bad file applies nothing of itself, records a failed run, keeps earlier files") {
    SyncFixture fx;
    const auto first = generate_findings("s", 30, 22);
    import_text(fx, one_document(first), "good.json");
    const auto second = generate_findings("s2", 100, 23);  // other ids
    std::string text = json_lines(second, 40);
    // The third page's first finding loses its closing quote of "id": malformed JSON after
    // two pages that map well (applied, then undone).
    const std::size_t third = text.find('\n', text.find('\n') + 1) + 1;
    const std::size_t id = text.find("\"id\":\"", third);
    REQUIRE(id != std::string::npos);
    text.erase(text.find('"', id + 6), 1);
    try {
        import_text(fx, text, "bad.jsonl");
        FAIL("no error");
    } catch (const ImportFileError& e) {
        const std::string message = e.what();
        CHECK(message.rfind("bad.jsonl: byte ", 0) == 0);
        CHECK(message.find("(line 3)") != std::string::npos);
    }
    CHECK(count(fx, "SELECT count(*) FROM findings") == 30);
    CHECK(count(fx, "SELECT count(*) FROM finding_versions") == 30);
    const auto runs =
        fx.query("SELECT outcome, error, findings_seen FROM sync_runs ORDER BY run_id");
    REQUIRE(runs.size() == 2);
    CHECK(runs[1][0].as<std::string>() == "failed");
    CHECK(runs[1][1].as<std::string>().find("bad.jsonl: byte ") != std::string::npos);
    CHECK(runs[1][2].as<int>() == 0);
    for (const std::string& bad : {std::string("not json"), text.substr(0, text.size() / 2)}) {
        CHECK_THROWS_AS(import_text(fx, bad, "other.json"), ImportFileError);
    }
    CHECK(count(fx, "SELECT count(*) FROM findings") == 30);
}

TEST_CASE("a first sync of a scan waits for an import of it that holds no checkpoint to lock") {
    SyncFixture fx;
    const auto findings = generate_findings("s", 60, 23);
    fx.fake.set_scan("s", findings);

    // An import of the never-synced scan, part way through its file: its transaction is
    // open, holding the import's lock (start_import takes it).
    pqxx::connection importer(fx.schema.conninfo());
    pqxx::work import_tx(importer);
    import_tx.exec("SET LOCAL search_path TO " + importer.quote_name(fx.schema.name()));
    import_tx.exec("SELECT start_import('s', true)");
    REQUIRE(
        fx.query("SELECT count(*) FROM sync_checkpoints WHERE scan_name = 's'")[0][0].as<int>() ==
        0);

    auto sync = std::async(std::launch::async, [&] { return fx.sync("s", 25); });
    // The sync's first page must wait on the import's lock, not on a row or a conflict: the
    // page claimed as all new (claim_new_findings_page), as a first sync's pages are.
    bool waiting = false;
    for (int i = 0; i < 200 && !waiting; ++i) {
        pqxx::connection observer(fx.schema.conninfo());
        pqxx::nontransaction q(observer);
        waiting = q.exec1(
                       "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                       "'Lock' AND wait_event = 'advisory' AND query LIKE "
                       "'%claim_new_findings_page%'")[0]
                      .as<int>() == 1;
        if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(waiting);
    CHECK(sync.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
    import_tx.commit();

    const sync::ScanResult result = sync.get();
    CHECK(result.outcome == sync::ScanResult::Outcome::kSucceeded);
    CHECK(difference(fx, findings).empty());
}
