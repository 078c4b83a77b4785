#pragma once

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "contract_rows.hpp"
#include "daemon_process.hpp"
#include "fake_api.hpp"
#include "tables_snapshot.hpp"
#include "test_database.hpp"

namespace codeguru::test {

// A connection to a test schema for checking what the daemon stored; search_path is
// the schema, so queries name tables bare.
class SchemaInspector {
  public:
    SchemaInspector(const std::string& conninfo, const std::string& schema)
        : connection_(conninfo) {
        pqxx::nontransaction tx(connection_);
        tx.exec0("SET search_path TO " + tx.quote_name(schema));
        tx.exec0("SET TimeZone TO 'UTC'");
    }

    // `args` bind to $1, $2, ...
    template <typename... Args>
    pqxx::result query(const std::string& sql, Args&&... args) {
        pqxx::nontransaction tx(connection_);
        return tx.exec_params(sql, std::forward<Args>(args)...);
    }

    template <typename T>
    T scalar(const std::string& sql) {
        return query(sql).at(0).at(0).as<T>();
    }

    // Whether the schema has the daemon's tables yet (the daemon migrates at start).
    bool migrated() { return scalar<bool>("SELECT to_regclass('sync_checkpoints') IS NOT NULL"); }

    // The checkpoint's pages_done, or -1 while the scan has none.
    long pages_done(const std::string& scan) {
        if (!migrated()) return -1;
        pqxx::nontransaction tx(connection_);
        const auto rows =
            tx.exec_params("SELECT pages_done FROM sync_checkpoints WHERE scan_name = $1", scan);
        return rows.empty() ? -1 : rows[0][0].as<long>();
    }

    long count(const std::string& table_and_condition) {
        return scalar<long>("SELECT count(*) FROM " + table_and_condition);
    }

  private:
    pqxx::connection connection_;
};

// A scan's stored checkpoint: how far the pass got and the token of its next page.
struct StoredCheckpoint {
    long pages_done = 0;
    std::optional<std::string> next_token;
};

// Throws std::runtime_error unless the scan has exactly one checkpoint row.
inline StoredCheckpoint checkpoint(SchemaInspector& db, const std::string& scan) {
    const auto rows =
        db.query("SELECT pages_done, next_token FROM sync_checkpoints WHERE scan_name = $1", scan);
    if (rows.size() != 1) throw std::runtime_error("no checkpoint for scan " + scan);
    StoredCheckpoint cp;
    cp.pages_done = rows[0][0].as<long>();
    if (!rows[0][1].is_null()) cp.next_token = rows[0][1].as<std::string>();
    return cp;
}

// The GetFindings requests the fake received at or after `since`, in arrival order.
inline std::vector<RequestRecord> get_findings_since(const FakeCodeGuruApi& api,
                                                     std::chrono::steady_clock::time_point since) {
    std::vector<RequestRecord> out;
    for (auto& request : api.requests()) {
        if (request.operation == "GetFindings" && request.received_at >= since) {
            out.push_back(std::move(request));
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.received_at < b.received_at; });
    return out;
}

// A database url that tags the daemon's connections, so that a test can wait until the
// server has ended every session of a killed daemon (and released its locks).
inline std::string tagged_url(const TestSchema& schema) {
    return schema.conninfo() + " application_name=e2e_" + schema.name();
}

// Whether the server has no session of a daemon that used tagged_url(schema) left.
inline bool sessions_gone(SchemaInspector& db, const TestSchema& schema) {
    return db.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                    "e2e_" + schema.name())[0][0]
               .as<long>() == 0;
}

// What an end-to-end test of one daemon needs: the fake API, a schema of its own,
// a directory for config and logs.
struct E2eSetup {
    FakeCodeGuruApi api;
    TestSchema schema;
    TempDir dir;

    DaemonConfig config(std::vector<std::string> scans) const {
        DaemonConfig config;
        config.endpoint = api.endpoint();
        config.database_url = schema.conninfo();
        config.schema = schema.name();
        config.scans = std::move(scans);
        return config;
    }

    // Writes the config as codeguru-syncd.conf and returns "--config=PATH".
    std::string write_config(const DaemonConfig& config) const {
        return "--config=" + dir.write_file("codeguru-syncd.conf", config.render()).string();
    }

    SchemaInspector inspector() const { return SchemaInspector(schema.conninfo(), schema.name()); }
};

// The snapshot of one uninterrupted `--once` sync of `scans` from `api` into a schema of
// its own: what every other way of reaching the end of a pass must equal.
// Throws std::runtime_error when that sync does not exit 0 or its contract columns differ
// from reference_rows of what `api` serves.
inline TablesSnapshot clean_sync_snapshot(const FakeCodeGuruApi& api,
                                          const std::vector<std::string>& scans,
                                          int page_size = 10) {
    TestSchema schema;
    TempDir dir;
    DaemonConfig config;
    config.endpoint = api.endpoint();
    config.database_url = schema.conninfo();
    config.schema = schema.name();
    config.scans = scans;
    config.page_size = page_size;
    const auto path = dir.write_file("clean.conf", config.render());
    const auto run = run_daemon(dir, {"--config=" + path.string(), "--once"});
    if (!run.status.exited_with(0)) {
        throw std::runtime_error("the clean sync ended with " + run.status.describe() + ":\n" +
                                 run.err);
    }
    // The clean sync is the daemon's own work: its contract columns must be what the
    // independent reference mapper reads in the SPEC, or it is no yardstick.
    if (const auto wrong = difference_from_reference(api, scans, schema.conninfo(), schema.name());
        !wrong.empty()) {
        throw std::runtime_error("the clean sync differs from the reference mapper:\n" + wrong);
    }
    return snapshot_tables(schema.conninfo(), schema.name());
}

// Empty when the setup's schema holds, in the contract tables, exactly what the reference
// mapper reads from `scans` as its fake serves them now (one complete first pass of each).
inline std::string reference_difference(const E2eSetup& setup,
                                        const std::vector<std::string>& scans) {
    return difference_from_reference(setup.api, scans, setup.schema.conninfo(),
                                     setup.schema.name());
}

// Empty when `schema` holds what the clean snapshot holds; otherwise the difference.
inline std::string snapshot_difference(const TablesSnapshot& clean, const TestSchema& schema) {
    return describe_difference(clean, snapshot_tables(schema.conninfo(), schema.name()));
}

}  // namespace codeguru::test
