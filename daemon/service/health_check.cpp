#include "service/health_check.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "store/pg_array_literal.hpp"
#include "store/sql_support.hpp"
#include "util/one_line.hpp"

namespace codeguru::service {
namespace {

// Times as integer microseconds: exact, and independent of the session's TimeZone.
// Scans by their label: the scan name for CodeGuru, "inspector:REGION" for Inspector.
constexpr char kLastPassesSql[] =
    "SELECT label, (extract(epoch FROM last_completed_at) * 1000000)::bigint"
    " FROM (SELECT CASE WHEN source = 'codeguru' THEN scan_name"
    "       ELSE source || ':' || scan_name END AS label, last_completed_at"
    "       FROM {schema}.sync_checkpoints) AS c"
    " WHERE label = ANY($1::text[]) AND last_completed_at IS NOT NULL";

// The range a system_clock time point holds without overflow, with room for differences.
constexpr long long kMaxMicros = 9'000'000'000'000'000;

constexpr std::string_view kMask = "***";

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool iequals_at(std::string_view text, std::size_t at, std::string_view word) {
    if (text.size() - at < word.size()) return false;
    for (std::size_t i = 0; i < word.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
    }
    return true;
}

// Masks the value after every "password" followed by '=' (a conninfo keyword or a URI
// query parameter): a single-quoted value to its closing quote, else to a separator.
std::string mask_passwords(std::string_view text) {
    constexpr std::string_view kKeyword = "password";
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (!iequals_at(text, i, kKeyword)) {
            out += text[i++];
            continue;
        }
        std::size_t j = i + kKeyword.size();
        while (j < text.size() && is_space(text[j])) ++j;
        if (j >= text.size() || text[j] != '=') {
            out += text.substr(i, kKeyword.size());
            i += kKeyword.size();
            continue;
        }
        ++j;
        while (j < text.size() && is_space(text[j])) ++j;
        out += text.substr(i, j - i);
        if (j < text.size() && text[j] == '\'') {
            ++j;
            while (j < text.size() && text[j] != '\'') j += text[j] == '\\' ? 2 : 1;
            j = std::min(j + 1, text.size());
        } else {
            while (j < text.size() && !is_space(text[j]) && text[j] != '&' && text[j] != '"' &&
                   text[j] != ',') {
                ++j;
            }
        }
        out += kMask;
        i = j;
    }
    return out;
}

// Masks the user info of every "scheme://userinfo@host": all of it up to the authority's
// last '@', so that an unescaped '@' in a password is masked too.
std::string mask_user_info(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (true) {
        const auto scheme_end = text.find("://", i);
        if (scheme_end == std::string_view::npos) break;
        const std::size_t authority = scheme_end + 3;
        std::size_t end = authority;
        while (end < text.size() && !is_space(text[end]) &&
               std::string_view("/?#\"'").find(text[end]) == std::string_view::npos) {
            ++end;
        }
        const auto at = text.substr(authority, end - authority).rfind('@');
        out += text.substr(i, authority - i);
        if (at != std::string_view::npos) {
            out += kMask;
            out += text.substr(authority + at, end - authority - at);
        } else {
            out += text.substr(authority, end - authority);
        }
        i = end;
    }
    out += text.substr(i);
    return out;
}

std::string rfc3339(TimePoint at) {
    const std::time_t seconds =
        std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(at));
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

std::string seconds_text(std::chrono::milliseconds duration) {
    char buffer[32];
    const auto [end, ec] =
        std::to_chars(buffer, buffer + sizeof buffer,
                      static_cast<double>(duration.count()) / 1000.0, std::chars_format::fixed);
    return std::string(buffer, end);
}

HealthReport database_failure(const HealthScope& scope, std::string error) {
    HealthReport report;
    report.database_error = std::move(error);
    report.stale_after = 3 * scope.interval;
    return report;
}

bool same_target(const HealthScope& a, const HealthScope& b) {
    return a.scans == b.scans && a.interval == b.interval && a.schema == b.schema &&
           a.configured_since == b.configured_since;
}

}  // namespace

void ProbeCancel::on_abandon(std::function<void()> cancel) {
    std::lock_guard lock(mutex_);
    if (abandoned_) {
        cancel();
        return;
    }
    cancel_ = std::move(cancel);
}

void ProbeCancel::clear() {
    std::lock_guard lock(mutex_);
    cancel_ = nullptr;
}

void ProbeCancel::abandon() {
    std::lock_guard lock(mutex_);
    abandoned_ = true;
    if (cancel_) cancel_();
    cancel_ = nullptr;
}

bool ProbeCancel::abandoned() const {
    std::lock_guard lock(mutex_);
    return abandoned_;
}

std::map<std::string, TimePoint> DatabaseHealthSource::last_complete_passes(
    const HealthScope& scope, ProbeCancel& cancel) {
    if (!scope.connect) throw std::logic_error("no database to check");
    const std::unique_ptr<pqxx::connection> connection = scope.connect();
    // A server that accepted the connection and then stopped answering: shutting the socket
    // down makes the blocked read fail. Cleared before the connection closes the socket.
    const int socket = connection->sock();
    cancel.on_abandon([socket] { ::shutdown(socket, SHUT_RDWR); });
    struct ClearCancel {
        ProbeCancel& cancel;
        ~ClearCancel() { cancel.clear(); }
    } clear_cancel{cancel};

    pqxx::work tx(*connection);
    // SET LOCAL: no session state survives the transaction (pooler-safe).
    tx.exec0("SET LOCAL statement_timeout = " + std::to_string(statement_timeout_.count()));
    store::PgArrayLiteral names;
    for (const auto& scan : scope.scans) names.add_text(scan);
    const pqxx::result rows = tx.exec_params(
        store::with_schema(kLastPassesSql, tx.quote_name(scope.schema)), names.take());
    tx.commit();
    std::map<std::string, TimePoint> passes;
    for (const auto& row : rows) {
        const long long micros = std::clamp(row[1].as<long long>(), 0LL, kMaxMicros);
        passes[row[0].as<std::string>()] = TimePoint(
            std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(micros)));
    }
    return passes;
}

bool HealthReport::ok() const {
    return !database_error &&
           std::none_of(scans.begin(), scans.end(), [](const ScanHealth& s) { return s.stale; });
}

HealthReport assess_health(const HealthScope& scope, const std::map<std::string, TimePoint>& passes,
                           TimePoint now) {
    HealthReport report;
    report.stale_after = 3 * scope.interval;
    for (const auto& scan : scope.scans) {
        ScanHealth health;
        health.scan = scan;
        if (const auto pass = passes.find(scan); pass != passes.end()) {
            const auto age = now - pass->second;
            health.last_complete_pass = pass->second;
            health.age_seconds =
                std::max(0LL, static_cast<long long>(
                                  std::chrono::duration_cast<std::chrono::seconds>(age).count()));
            health.stale = age > report.stale_after;
        } else {
            const auto since = scope.configured_since.find(scan);
            health.stale =
                since != scope.configured_since.end() && now - since->second > report.stale_after;
        }
        report.scans.push_back(std::move(health));
    }
    return report;
}

std::string health_json(const HealthReport& report) {
    using Json = nlohmann::ordered_json;
    Json body;
    body["status"] = report.ok() ? "ok" : "unhealthy";
    body["database"] = report.database_error
                           ? Json{{"ok", false}, {"error", *report.database_error}}
                           : Json{{"ok", true}};
    body["stale_after_seconds"] = report.stale_after.count();
    body["scans"] = Json::array();
    for (const auto& scan : report.scans) {
        Json entry;
        entry["scan"] = scan.scan;
        entry["last_complete_pass"] =
            scan.last_complete_pass ? Json(rfc3339(*scan.last_complete_pass)) : Json(nullptr);
        entry["age_seconds"] = scan.age_seconds ? Json(*scan.age_seconds) : Json(nullptr);
        entry["stale"] = scan.stale;
        body["scans"].push_back(std::move(entry));
    }
    // Scan names are ASCII (SPEC §2); an error text may not be UTF-8: replace, never throw.
    return body.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string redact_secrets(std::string_view text) {
    return mask_user_info(mask_passwords(text));
}

struct HealthCheck::Probe {
    HealthScope scope;
    ProbeCancel cancel;
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;  // guards the results below
    std::map<std::string, TimePoint> passes;
    std::optional<std::string> error;
};

HealthCheck::HealthCheck(std::shared_ptr<HealthSource> source, const Clock& clock,
                         std::function<HealthScope()> scope, HealthCheckOptions options)
    : source_(std::move(source)), clock_(clock), scope_(std::move(scope)), options_(options) {}

HealthCheck::~HealthCheck() {
    std::lock_guard lock(mutex_);
    if (in_flight_) in_flight_->cancel.abandon();
}

std::shared_ptr<HealthCheck::Probe> HealthCheck::current_probe(const HealthScope& scope) {
    std::lock_guard lock(mutex_);
    if (in_flight_) {
        std::lock_guard probe_lock(in_flight_->mutex);
        if (in_flight_->done) in_flight_.reset();  // its answer has been used: ask again
    }
    if (in_flight_) return in_flight_;
    auto probe = std::make_shared<Probe>();
    probe->scope = scope;
    std::thread([probe, source = source_] {
        std::map<std::string, TimePoint> passes;
        std::optional<std::string> error;
        try {
            passes = source->last_complete_passes(probe->scope, probe->cancel);
        } catch (const std::exception& e) {
            error = one_line(redact_secrets(e.what()));
        } catch (...) {
            error = "unknown error";
        }
        {
            std::lock_guard done_lock(probe->mutex);
            probe->passes = std::move(passes);
            probe->error = error && error->empty() ? "unknown error" : error;
            probe->done = true;
        }
        probe->finished.notify_all();
    }).detach();
    in_flight_ = probe;
    return probe;
}

HealthReport HealthCheck::check() {
    const HealthScope scope = scope_();
    {
        std::lock_guard lock(mutex_);
        const TimePoint now = clock_.now();
        if (cached_ && same_target(scope, cached_scope_) && now >= cached_at_ &&
            now - cached_at_ < options_.cache_for) {
            return *cached_;
        }
    }

    const auto deadline = std::chrono::steady_clock::now() + options_.deadline;
    std::optional<HealthReport> report;
    std::shared_ptr<Probe> probe;
    while (!report) {
        try {
            probe = current_probe(scope);
        } catch (const std::system_error& e) {
            return database_failure(scope, std::string("cannot start the check: ") + e.what());
        }
        std::unique_lock lock(probe->mutex);
        if (!probe->finished.wait_until(lock, deadline, [&] { return probe->done; })) break;
        // Ended by the abandonment of an earlier, late check: its error says nothing about
        // the database. Ask again, within this check's deadline.
        if (probe->cancel.abandoned()) continue;
        report = probe->error ? database_failure(probe->scope, *probe->error)
                              : assess_health(probe->scope, probe->passes, clock_.now());
    }
    if (!report) {
        probe->cancel.abandon();
        report = database_failure(probe->scope, "database did not answer within " +
                                                    seconds_text(options_.deadline) + " s");
    }
    std::lock_guard lock(mutex_);
    cached_ = report;
    cached_scope_ = probe->scope;
    cached_at_ = clock_.now();
    return *report;
}

}  // namespace codeguru::service
