// The Inspector part of the reporting history (reporting_history.hpp): findings, versions,
// resources and CWEs inserted with SQL as migration 6's tables hold them after syncs that
// observed each version an hour after it (never after T), and the streams' runs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <vector>

#include "reporting_history.hpp"

namespace codeguru::test {
namespace {

using std::chrono::hours;
using std::chrono::sys_seconds;

constexpr char kAccount[] = "123456789012";

struct Detector {
    const char* id;
    const char* name;
    const char* rule;
};

constexpr Detector kJsSqli{"javascript/sql-injection@v1.0", "SQL injection",
                           "javascript-sql-injection"};
constexpr Detector kJsXss{"javascript/cross-site-scripting@v1.0", "Cross-site scripting",
                          "javascript-xss"};
constexpr Detector kJsSecret{"javascript/hardcoded-credentials@v1.0", "Hardcoded credentials",
                             "javascript-hardcoded-credentials"};
constexpr Detector kPySqli{"python/sql-injection@v1.0", "SQL injection", "python-sql-injection"};
constexpr Detector kPySecret{"python/hardcoded-credentials@v1.0", "Hardcoded credentials",
                             "python-hardcoded-credentials"};
constexpr Detector kPyLog{"python/log-injection@v1.0", "Log injection", "python-log-injection"};

struct InspectorVersion {
    sys_seconds at;
    const char* status;  // as Inspector sends it
};

// One Inspector finding: the first version's time is firstObservedAt, the last one's
// updatedAt. A code finding's first resource is its repository (project).
struct InspectorSeeded {
    const char* id;  // the ARN's last part
    const char* region;
    const char* project;  // nullptr: not a code repository (a package finding's Lambda)
    const char* type;
    const char* severity;  // as Inspector sends it
    std::vector<InspectorVersion> versions;
    std::vector<const char*> cwes;
    const Detector* detector = nullptr;
    const char* file = nullptr;
    std::optional<sys_seconds> missing_since{};
};

sys_seconds noon_2025(unsigned month, unsigned day) {
    return sys_seconds{std::chrono::sys_days{std::chrono::year{2025} / month / day}} + hours(12);
}

std::vector<InspectorSeeded> inspector_history(const ReportingHistory& h) {
    const auto d = [&h](int k) { return h.day(k); };
    static constexpr char kCode[] = "CODE_VULNERABILITY";  // static: the rows outlive the call
    return {
        {"f01",
         "us-east-1",
         "shop-web",
         kCode,
         "CRITICAL",
         {{d(20), "ACTIVE"}},
         {"CWE-89"},
         &kJsSqli,
         "src/db.js"},
        {"f02",
         "us-east-1",
         "shop-web",
         kCode,
         "HIGH",
         {{d(45), "ACTIVE"}, {d(33), "CLOSED"}},
         {"CWE-79", "CWE-80"},
         &kJsXss,
         "src/views/cart.js"},
        {"f03",
         "us-east-1",
         "shop-web",
         kCode,
         "HIGH",
         {{d(10), "ACTIVE"}},
         {"CWE-79"},
         &kJsXss,
         "src/views/search.js"},
        {"f04",
         "us-east-1",
         "shop-web",
         kCode,
         "MEDIUM",
         {{d(100), "ACTIVE"}, {d(60), "SUPPRESSED"}},
         {"CWE-798"},
         &kJsSecret,
         "config/keys.js"},
        {"f05",
         "us-east-1",
         "payments-api",
         kCode,
         "INFORMATIONAL",
         {{d(3), "ACTIVE"}},
         {},
         &kPyLog,
         "app/audit.py"},
        {"f06",
         "us-east-1",
         "payments-api",
         kCode,
         "UNTRIAGED",
         {{d(5), "ACTIVE"}},
         {"CWE-798"},
         &kPySecret,
         "app/settings.py"},
        {"f07",
         "us-east-1",
         "payments-api",
         kCode,
         "LOW",
         {{d(30), "ACTIVE"}, {d(26), "CLOSED"}, {d(12), "ACTIVE"}, {d(2), "CLOSED"}},
         {"CWE-117"},
         &kPyLog,
         "app/audit.py"},
        {"f08",
         "us-east-1",
         "payments-api",
         kCode,
         "HIGH",
         {{d(50), "ACTIVE"}},
         {"CWE-89"},
         &kPySqli,
         "app/ledger.py",
         d(15)},
        {"f09", "us-east-1", nullptr, "PACKAGE_VULNERABILITY", "CRITICAL", {{d(40), "ACTIVE"}}, {}},
        {"f10",
         "eu-west-1",
         "shop-web",
         kCode,
         "MEDIUM",
         {{d(95), "ACTIVE"}},
         {"CWE-89", "CWE-22"},
         &kJsSqli,
         "src/db.js"},
        {"f11",
         "us-east-1",
         "shop-web",
         kCode,
         "HIGH",
         {{noon_2025(3, 1), "ACTIVE"}, {noon_2025(3, 31), "CLOSED"}},
         {"CWE-79"},
         &kJsXss,
         "src/views/cart.js"},
        {"f12",
         "us-east-1",
         "payments-api",
         kCode,
         "HIGH",
         {{noon_2025(3, 10), "ACTIVE"}, {noon_2025(3, 13), "CLOSED"}},
         {"CWE-89"},
         &kPySqli,
         "app/ledger.py"},
    };
}

std::string title_of(const InspectorSeeded& f) {
    return std::string(f.severity) + " finding " + f.id;
}

}  // namespace

std::string inspector_arn(const std::string& region, const std::string& id) {
    return "arn:aws:inspector2:" + region + ":" + kAccount + ":finding/" + id;
}

void seed_inspector_history(const ReportingHistory& h) {
    pqxx::connection c(h.conninfo());
    pqxx::work tx(c);
    tx.exec("SET LOCAL search_path TO " + tx.quote_name(h.schema()));
    // Each version is observed by the sync an hour after it, never after T.
    const auto observed = [&h](sys_seconds at) { return std::min(at + hours(1), h.t()); };
    const auto epoch = [](sys_seconds at) { return at.time_since_epoch().count(); };

    for (const auto& f : inspector_history(h)) {
        const std::string arn = inspector_arn(f.region, f.id);
        const auto& first = f.versions.front();
        const auto& last = f.versions.back();
        std::optional<std::string> file_name;
        if (f.file != nullptr) {
            const std::string path = f.file;
            file_name = path.substr(path.rfind('/') + 1);
        }
        tx.exec_params0(
            "INSERT INTO inspector_findings (finding_arn, aws_account_id, region, type, title,"
            " severity, status, first_observed_at, last_observed_at, updated_at, detector_id,"
            " detector_name, rule_id, file_name, file_path, start_line, end_line, first_seen_at,"
            " last_changed_at, missing_since)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8), to_timestamp($9),"
            " to_timestamp($9), $10, $11, $12, $13, $14, $15, $16, to_timestamp($17),"
            " to_timestamp($18), to_timestamp($19))",
            arn, kAccount, f.region, f.type, title_of(f), f.severity, last.status, epoch(first.at),
            epoch(last.at), f.detector ? std::optional<std::string>(f.detector->id) : std::nullopt,
            f.detector ? std::optional<std::string>(f.detector->name) : std::nullopt,
            f.detector ? std::optional<std::string>(f.detector->rule) : std::nullopt, file_name,
            f.file ? std::optional<std::string>(f.file) : std::nullopt,
            f.file ? std::optional<int>(12) : std::nullopt,
            f.file ? std::optional<int>(14) : std::nullopt, epoch(observed(first.at)),
            epoch(observed(last.at)),
            f.missing_since ? std::optional<long>(epoch(*f.missing_since)) : std::nullopt);
        for (const auto& v : f.versions) {
            tx.exec_params0(
                "INSERT INTO inspector_finding_versions (finding_arn, updated_at, status, severity,"
                " title, observed_at) VALUES ($1, to_timestamp($2), $3, $4, $5, to_timestamp($6))",
                arn, epoch(v.at), v.status, f.severity, title_of(f), epoch(observed(v.at)));
        }
        if (f.project != nullptr) {
            tx.exec_params0(
                "INSERT INTO inspector_finding_resources (finding_arn, ordinal, type, resource_id,"
                " partition, region, project_name, provider_type, details)"
                " VALUES ($1, 1, 'CODE_REPOSITORY', $2, 'aws', $3, $4, 'GITHUB',"
                " jsonb_build_object('codeRepository', jsonb_build_object('projectName', $4::text,"
                " 'providerType', 'GITHUB')))",
                arn, std::string("repository/") + f.project, f.region, f.project);
        } else {
            tx.exec_params0(
                "INSERT INTO inspector_finding_resources (finding_arn, ordinal, type, resource_id,"
                " partition, region) VALUES ($1, 1, 'AWS_LAMBDA_FUNCTION', $2, 'aws', $3)",
                arn,
                std::string("arn:aws:lambda:") + f.region + ":" + kAccount + ":function:" + f.id,
                f.region);
        }
        for (std::size_t i = 0; i < f.cwes.size(); ++i) {
            tx.exec_params0(
                "INSERT INTO inspector_finding_cwes (finding_arn, ordinal, cwe) VALUES ($1, $2, "
                "$3)",
                arn, static_cast<int>(i + 1), f.cwes[i]);
        }
    }

    // The streams: us-east-1 synced at T; eu-west-1 last two days ago.
    for (const auto& [stream, at] : {std::pair<const char*, sys_seconds>{"us-east-1", h.t()},
                                     std::pair<const char*, sys_seconds>{"eu-west-1", h.day(2)}}) {
        tx.exec_params0(
            "INSERT INTO sync_runs (source, scan_name, started_at, finished_at, outcome, pages)"
            " VALUES ('inspector', $1, to_timestamp($2), to_timestamp($2), 'succeeded', 1)",
            stream, epoch(at));
    }
    tx.commit();
}

}  // namespace codeguru::test
