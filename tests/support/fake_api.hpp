#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "aws/credentials/credentials.hpp"
#include "fake_inspector.hpp"
#include "finding_generator.hpp"
#include "inspector_generator.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace codeguru::test {

// A programmed misbehaviour of the fake API. A fault applies to requests that match it
// (operation, scan or region, and for kRejectToken and kRepeatToken a nextToken in the query
// or the JSON body); it lets the first `after_requests` matches through, then fires on each
// later match with `probability` until it has fired `count` times (0: forever). Error bodies
// and x-amzn-ErrorType take the shape of the targeted service (CodeGuru or Inspector).
struct Fault {
    enum class Kind {
        kThrottle,        // 429 ThrottlingException
        kServerError,     // 500 InternalServerException (JSON); 502/503/504: plain HTML body
        kDelay,           // waits `delay`, then answers normally
        kDropConnection,  // sends the headers and half the body, then closes the socket
        kMalformedJson,   // 200 with a truncated JSON body
        kRejectToken,     // 400 ValidationException "Invalid nextToken" (requests with a token)
        kAccessDenied,    // 403 AccessDeniedException
        kNotFound,        // 404 ResourceNotFoundException
        kConflict,        // 409 ConflictException
        // A broken API that answers 200, and a normal page but for what the kind says:
        kOversizedPage,  // the page's entries followed by `{}` entries, `items` in all
        kRepeatToken,    // nextToken is the one the request sent (requests with a token)
        kEndlessPages,   // a fresh nextToken on every page, past the end of the data
    };
    enum class Target {
        kGetFindings,
        kListScans,
        kBoth,                 // GetFindings and ListScans
        kListFindings,         // Inspector
        kBatchGetCodeSnippet,  // Inspector
    };

    Kind kind = Kind::kThrottle;
    std::size_t count = 1;
    std::string scan{};  // GetFindings of this scan only; empty: any scan
    std::size_t after_requests = 0;
    double probability = 1.0;
    std::uint64_t seed = 1;              // for the probability draws
    int http_status = 500;               // kServerError only
    std::chrono::milliseconds delay{0};  // kDelay only
    std::size_t items = 10'000;          // kOversizedPage only
    Target target = Target::kGetFindings;
    // kThrottle and kServerError only: the answer carries `Retry-After: N` (seconds).
    std::optional<std::chrono::seconds> retry_after{};
    std::string region{};  // requests whose credential scope names this region only; empty: any
};

// "throttle", "server-error", "delay", "drop", "malformed", "reject-token",
// "access-denied", "not-found", "conflict", "oversized-page", "repeat-token", "endless".
std::string_view to_string(Fault::Kind kind);
std::optional<Fault::Kind> parse_fault_kind(std::string_view name);

// One request the fake received (control endpoints excepted).
struct RequestRecord {
    std::chrono::steady_clock::time_point received_at;
    std::string method;
    std::string raw_path;   // as on the wire, still percent-encoded
    std::string raw_query;  // as on the wire, without the '?'
    std::string operation;  // "GetFindings", "ListScans", or "" for anything else
    std::string scan;       // GetFindings: the decoded scan name
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in wire order
    int status = 0;                    // the status sent (200 for a dropped connection)
    std::optional<Fault::Kind> fault;  // the fault injected into this request, if any
    // Answered 429 because the fake was over its capacity (set_capacity), not by a fault.
    bool throttled = false;
    // The region of the request's credential scope (the fake's own region when unsigned).
    std::string region;
    // ListFindings, BatchGetCodeSnippet: the JSON body as parsed (null when empty,
    // discarded when it is no JSON).
    nlohmann::json body;

    // The decoded value of a query parameter, if present.
    std::optional<std::string> param(std::string_view name) const;
    // The nextToken sent, in the query (CodeGuru) or the JSON body (Inspector); nullopt
    // when absent or empty.
    std::optional<std::string> next_token() const;
};

struct FakeApiCounters {
    std::size_t requests = 0;
    std::size_t get_findings = 0;
    std::size_t list_scans = 0;
    std::size_t list_findings = 0;           // Inspector
    std::size_t batch_get_code_snippet = 0;  // Inspector
    std::size_t faults_injected = 0;
    std::size_t auth_failures = 0;  // requests refused with a 403 from signature checking
    std::size_t throttled = 0;      // requests answered 429 for being over the capacity
};

struct FakeApiOptions {
    int port = 0;  // 0: any free port the OS picks; always on 127.0.0.1
    std::string region = "us-east-1";
    aws::Credentials credentials{"AKIDFAKEEXAMPLE", "fake/secret+key", "", std::nullopt, "fake"};
    bool verify_signatures = true;
    bool control_endpoints = false;  // serve /_fake/... (see fake_api_main.cpp)
    std::uint64_t seed = 42;         // for nextToken padding and request ids
    // gzip answers for clients that accept it. Off for benchmarks, where compressing
    // megabytes per page would make the fake, not the daemon, the bottleneck.
    bool compress_responses = true;
};

// An in-process fake of the CodeGuru Security API (GetFindings, ListScans) and of Amazon
// Inspector (ListFindings, BatchGetCodeSnippet; see FakeInspector) on one port of 127.0.0.1,
// faithful to the wire: SigV4 checking, paging with opaque tokens containing + / =,
// AWS-shaped errors, programmable faults, an optional capacity and a request log. CodeGuru requests
// must be signed for `codeguru-security` in the fake's region; Inspector requests for `inspector2`
// in any region, which selects the findings they see. Serves from its own threads from
// construction until destruction. Every member function is thread-safe.
class FakeCodeGuruApi {
  public:
    // Throws std::runtime_error when the port cannot be bound.
    explicit FakeCodeGuruApi(FakeApiOptions options = {});
    ~FakeCodeGuruApi();
    FakeCodeGuruApi(const FakeCodeGuruApi&) = delete;
    FakeCodeGuruApi& operator=(const FakeCodeGuruApi&) = delete;

    int port() const { return port_; }
    std::string endpoint() const;  // "http://127.0.0.1:PORT"
    const std::string& region() const { return options_.region; }

    // Known credentials. A request signed with another key id gets
    // UnrecognizedClientException; a configured session token must be sent.
    void set_credentials(const aws::Credentials& credentials);  // replaces all
    void add_credentials(const aws::Credentials& credentials);
    void set_verify_signatures(bool verify);
    // Rejects requests whose x-amz-date is further than this from now; zero: no check.
    void set_max_clock_skew(std::chrono::seconds skew);

    // Scan data, served in the order given.
    void set_scan(const std::string& name, std::vector<nlohmann::json> findings);
    bool remove_scan(const std::string& name);
    bool has_scan(const std::string& name) const;
    std::vector<std::string> scan_names() const;
    std::vector<nlohmann::json> findings(const std::string& name) const;  // a copy; empty if none
    // Applies evolve_findings to a scan (throws std::out_of_range for an unknown scan).
    EvolveSummary evolve(const std::string& scan, std::uint64_t seed,
                         const EvolveOptions& options = {});

    // Amazon Inspector's findings, every region at once (FakeInspector::set_findings).
    void set_inspector_findings(std::vector<nlohmann::json> findings);
    std::vector<nlohmann::json> inspector_findings() const;  // a copy
    InspectorEvolveSummary evolve_inspector(
        std::uint64_t seed, const InspectorEvolveOptions& options = {},
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    // Snippets, snippet errors, empty pages and the rest of the Inspector state.
    FakeInspector& inspector() { return inspector_; }

    void inject(const Fault& fault);
    void clear_faults();
    std::size_t pending_faults() const;
    // Every GetFindings and ListFindings answer waits this long first.
    void set_page_delay(std::chrono::milliseconds delay);
    // Server-side capacity, as AWS front ends throttle: at most `requests_per_second`
    // requests per second across every API operation (GetFindings, ListScans, ListFindings,
    // BatchGetCodeSnippet; not /_fake/ routes), a token bucket of that rate holding one
    // second's worth (at least one), full when set. A correctly signed request of a known operation
    // that finds the bucket empty gets the throttle fault's 429 ThrottlingException, takes no token
    // and is counted in FakeApiCounters::throttled. nullopt (the default): no limit. Throws
    // std::invalid_argument unless the rate is finite and positive.
    void set_capacity(std::optional<double> requests_per_second);
    std::optional<double> capacity() const;

    std::vector<RequestRecord> requests() const;
    void clear_requests();
    FakeApiCounters counters() const;
    nlohmann::json requests_json() const;  // the log, for GET /_fake/requests

    // Stops serving and wakes any delayed answer; idempotent (the destructor calls it).
    void stop();

  private:
    // "application/json", or an equivalent spelling that cpp-httplib does not compress.
    const char* json_content_type() const;
    struct Scan;
    struct ActiveFault;

    void register_api_routes();
    void register_control_routes();  // fake_api_control.cpp
    void handle_api(const httplib::Request& req, httplib::Response& res);
    // Answers with the service's 403 and returns false unless the request is signed right
    // for `service`, in the fake's region or, with `any_region`, in record.region.
    bool signature_ok(const httplib::Request& req, const RequestRecord& record,
                      httplib::Response& res, std::string_view service, bool any_region);
    // The fault that fires for this request, if any (consumes it).
    std::optional<Fault> take_fault(const RequestRecord& record);
    void apply_fault(const Fault& fault, const RequestRecord& record, httplib::Response& res);
    // A 200 answer, bent by `fault` when it is one of the broken-API kinds.
    void get_findings(const RequestRecord& record, httplib::Response& res,
                      const std::optional<Fault>& fault);
    void list_scans(const RequestRecord& record, httplib::Response& res,
                    const std::optional<Fault>& fault);
    // Serializes every finding of `scan` for get_findings(). REQUIRES: mutex_ held.
    static void serialize(Scan& scan);
    // REQUIRES: mutex_ held.
    std::string make_token(std::string_view kind, std::string_view scan, std::size_t offset,
                           std::uint64_t generation);
    void log(RequestRecord record);
    // Sleeps unless stop() is called first.
    void pause(std::chrono::milliseconds delay);
    // Takes a token from the capacity's bucket; false when it is empty (never without one).
    bool admit();

    FakeApiOptions options_;
    int port_ = 0;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    std::chrono::steady_clock::time_point started_at_;

    mutable std::mutex mutex_;
    std::map<std::string, aws::Credentials> credentials_;
    bool verify_signatures_;
    std::chrono::seconds max_clock_skew_{0};
    std::map<std::string, std::unique_ptr<Scan>> scans_;
    FakeInspector inspector_;  // has its own lock
    std::uint64_t scans_generation_ = 0;
    std::vector<std::unique_ptr<ActiveFault>> faults_;
    std::chrono::milliseconds page_delay_{0};
    std::optional<double> capacity_;  // requests per second; the bucket holds as many
    double capacity_tokens_ = 0;
    std::chrono::steady_clock::time_point capacity_refilled_at_{};
    std::vector<RequestRecord> log_;
    FakeApiCounters counters_;
    std::mt19937_64 rng_;
    bool stopping_ = false;
    std::condition_variable stop_cv_;
};

}  // namespace codeguru::test
