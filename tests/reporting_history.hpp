#pragma once

#include <chrono>
#include <pqxx/pqxx>
#include <string>

#include "sync_fixture.hpp"

namespace codeguru::test {

// The seeded history every reporting test checks its hand-worked numbers against. CodeGuru
// scans, inserted through ScanSync from the fake API over many syncs (reporting_history.cpp
// lists them finding by finding):
//   alpha  fixed dates in 2025: closes, a reopen, time to close by month;
//   beta   dates relative to now: age buckets, recent closes, a vanished finding;
//   gamma  no findings: a success two days ago, then failed runs.
// Inspector findings of account 123456789012, inserted with SQL into migration 6's tables
// (reporting_inspector_history.cpp lists them):
//   shop-web      repository in us-east-1 and eu-west-1: open, closed, suppressed findings;
//   payments-api  repository in us-east-1: INFORMATIONAL, UNTRIAGED, a reopen, a vanished
//                 finding, and a PACKAGE_VULNERABILITY that is no code finding;
//   streams       us-east-1 last succeeded at T, eu-west-1 two days ago.
// Times are UTC; T is the wall clock at construction, truncated to the minute, and
// day(k) is T - k days.
class ReportingHistory {
  public:
    ReportingHistory();

    std::chrono::sys_seconds t() const { return t_; }
    std::chrono::sys_seconds day(int k) const { return t_ - std::chrono::days(k); }

    const std::string& schema() const { return fx_.schema.name(); }
    const std::string& conninfo() const { return fx_.schema.conninfo(); }

    // Runs `sql` with search_path at the schema and TimeZone UTC (one transaction).
    pqxx::result query(const std::string& sql);

  private:
    SyncFixture fx_;
    std::chrono::sys_seconds t_;
};

// Inserts the Inspector part of the history (called by ReportingHistory's constructor).
void seed_inspector_history(const ReportingHistory& history);

// The ARN of the history's Inspector finding `id` ("f01") of `region`.
std::string inspector_arn(const std::string& region, const std::string& id);

// "YYYY-MM-DD" and "YYYY-MM-01" (its month) of a UTC time.
std::string date_of(std::chrono::sys_seconds at);
std::string month_of(std::chrono::sys_seconds at);
// "YYYY-MM-DD HH:MM:SS+00" as PostgreSQL prints a timestamptz in UTC.
std::string timestamptz_of(std::chrono::sys_seconds at);

// A result as text, one line per row, fields separated by '|', NULL as "NULL".
std::string rows_text(const pqxx::result& result);

// Whether `actual` (as rows_text gives it) matches `expected`: the same lines and cells,
// except that an expected cell "*" matches any value (for ages that depend on the clock).
bool rows_match(const std::string& expected, const std::string& actual);

}  // namespace codeguru::test
