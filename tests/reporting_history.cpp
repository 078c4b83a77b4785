#include "reporting_history.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace codeguru::test {
namespace {

using nlohmann::json;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::sys_seconds;

struct Version {
    sys_seconds at;
    const char* status;
};

// One finding's life as the API reports it: each version from its time on, until the
// next; absent before its creation and from `gone_at` on.
struct Seeded {
    const char* scan;
    const char* id;
    const char* severity;
    std::vector<Version> versions;  // the first one's time is createdAt
    const char* detector = nullptr;
    const char* rule = nullptr;
    const char* file = nullptr;
    std::optional<sys_seconds> gone_at{};

    // The finding as GetFindings returns it at `at`, or null when it is not listed then.
    json at_time(sys_seconds at) const {
        if (at < versions.front().at || (gone_at && at >= *gone_at)) return nullptr;
        const Version* current = &versions.front();
        for (const auto& v : versions) {
            if (v.at <= at) current = &v;
        }
        json f = {{"id", id},
                  {"createdAt", versions.front().at.time_since_epoch().count()},
                  {"updatedAt", current->at.time_since_epoch().count()},
                  {"status", current->status},
                  {"severity", severity},
                  {"title", std::string(severity) + " finding " + id},
                  {"generatorId", "codeguru-security"}};
        if (detector != nullptr) {
            f["detectorId"] = std::string("python/") + detector;
            f["detectorName"] = detector;
        }
        if (rule != nullptr) f["ruleId"] = rule;
        if (file != nullptr) {
            const std::string path = file;
            f["vulnerability"] = {
                {"filePath", {{"path", path}, {"name", path.substr(path.rfind('/') + 1)}}}};
        }
        return f;
    }
};

sys_seconds on_2025(unsigned month, unsigned day) {
    return sys_seconds{std::chrono::sys_days{std::chrono::year{2025} / month / day}} + hours(12);
}

constexpr char kSqli[] = "sql-injection";
constexpr char kSecret[] = "hardcoded-credentials";
constexpr char kLog[] = "log-injection";

std::vector<Seeded> history(const ReportingHistory& h) {
    const auto d = [&h](int k) { return h.day(k); };
    return {
        // alpha: fixed dates.
        {"alpha",
         "a1",
         "High",
         {{on_2025(1, 1), "Open"}, {on_2025(1, 11), "Closed"}},
         kLog,
         "py-log",
         "src/api/users.py"},
        {"alpha",
         "a7",
         "High",
         {{on_2025(1, 2), "Open"}, {on_2025(1, 8), "Closed"}},
         kLog,
         "py-log"},
        {"alpha",
         "a2",
         "High",
         {{on_2025(1, 5), "Open"}, {on_2025(1, 25), "Closed"}},
         kSqli,
         "py-sqli",
         "src/api/orders.py"},
        {"alpha",
         "a3",
         "Critical",
         {{on_2025(1, 10), "Open"},
          {on_2025(1, 13), "Closed"},
          {on_2025(2, 1), "Open"},
          {on_2025(2, 11), "Closed"}},
         kSqli,
         "py-sqli",
         "src/api/users.py"},
        {"alpha",
         "a4",
         "Medium",
         {{on_2025(2, 1), "Open"}, {on_2025(2, 5), "Closed"}},
         kSecret,
         "py-hardcoded-secret"},
        {"alpha", "a5", "Medium", {{on_2025(1, 20), "Open"}}, kSqli, "py-sqli", "src/api/users.py"},
        {"alpha",
         "a6",
         "Low",
         {{on_2025(2, 10), "Open"}, {on_2025(2, 12), "Closed"}, {on_2025(2, 20), "Open"}},
         kSecret,
         "py-hardcoded-secret",
         "src/lib/db.py"},
        // beta: days before T.
        {"beta", "b1", "Critical", {{d(91), "Open"}}, kSqli, "py-sqli", "src/api/users.py"},
        {"beta", "b2", "High", {{d(90), "Open"}}, kSqli, "py-sqli", "src/api/orders.py"},
        {"beta", "b3", "High", {{d(31), "Open"}}, kSecret, "py-hardcoded-secret", "src/lib/db.py"},
        {"beta",
         "b4",
         "Medium",
         {{d(8), "Open"}},
         kSecret,
         "py-hardcoded-secret",
         "src/api/users.py"},
        {"beta", "b5", "Low", {{d(7), "Open"}}, kLog, "py-log", "tests/test_auth.py"},
        {"beta", "b6", "Info", {{d(0), "Open"}}, kLog, "py-log"},
        {"beta",
         "b7",
         "High",
         {{d(40), "Open"}, {d(5), "Closed"}},
         kLog,
         "py-log",
         "src/api/orders.py"},
        {"beta",
         "b8",
         "Low",
         {{d(60), "Open"}, {d(35), "Closed"}},
         kLog,
         "py-log",
         "src/lib/db.py"},
        {"beta", "b9", "High", {{d(50), "Open"}}, kSqli, "py-sqli", "src/api/users.py", d(15)},
        {"beta",
         "b10",
         "Medium",
         {{d(30), "Open"}, {d(25), "Closed"}, {d(8), "Open"}},
         kSqli,
         "py-sqli",
         "src/lib/db.py"},
    };
}

}  // namespace

ReportingHistory::ReportingHistory()
    : t_(std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now())) {
    const auto seeded = history(*this);

    // Each scan syncs an hour after every change (never after T) and at T, so every
    // version is observed once; the scans' syncs interleave in time order.
    std::set<std::pair<sys_seconds, std::string>> syncs;
    for (const auto& f : seeded) {
        for (const auto& v : f.versions) syncs.emplace(std::min(v.at + hours(1), t_), f.scan);
        if (f.gone_at) syncs.emplace(std::min(*f.gone_at + hours(1), t_), f.scan);
        syncs.emplace(t_, f.scan);
    }
    PinnedClock clock(t_);
    for (const auto& [at, scan] : syncs) {
        std::vector<json> listed;
        for (const auto& f : seeded) {
            if (scan != f.scan) continue;
            if (auto j = f.at_time(at); !j.is_null()) listed.push_back(std::move(j));
        }
        fx_.fake.set_scan(scan, listed);
        clock.set(at);
        const auto result = fx_.sync(scan, clock, 3);
        INFO("sync of " << scan << " at " << timestamptz_of(at) << ": " << result.error);
        REQUIRE(result.outcome == sync::ScanResult::Outcome::kSucceeded);
    }

    // gamma: failed three days ago, succeeded two days ago, failed 3 h and 1 h ago.
    fx_.fake.set_scan("gamma", {});
    const std::pair<sys_seconds, bool> gamma_runs[] = {
        {day(3), false}, {day(2), true}, {t_ - hours(3), false}, {t_ - hours(1), false}};
    for (const auto& [at, succeeds] : gamma_runs) {
        if (!succeeds) {
            Fault fault;
            fault.kind = Fault::Kind::kAccessDenied;
            fault.scan = "gamma";
            fx_.fake.inject(fault);
        }
        clock.set(at);
        const auto result = fx_.sync("gamma", clock);
        REQUIRE(result.outcome == (succeeds ? sync::ScanResult::Outcome::kSucceeded
                                            : sync::ScanResult::Outcome::kFailed));
    }

    seed_inspector_history(*this);
}

pqxx::result ReportingHistory::query(const std::string& sql) {
    pqxx::connection c(conninfo());
    pqxx::work tx(c);
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(schema()));
    tx.exec("SET LOCAL TimeZone TO 'UTC'");
    auto r = tx.exec(sql);
    tx.commit();
    return r;
}

std::string date_of(sys_seconds at) {
    const std::chrono::year_month_day ymd{std::chrono::floor<days>(at)};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

std::string month_of(sys_seconds at) {
    return date_of(at).substr(0, 8) + "01";
}

std::string timestamptz_of(sys_seconds at) {
    const auto day_start = std::chrono::floor<days>(at);
    const std::chrono::hh_mm_ss time{at - day_start};
    char text[16];
    std::snprintf(text, sizeof text, " %02d:%02d:%02d+00", static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return date_of(at) + text;
}

std::string rows_text(const pqxx::result& result) {
    std::string text;
    for (const auto& row : result) {
        for (pqxx::row::size_type i = 0; i < row.size(); ++i) {
            if (i > 0) text += '|';
            text += row[i].is_null() ? "NULL" : row[i].c_str();
        }
        text += '\n';
    }
    return text;
}

bool rows_match(const std::string& expected, const std::string& actual) {
    const auto split = [](const std::string& text, char separator) {
        std::vector<std::string> parts;
        std::size_t start = 0;
        for (std::size_t end; (end = text.find(separator, start)) != std::string::npos;
             start = end + 1) {
            parts.push_back(text.substr(start, end - start));
        }
        parts.push_back(text.substr(start));
        return parts;
    };
    const auto expected_lines = split(expected, '\n');
    const auto actual_lines = split(actual, '\n');
    if (expected_lines.size() != actual_lines.size()) return false;
    for (std::size_t i = 0; i < expected_lines.size(); ++i) {
        const auto want = split(expected_lines[i], '|');
        const auto got = split(actual_lines[i], '|');
        if (want.size() != got.size()) return false;
        for (std::size_t j = 0; j < want.size(); ++j) {
            if (want[j] != "*" && want[j] != got[j]) return false;
        }
    }
    return true;
}

}  // namespace codeguru::test
