#include "service/preflight_check.hpp"

#include <pqxx/pqxx>

#include <ctime>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aws/api_error.hpp"
#include "aws/credentials/cached_provider.hpp"
#include "aws/credentials/chain_provider.hpp"
#include "aws/curl_transport.hpp"
#include "aws/rate_limiter.hpp"
#include "aws/retry_strategy.hpp"
#include "aws/service_client.hpp"
#include "config/settings_printer.hpp"
#include "service/api_client_options.hpp"
#include "service/sync_service.hpp"
#include "sources/codeguru/finding_json.hpp"
#include "store/migrations.hpp"
#include "util/clock.hpp"
#include "util/one_line.hpp"

namespace codeguru::service {
namespace {

// The lines of the check, and whether any failed.
class CheckReport {
  public:
    explicit CheckReport(std::ostream& out) : out_(out) {}

    void ok(std::string_view check, std::string_view detail) { line("ok  ", check, detail); }
    void fail(std::string_view check, std::string_view error) {
        failed_ = true;
        line("FAIL", check, error);
    }
    // A check that cannot run because another failed: a failure too.
    void skip(std::string_view check, std::string_view why) {
        failed_ = true;
        line("skip", check, why);
    }
    bool passed() const { return !failed_; }

  private:
    void line(std::string_view outcome, std::string_view check, std::string_view detail) {
        out_ << outcome << ' ' << check << ": " << one_line(detail) << std::endl;
    }

    std::ostream& out_;
    bool failed_ = false;
};

// "2025-09-16T05:20:00Z"
std::string format_utc(std::chrono::system_clock::time_point time) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

void check_config(CheckReport& report, const Settings& settings, const CommandLine& command_line) {
    const std::string& path = command_line.config_path;
    const bool file_read = command_line.config_path_given || std::filesystem::exists(path);
    report.ok("config", (file_read ? path : "no file at " + path + ", defaults and command line") +
                            ", region " + settings.aws.region);
}

// True when the credentials resolve.
bool check_credentials(CheckReport& report, aws::CredentialsProvider& credentials) {
    try {
        const auto resolved = credentials.resolve();
        if (!resolved) {
            report.fail("credentials", "no AWS credentials found");
            return false;
        }
        // The key id is no secret (AWS prints its end too), but its end is all one needs.
        const std::string& key = resolved->access_key_id;
        std::string detail = resolved->source + ", access key ****" +
                             (key.size() > 4 ? key.substr(key.size() - 4) : std::string());
        if (resolved->expiration) detail += ", expires " + format_utc(*resolved->expiration);
        report.ok("credentials", detail);
        return true;
    } catch (const std::exception& e) {
        report.fail("credentials", e.what());
        return false;
    }
}

void check_database(CheckReport& report, const DatabaseSettings& database) {
    const std::string& schema = database.schema;
    const std::string where = mask_database_url(database.url) + ", schema " + schema;
    std::unique_ptr<pqxx::connection> connection;
    try {
        connection = connect_database(database);
    } catch (const std::exception& e) {
        report.fail("database", "cannot connect to " + where + ": " + e.what());
        return;
    }
    try {
        const int version = store::applied_schema_version(*connection, schema);
        const int latest = store::latest_schema_version();
        const std::string at = where + " at version " + std::to_string(version);
        if (version < latest) {
            report.fail("database", at + ", this codeguru-syncd needs " + std::to_string(latest) +
                                        " (run codeguru-syncd --migrate)");
        } else if (version > latest) {
            report.fail("database", at + ", newer than this codeguru-syncd supports (" +
                                        std::to_string(latest) + "); upgrade codeguru-syncd");
        } else {
            report.ok("database", at);
        }
    } catch (const std::exception& e) {
        report.fail("database", where + ": cannot read the schema version: " + e.what());
    }
}

void check_endpoint(CheckReport& report, const std::string& endpoint,
                    const aws::ServiceClient::Dependencies& dependencies,
                    const Settings& settings) {
    try {
        aws::RetryPolicy policy;
        policy.max_attempts = settings.aws.max_attempts;
        aws::ServiceClient service(aws::parse_endpoint(endpoint),
                                   aws::SigV4Signer(kCodeGuruSigningName, settings.aws.region),
                                   policy, dependencies);
        aws::ServiceRequest request;
        request.path = "/scans";  // ListScans
        request.query.emplace_back("maxResults", "1");
        service.get(request, [](const aws::HttpResponse& response) {
            parse_scans_page(response.body);  // throws when the answer is not a ListScans page
        });
        report.ok("endpoint", endpoint + " answers ListScans");
    } catch (const std::exception& e) {
        report.fail("endpoint", endpoint + ": " + e.what());
    }
}

}  // namespace

bool run_preflight_check(const Settings& settings, const CommandLine& command_line, StopFlag& stop,
                         std::ostream& out, const aws::EnvLookup& env) {
    CheckReport report(out);
    check_config(report, settings, command_line);

    // The daemon's stack (SyncService::build), without its metrics.
    const SystemClock clock;
    aws::CurlTransport transport(api_transport_options(settings.aws, stop, env));
    aws::CurlTransport metadata_transport(metadata_transport_options(stop, env));
    aws::CachedProvider credentials(
        aws::make_default_chain(
            {settings.aws.profile, settings.aws.region, transport, metadata_transport, clock, env}),
        clock);
    const bool have_credentials = check_credentials(report, credentials);

    check_database(report, settings.database);

    const std::string endpoint = codeguru_endpoint(settings.aws, env);
    if (have_credentials) {
        aws::RateLimiter rate_limiter(settings.aws.requests_per_second);
        aws::RetryQuota retry_quota;
        check_endpoint(report, endpoint,
                       {transport, credentials, clock, rate_limiter, retry_quota, stop}, settings);
    } else {
        report.skip("endpoint", endpoint + ": not asked without credentials");
    }
    return report.passed();
}

}  // namespace codeguru::service
