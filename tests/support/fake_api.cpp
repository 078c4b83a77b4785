#include "fake_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <stdexcept>

#include <httplib.h>

#include "aws/sigv4_signer.hpp"

namespace codeguru::test {
namespace {

using nlohmann::json;
using Query = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kService = "codeguru-security";
constexpr std::string_view kInspectorService = "inspector2";
constexpr std::string_view kAccountId = "123456789012";
constexpr std::string_view kServiceErrorSuffix =
    ":http://internal.amazon.com/coral/com.amazonaws.codegurusecurity/";
constexpr std::string_view kInspectorErrorSuffix =
    ":http://internal.amazon.com/coral/com.amazonaws.inspector2/";
constexpr std::string_view kAuthErrorSuffix =
    ":http://internal.amazon.com/coral/com.amazon.coral.service/";
constexpr std::string_view kInvalidToken = "Invalid nextToken";

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view in, bool plus_is_space) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '%' && i + 2 < in.size() && hex_value(in[i + 1]) >= 0 &&
            hex_value(in[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(in[i + 1]) * 16 + hex_value(in[i + 2]));
            i += 2;
        } else if (in[i] == '+' && plus_is_space) {
            out += ' ';
        } else {
            out += in[i];
        }
    }
    return out;
}

// Query parameters as AWS reads them: percent-decoded, '+' meaning a space.
Query parse_query(std::string_view raw) {
    Query query;
    while (!raw.empty()) {
        const auto amp = raw.find('&');
        const std::string_view part = raw.substr(0, amp);
        if (!part.empty()) {
            const auto eq = part.find('=');
            query.emplace_back(percent_decode(part.substr(0, eq), true),
                               eq == std::string_view::npos
                                   ? std::string()
                                   : percent_decode(part.substr(eq + 1), true));
        }
        if (amp == std::string_view::npos) break;
        raw.remove_prefix(amp + 1);
    }
    return query;
}

std::optional<std::string> find_param(const Query& query, std::string_view name) {
    for (const auto& [key, value] : query) {
        if (key == name) return value;
    }
    return std::nullopt;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return std::string(s.substr(b, e - b + 1));
}

std::optional<std::chrono::system_clock::time_point> parse_amz_date(const std::string& value) {
    std::tm tm{};
    if (value.size() != 16 || value[8] != 'T' || value[15] != 'Z') return std::nullopt;
    const char* end = strptime(value.c_str(), "%Y%m%dT%H%M%SZ", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string amz_date(std::chrono::system_clock::time_point when) {
    const std::time_t t = std::chrono::system_clock::to_time_t(when);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
    return buf;
}

void send_error(httplib::Response& res, int status, std::string_view code, std::string_view suffix,
                json body) {
    res.status = status;
    res.set_header("x-amzn-ErrorType", std::string(code) + std::string(suffix));
    res.set_content(body.dump(), "application/json");
}

void service_error(httplib::Response& res, int status, std::string_view code,
                   const std::string& message, json extra = json::object()) {
    json body = {{"message", message}};
    body.update(extra);
    send_error(res, status, code, kServiceErrorSuffix, std::move(body));
}

bool is_inspector(std::string_view operation) {
    return operation == "ListFindings" || operation == "BatchGetCodeSnippet";
}

// The fields of "Credential=AKID/yyyymmdd/region/service/aws4_request" in an Authorization
// header; empty when there is none.
std::vector<std::string> credential_scope(std::string_view authorization) {
    std::vector<std::string> scope;
    const auto at = authorization.find("Credential=");
    if (at == std::string_view::npos) return scope;
    std::string_view credential = authorization.substr(at + 11);
    credential = credential.substr(0, credential.find_first_of(", "));
    while (true) {
        const auto slash = credential.find('/');
        scope.emplace_back(credential.substr(0, slash));
        if (slash == std::string_view::npos) break;
        credential.remove_prefix(slash + 1);
    }
    return scope;
}

// [a-z]{2}(-gov)?-[a-z]+-\d, as in Inspector's finding ARNs.
bool valid_region(std::string_view region) {
    const auto letters = [](std::string_view s) {
        return !s.empty() &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= 'a' && c <= 'z'; });
    };
    std::vector<std::string_view> parts;
    while (true) {
        const auto dash = region.find('-');
        parts.push_back(region.substr(0, dash));
        if (dash == std::string_view::npos) break;
        region.remove_prefix(dash + 1);
    }
    if (parts.size() == 4 && parts[1] == "gov") parts.erase(parts.begin() + 1);
    return parts.size() == 3 && parts[0].size() == 2 && letters(parts[0]) && letters(parts[1]) &&
           parts[2].size() == 1 && parts[2][0] >= '0' && parts[2][0] <= '9';
}

void auth_error(httplib::Response& res, std::string_view code, const std::string& message) {
    send_error(res, 403, code, kAuthErrorSuffix, {{"message", message}});
}

void validation_error(httplib::Response& res, const std::string& field, const std::string& value,
                      const std::string& constraint) {
    const std::string message =
        "Value '" + value + "' at '" + field + "' failed to satisfy constraint: " + constraint;
    service_error(res, 400, "ValidationException", "1 validation error detected: " + message,
                  {{"errorCode", "ValidationException"},
                   {"reason", "fieldValidationFailed"},
                   {"fieldList", {{{"name", field}, {"message", message}}}}});
}

void invalid_token(httplib::Response& res) {
    service_error(res, 400, "ValidationException", std::string(kInvalidToken),
                  {{"errorCode", "ValidationException"}, {"reason", "other"}});
}

// maxResults as the service validates it; nullopt after answering with an error.
std::optional<std::size_t> max_results(const Query& query, std::size_t limit,
                                       httplib::Response& res) {
    const auto value = find_param(query, "maxResults");
    if (!value) return limit;
    long n = 0;
    const auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
    if (ec != std::errc() || ptr != value->data() + value->size()) {
        validation_error(res, "maxResults", *value, "Member must be an integer");
        return std::nullopt;
    }
    if (n < 1) {
        validation_error(res, "maxResults", *value,
                         "Member must have value greater than or equal to 1");
        return std::nullopt;
    }
    if (static_cast<std::size_t>(n) > limit) {
        validation_error(res, "maxResults", *value,
                         "Member must have value less than or equal to " + std::to_string(limit));
        return std::nullopt;
    }
    return static_cast<std::size_t>(n);
}

struct TokenParts {
    std::string kind;
    std::string scan;
    std::size_t offset = 0;
};

// A token is encode_page_token({kind, scan, offset, generation}).
std::optional<TokenParts> parse_token(const std::string& token) {
    const auto parts = decode_page_token(token, 4);
    if (!parts) return std::nullopt;
    TokenParts result{(*parts)[0], (*parts)[1], 0};
    const std::string& offset = (*parts)[2];
    const auto [ptr, ec] =
        std::from_chars(offset.data(), offset.data() + offset.size(), result.offset);
    if (ec != std::errc() || ptr != offset.data() + offset.size()) return std::nullopt;
    return result;
}

// ^[a-zA-Z0-9-_$:.]*$
bool valid_scan_name(const std::string& name) {
    return std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '-' || c == '_' || c == '$' || c == ':' || c == '.';
    });
}

// Whether a fault aimed at `target` applies to `operation`.
bool targets(Fault::Target target, std::string_view operation) {
    switch (target) {
        case Fault::Target::kGetFindings:
            return operation == "GetFindings";
        case Fault::Target::kListScans:
            return operation == "ListScans";
        case Fault::Target::kBoth:
            return operation == "GetFindings" || operation == "ListScans";
        case Fault::Target::kListFindings:
            return operation == "ListFindings";
        case Fault::Target::kBatchGetCodeSnippet:
            return operation == "BatchGetCodeSnippet";
    }
    return false;
}

// An Inspector answer on the wire; errors carry Inspector's x-amzn-ErrorType.
void send_inspector(httplib::Response& res, const FakeInspector::Reply& reply,
                    const char* content_type) {
    if (!reply.error_code.empty()) {
        send_error(res, reply.status, reply.error_code, kInspectorErrorSuffix,
                   json::parse(reply.body));
        return;
    }
    res.status = reply.status;
    res.set_content(reply.body, content_type);
}

// The kinds that answer 200 with a page bent out of shape, rather than an error.
bool bends_page(Fault::Kind kind) {
    return kind == Fault::Kind::kOversizedPage || kind == Fault::Kind::kRepeatToken ||
           kind == Fault::Kind::kEndlessPages;
}

const char* plain_error_page(int status) {
    switch (status) {
        case 502:
            return "<html><body><h1>502 Bad Gateway</h1></body></html>\n";
        case 503:
            return "<html><body><h1>503 Service Unavailable</h1></body></html>\n";
        case 504:
            return "<html><body><h1>504 Gateway Timeout</h1></body></html>\n";
        default:
            return "<html><body><h1>Error</h1></body></html>\n";
    }
}

}  // namespace

std::string_view to_string(Fault::Kind kind) {
    switch (kind) {
        case Fault::Kind::kThrottle:
            return "throttle";
        case Fault::Kind::kServerError:
            return "server-error";
        case Fault::Kind::kDelay:
            return "delay";
        case Fault::Kind::kDropConnection:
            return "drop";
        case Fault::Kind::kMalformedJson:
            return "malformed";
        case Fault::Kind::kRejectToken:
            return "reject-token";
        case Fault::Kind::kAccessDenied:
            return "access-denied";
        case Fault::Kind::kNotFound:
            return "not-found";
        case Fault::Kind::kConflict:
            return "conflict";
        case Fault::Kind::kOversizedPage:
            return "oversized-page";
        case Fault::Kind::kRepeatToken:
            return "repeat-token";
        case Fault::Kind::kEndlessPages:
            return "endless";
    }
    return "unknown";
}

std::optional<Fault::Kind> parse_fault_kind(std::string_view name) {
    for (const auto kind :
         {Fault::Kind::kThrottle, Fault::Kind::kServerError, Fault::Kind::kDelay,
          Fault::Kind::kDropConnection, Fault::Kind::kMalformedJson, Fault::Kind::kRejectToken,
          Fault::Kind::kAccessDenied, Fault::Kind::kNotFound, Fault::Kind::kConflict,
          Fault::Kind::kOversizedPage, Fault::Kind::kRepeatToken, Fault::Kind::kEndlessPages}) {
        if (to_string(kind) == name) return kind;
    }
    return std::nullopt;
}

std::optional<std::string> RequestRecord::param(std::string_view name) const {
    return find_param(query, name);
}

std::optional<std::string> RequestRecord::next_token() const {
    if (auto token = param("nextToken")) return token;
    if (body.is_object()) {
        const auto it = body.find("nextToken");
        if (it != body.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
            return it->get<std::string>();
        }
    }
    return std::nullopt;
}

struct FakeCodeGuruApi::Scan {
    std::vector<json> findings;
    // Each finding serialized once, when the scan changes: serving a page is then a
    // concatenation, cheap enough for benchmarks of hundreds of thousands. Not on the first
    // page asked after a change, or that page's client would wait for the whole scan's
    // serialization (a benchmark's first side would pay for it, the second not).
    std::vector<std::string> serialized;
    std::uint64_t generation = 0;
    json created_at;
    std::string run_id;
};

struct FakeCodeGuruApi::ActiveFault {
    Fault spec;
    std::size_t matched = 0;
    std::size_t fired = 0;
    std::mt19937_64 rng;
};

FakeCodeGuruApi::FakeCodeGuruApi(FakeApiOptions options)
    : options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()),
      started_at_(std::chrono::steady_clock::now()),
      verify_signatures_(options_.verify_signatures),
      inspector_(options_.seed),
      rng_(options_.seed) {
    credentials_[options_.credentials.access_key_id] = options_.credentials;
    // Clients such as libcurl keep connections alive, and each one holds a worker.
    server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
    // Without it, an answer written in two segments waits out the client's delayed ACK (40 ms).
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_timeout(5);
    server_->set_keep_alive_max_count(100);
    server_->set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
            std::string what = "unknown error";
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            service_error(res, 500, "InternalServerException", "Fake API failure: " + what,
                          {{"error", "InternalServerError"}});
        });
    if (options_.control_endpoints) register_control_routes();
    register_api_routes();

    if (options_.port == 0) {
        port_ = server_->bind_to_any_port("127.0.0.1");
    } else {
        port_ = server_->bind_to_port("127.0.0.1", options_.port) ? options_.port : -1;
    }
    if (port_ <= 0) {
        throw std::runtime_error("fake CodeGuru API: cannot listen on 127.0.0.1:" +
                                 std::to_string(options_.port));
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // cpp-httplib's stop() only interrupts a server that is running: without this wait, a
    // fake destroyed right after construction leaves its thread in accept() for good.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

FakeCodeGuruApi::~FakeCodeGuruApi() {
    stop();
}

void FakeCodeGuruApi::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_cv_.notify_all();
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

std::string FakeCodeGuruApi::endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void FakeCodeGuruApi::set_credentials(const aws::Credentials& credentials) {
    std::lock_guard lock(mutex_);
    credentials_.clear();
    credentials_[credentials.access_key_id] = credentials;
}

void FakeCodeGuruApi::add_credentials(const aws::Credentials& credentials) {
    std::lock_guard lock(mutex_);
    credentials_[credentials.access_key_id] = credentials;
}

void FakeCodeGuruApi::set_verify_signatures(bool verify) {
    std::lock_guard lock(mutex_);
    verify_signatures_ = verify;
}

void FakeCodeGuruApi::set_max_clock_skew(std::chrono::seconds skew) {
    std::lock_guard lock(mutex_);
    max_clock_skew_ = skew;
}

const char* FakeCodeGuruApi::json_content_type() const {
    return options_.compress_responses ? "application/json" : "application/json; charset=utf-8";
}

void FakeCodeGuruApi::serialize(Scan& scan) {
    scan.serialized.clear();
    scan.serialized.reserve(scan.findings.size());
    for (const auto& finding : scan.findings) scan.serialized.push_back(finding.dump());
}

void FakeCodeGuruApi::set_scan(const std::string& name, std::vector<json> findings) {
    std::lock_guard lock(mutex_);
    auto& scan = scans_[name];
    if (!scan) {
        scan = std::make_unique<Scan>();
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        scan->created_at =
            epoch_seconds_json(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
        scan->run_id = uuid_like(rng_);
    }
    scan->findings = std::move(findings);
    serialize(*scan);
    ++scan->generation;
    ++scans_generation_;
}

bool FakeCodeGuruApi::remove_scan(const std::string& name) {
    std::lock_guard lock(mutex_);
    ++scans_generation_;
    return scans_.erase(name) > 0;
}

bool FakeCodeGuruApi::has_scan(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return scans_.count(name) > 0;
}

std::vector<std::string> FakeCodeGuruApi::scan_names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> names;
    for (const auto& [name, scan] : scans_) names.push_back(name);
    return names;
}

std::vector<json> FakeCodeGuruApi::findings(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = scans_.find(name);
    return it == scans_.end() ? std::vector<json>{} : it->second->findings;
}

void FakeCodeGuruApi::set_inspector_findings(std::vector<json> findings) {
    inspector_.set_findings(std::move(findings));
}

std::vector<json> FakeCodeGuruApi::inspector_findings() const {
    return inspector_.findings();
}

InspectorEvolveSummary FakeCodeGuruApi::evolve_inspector(
    std::uint64_t seed, const InspectorEvolveOptions& options,
    std::chrono::system_clock::time_point now) {
    return inspector_.evolve(seed, options, now);
}

EvolveSummary FakeCodeGuruApi::evolve(const std::string& scan, std::uint64_t seed,
                                      const EvolveOptions& options) {
    std::lock_guard lock(mutex_);
    const auto it = scans_.find(scan);
    if (it == scans_.end()) throw std::out_of_range("no scan named " + scan);
    EvolveSummary summary = evolve_findings(it->second->findings, seed, options);
    serialize(*it->second);
    ++it->second->generation;
    return summary;
}

void FakeCodeGuruApi::inject(const Fault& fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(
        std::make_unique<ActiveFault>(ActiveFault{fault, 0, 0, std::mt19937_64(fault.seed)}));
}

void FakeCodeGuruApi::clear_faults() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

std::size_t FakeCodeGuruApi::pending_faults() const {
    std::lock_guard lock(mutex_);
    return faults_.size();
}

void FakeCodeGuruApi::set_page_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    page_delay_ = delay;
}

void FakeCodeGuruApi::set_capacity(std::optional<double> requests_per_second) {
    if (requests_per_second && !(std::isfinite(*requests_per_second) && *requests_per_second > 0)) {
        throw std::invalid_argument("capacity must be a positive number of requests per second");
    }
    std::lock_guard lock(mutex_);
    capacity_ = requests_per_second;
    // One second's worth, but room for one request below 1/s.
    capacity_tokens_ = std::max(requests_per_second.value_or(0), 1.0);
    capacity_refilled_at_ = std::chrono::steady_clock::now();
}

std::optional<double> FakeCodeGuruApi::capacity() const {
    std::lock_guard lock(mutex_);
    return capacity_;
}

bool FakeCodeGuruApi::admit() {
    std::lock_guard lock(mutex_);
    if (!capacity_) return true;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - capacity_refilled_at_).count();
    capacity_tokens_ = std::min(std::max(*capacity_, 1.0), capacity_tokens_ + elapsed * *capacity_);
    capacity_refilled_at_ = now;
    if (capacity_tokens_ < 1.0) return false;
    capacity_tokens_ -= 1.0;
    return true;
}

std::vector<RequestRecord> FakeCodeGuruApi::requests() const {
    std::lock_guard lock(mutex_);
    return log_;
}

void FakeCodeGuruApi::clear_requests() {
    std::lock_guard lock(mutex_);
    log_.clear();
    counters_ = {};
}

FakeApiCounters FakeCodeGuruApi::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

json FakeCodeGuruApi::requests_json() const {
    std::lock_guard lock(mutex_);
    json out = json::array();
    for (const auto& r : log_) {
        json query = json::object();
        for (const auto& [key, value] : r.query) query[key] = value;
        const auto elapsed = std::chrono::duration<double, std::milli>(r.received_at - started_at_);
        out.push_back({{"elapsedMs", elapsed.count()},
                       {"method", r.method},
                       {"path", r.raw_path},
                       {"rawQuery", r.raw_query},
                       {"operation", r.operation},
                       {"scan", r.scan},
                       {"query", query},
                       {"status", r.status},
                       {"fault", r.fault ? json(std::string(to_string(*r.fault))) : json()},
                       {"throttled", r.throttled},
                       {"region", r.region},
                       {"body", r.body.is_discarded() ? json() : r.body}});
    }
    return out;
}

void FakeCodeGuruApi::pause(std::chrono::milliseconds delay) {
    if (delay.count() <= 0) return;
    std::unique_lock lock(mutex_);
    stop_cv_.wait_for(lock, delay, [this] { return stopping_; });
}

void FakeCodeGuruApi::log(RequestRecord record) {
    std::lock_guard lock(mutex_);
    ++counters_.requests;
    if (record.operation == "GetFindings") ++counters_.get_findings;
    if (record.operation == "ListScans") ++counters_.list_scans;
    if (record.operation == "ListFindings") ++counters_.list_findings;
    if (record.operation == "BatchGetCodeSnippet") ++counters_.batch_get_code_snippet;
    if (record.fault) ++counters_.faults_injected;
    if (record.throttled) ++counters_.throttled;
    log_.push_back(std::move(record));
}

void FakeCodeGuruApi::register_api_routes() {
    const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        handle_api(req, res);
    };
    server_->Get(".*", handler);
    server_->Post(".*", handler);
    server_->Put(".*", handler);
    server_->Delete(".*", handler);
    server_->Patch(".*", handler);
}

void FakeCodeGuruApi::handle_api(const httplib::Request& req, httplib::Response& res) {
    RequestRecord record;
    record.received_at = std::chrono::steady_clock::now();
    record.method = req.method;
    const auto question = req.target.find('?');
    record.raw_path = req.target.substr(0, question);
    if (question != std::string::npos) {
        record.raw_query = req.target.substr(question + 1);
        record.query = parse_query(record.raw_query);
    }
    res.set_header("x-amzn-RequestId", [this] {
        std::lock_guard lock(mutex_);
        return uuid_like(rng_);
    }());

    constexpr std::string_view kFindingsPrefix = "/findings/";
    if (req.method == "GET" && record.raw_path == "/scans") {
        record.operation = "ListScans";
    } else if (req.method == "GET" && record.raw_path.rfind(kFindingsPrefix, 0) == 0 &&
               record.raw_path.find('/', kFindingsPrefix.size()) == std::string::npos) {
        record.operation = "GetFindings";
        record.scan = percent_decode(record.raw_path.substr(kFindingsPrefix.size()), false);
    } else if (req.method == "POST" && record.raw_path == "/findings/list") {
        record.operation = "ListFindings";
    } else if (req.method == "POST" && record.raw_path == "/codesnippet/batchget") {
        record.operation = "BatchGetCodeSnippet";
    }
    // Inspector is signed in any region, which then selects its data. An unknown operation
    // signed for inspector2 is checked as Inspector's, so that it gets its 404.
    const auto scope = credential_scope(req.get_header_value("Authorization"));
    const bool inspector =
        is_inspector(record.operation) ||
        (record.operation.empty() && scope.size() > 3 && scope[3] == kInspectorService);
    record.region = options_.region;
    if (inspector && scope.size() > 2) record.region = scope[2];
    if (is_inspector(record.operation) && !req.body.empty()) {
        record.body = json::parse(req.body, nullptr, false);
    }

    if (!signature_ok(req, record, res, inspector ? kInspectorService : kService, inspector)) {
        {
            std::lock_guard lock(mutex_);
            ++counters_.auth_failures;
        }
        record.status = res.status;
        log(std::move(record));
        return;
    }
    if (record.operation.empty()) {
        service_error(res, 404, "UnknownOperationException",
                      "Unknown operation " + req.method + " " + record.raw_path);
        record.status = res.status;
        log(std::move(record));
        return;
    }

    // Over capacity, a request is turned away before anything else happens to it, as by a
    // front end; it leaves programmed faults untouched (they count the requests they see).
    if (!admit()) {
        record.throttled = true;
        apply_fault(Fault{.kind = Fault::Kind::kThrottle}, record, res);
        record.status = res.status;
        log(std::move(record));
        return;
    }

    const auto fault = take_fault(record);
    if (fault) {
        record.fault = fault->kind;
        if (fault->kind == Fault::Kind::kDelay) {
            pause(fault->delay);
        } else if (!bends_page(fault->kind)) {
            apply_fault(*fault, record, res);
            record.status = res.status;
            log(std::move(record));
            return;
        }
    }

    const auto page_delay = [this] {
        std::lock_guard lock(mutex_);
        return page_delay_;
    };
    if (record.operation == "GetFindings") {
        pause(page_delay());
        get_findings(record, res, fault);
    } else if (record.operation == "ListScans") {
        list_scans(record, res, fault);
    } else if (record.operation == "ListFindings") {
        pause(page_delay());
        FakeInspector::PageBend bend = FakeInspector::PageBend::kNone;
        if (fault && fault->kind == Fault::Kind::kRepeatToken) {
            bend = FakeInspector::PageBend::kRepeatToken;
        } else if (fault && fault->kind == Fault::Kind::kEndlessPages) {
            bend = FakeInspector::PageBend::kEndlessPages;
        } else if (fault && fault->kind == Fault::Kind::kOversizedPage) {
            bend = FakeInspector::PageBend::kOversizedPage;
        }
        send_inspector(
            res,
            inspector_.list_findings(record.region, record.body, bend, fault ? fault->items : 0),
            json_content_type());
    } else {
        send_inspector(res, inspector_.batch_get_code_snippet(record.region, record.body),
                       json_content_type());
    }
    record.status = res.status;
    log(std::move(record));
}

bool FakeCodeGuruApi::signature_ok(const httplib::Request& req, const RequestRecord& record,
                                   httplib::Response& res, std::string_view service,
                                   bool any_region) {
    std::map<std::string, aws::Credentials> known;
    std::chrono::seconds max_skew{0};
    {
        std::lock_guard lock(mutex_);
        if (!verify_signatures_) return true;
        known = credentials_;
        max_skew = max_clock_skew_;
    }

    const std::string authorization = req.get_header_value("Authorization");
    if (authorization.empty()) {
        auth_error(res, "MissingAuthenticationTokenException", "Missing Authentication Token");
        return false;
    }
    constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
    if (authorization.rfind(kAlgorithm, 0) != 0) {
        auth_error(res, "IncompleteSignatureException",
                   "Unsupported signing algorithm in Authorization header: " + authorization);
        return false;
    }
    std::map<std::string, std::string> fields;
    std::string_view rest(authorization);
    rest.remove_prefix(kAlgorithm.size());
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string part = trim(rest.substr(0, comma));
        const auto eq = part.find('=');
        if (eq != std::string::npos) fields[part.substr(0, eq)] = part.substr(eq + 1);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    for (const char* name : {"Credential", "SignedHeaders", "Signature"}) {
        if (fields.count(name) == 0) {
            auth_error(res, "IncompleteSignatureException",
                       std::string("Authorization header requires '") + name +
                           "' parameter. Authorization=" + authorization);
            return false;
        }
    }
    const std::string date_header = req.get_header_value("x-amz-date");
    const auto when = parse_amz_date(date_header);
    if (!when) {
        auth_error(res, "IncompleteSignatureException",
                   "Authorization header requires existence of either a 'X-Amz-Date' or a "
                   "'Date' header. Authorization=" +
                       authorization);
        return false;
    }

    // Credential=AKID/yyyymmdd/region/service/aws4_request
    std::vector<std::string> scope;
    std::string_view credential = fields["Credential"];
    while (true) {
        const auto slash = credential.find('/');
        scope.emplace_back(credential.substr(0, slash));
        if (slash == std::string_view::npos) break;
        credential.remove_prefix(slash + 1);
    }
    if (scope.size() != 5 || scope[4] != "aws4_request") {
        auth_error(res, "IncompleteSignatureException",
                   "Credential must have exactly 5 slash-delimited elements, e.g. "
                   "keyid/date/region/service/term, got '" +
                       fields["Credential"] + "'");
        return false;
    }
    const auto key = known.find(scope[0]);
    if (key == known.end()) {
        auth_error(res, "UnrecognizedClientException",
                   "The security token included in the request is invalid.");
        return false;
    }
    const std::string token = req.get_header_value("x-amz-security-token");
    if (!key->second.session_token.empty() && token != key->second.session_token) {
        auth_error(res, "UnrecognizedClientException",
                   "The security token included in the request is invalid.");
        return false;
    }
    if (scope[1] != date_header.substr(0, 8)) {
        auth_error(res, "InvalidSignatureException",
                   "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                   "date from HTTP: '" +
                       scope[1] + "' != '" + date_header.substr(0, 8) + "', from '" + date_header +
                       "'.");
        return false;
    }
    if (any_region ? !valid_region(scope[2]) : scope[2] != options_.region) {
        auth_error(res, "InvalidSignatureException",
                   "Credential should be scoped to a valid region. ");
        return false;
    }
    if (scope[3] != service) {
        auth_error(
            res, "InvalidSignatureException",
            "Credential should be scoped to correct service: '" + std::string(service) + "'. ");
        return false;
    }
    if (max_skew.count() > 0) {
        const auto now = std::chrono::system_clock::now();
        if (*when < now - max_skew || *when > now + max_skew) {
            auth_error(res, "InvalidSignatureException",
                       "Signature expired: " + date_header + " is now earlier than " +
                           amz_date(now - max_skew) + " (" + amz_date(now) + " - " +
                           std::to_string(max_skew.count() / 60) + " min.)");
            return false;
        }
    }

    aws::SignableRequest signable;
    signable.method = req.method;
    signable.host = req.get_header_value("Host");
    signable.path = record.raw_path;
    signable.query = record.query;
    signable.body = req.body;
    std::string_view signed_headers = fields["SignedHeaders"];
    while (!signed_headers.empty()) {
        const auto semi = signed_headers.find(';');
        const std::string name = lower(std::string(signed_headers.substr(0, semi)));
        if (name != "host" && name != "x-amz-date" && name != "x-amz-security-token" &&
            name != "authorization") {
            std::string value;
            const auto count = req.get_header_value_count(name);
            for (std::size_t i = 0; i < count; ++i) {
                if (i > 0) value += ",";
                value += req.get_header_value(name, i);
            }
            signable.headers.emplace_back(name, value);
        }
        if (semi == std::string_view::npos) break;
        signed_headers.remove_prefix(semi + 1);
    }
    aws::Credentials credentials = key->second;
    credentials.session_token = token;
    const aws::SigV4Signer signer(std::string(service), scope[2]);
    const aws::SigningResult expected = signer.sign(signable, credentials, *when);
    if (expected.signature != fields["Signature"]) {
        auth_error(res, "InvalidSignatureException",
                   "The request signature we calculated does not match the signature you "
                   "provided. Check your AWS Secret Access Key and signing method. Consult the "
                   "service documentation for details.\n\nThe Canonical String for this request "
                   "should have been\n'" +
                       expected.canonical_request + "'\n\nThe String-to-Sign should have been\n'" +
                       expected.string_to_sign + "'\n");
        return false;
    }
    return true;
}

std::optional<Fault> FakeCodeGuruApi::take_fault(const RequestRecord& record) {
    std::lock_guard lock(mutex_);
    const bool get_findings = record.operation == "GetFindings";
    for (auto it = faults_.begin(); it != faults_.end(); ++it) {
        ActiveFault& active = **it;
        const Fault& spec = active.spec;
        if (!targets(spec.target, record.operation)) continue;
        if (!spec.scan.empty() && (!get_findings || spec.scan != record.scan)) continue;
        if (!spec.region.empty() && spec.region != record.region) continue;
        if ((spec.kind == Fault::Kind::kRejectToken || spec.kind == Fault::Kind::kRepeatToken) &&
            !record.next_token()) {
            continue;
        }
        if (active.matched++ < spec.after_requests) continue;
        if (spec.probability < 1.0 &&
            std::uniform_real_distribution<double>(0.0, 1.0)(active.rng) >= spec.probability) {
            continue;
        }
        const Fault fired = spec;
        if (spec.count != 0 && ++active.fired >= spec.count) faults_.erase(it);
        return fired;
    }
    return std::nullopt;
}

void FakeCodeGuruApi::apply_fault(const Fault& fault, const RequestRecord& record,
                                  httplib::Response& res) {
    // Errors in the targeted service's shape: CodeGuru's bodies carry errorCode and
    // resource fields, Inspector's only a message (botocore's inspector2 error shapes).
    const bool inspector = is_inspector(record.operation);
    const auto fail = [&](int status, std::string_view code, const std::string& message,
                          const json& codeguru_extra) {
        json body = {{"message", message}};
        if (!inspector) body.update(codeguru_extra);
        send_error(res, status, code, inspector ? kInspectorErrorSuffix : kServiceErrorSuffix,
                   std::move(body));
    };
    const std::string resource =
        inspector ? "arn:aws:inspector2:" + record.region + ":" + std::string(kAccountId) + ":/*"
        : record.scan.empty() ? std::string("*")
                              : "arn:aws:codeguru-security:" + options_.region + ":" +
                                    std::string(kAccountId) + ":scans/" + record.scan;
    const std::string service(inspector ? kInspectorService : kService);
    switch (fault.kind) {
        case Fault::Kind::kThrottle:
            fail(429, "ThrottlingException", "Rate exceeded",
                 {{"errorCode", "ThrottlingException"},
                  {"serviceCode", service},
                  {"quotaCode", "L-GETFINDINGS"}});
            break;
        case Fault::Kind::kServerError:
            if (fault.http_status == 500) {
                fail(500, "InternalServerException",
                     "An internal error has occurred. Please retry your request.",
                     {{"error", "InternalServerError"}});
            } else {
                res.status = fault.http_status;
                res.set_content(plain_error_page(fault.http_status), "text/html");
            }
            break;
        case Fault::Kind::kDropConnection: {
            auto body = std::make_shared<std::string>(
                R"({"findings":[{"id":"00000000-dropped","title":"this body never ends"}]})");
            body->append(512, ' ');
            const std::size_t cut = body->size() / 2;
            res.status = 200;
            res.set_content_provider(
                body->size(), "application/json",
                [body, cut](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                    if (offset >= cut) return false;  // aborts: the socket closes mid-body
                    sink.write(body->data() + offset, cut - offset);
                    return true;
                });
            return;
        }
        case Fault::Kind::kMalformedJson:
            res.status = 200;
            res.set_content("{\"findings\": [ {\"id\": ", "application/json");
            return;
        case Fault::Kind::kRejectToken:
            if (inspector) {
                send_inspector(res, FakeInspector::invalid_token(), "application/json");
            } else {
                invalid_token(res);
            }
            return;
        case Fault::Kind::kAccessDenied:
            fail(403, "AccessDeniedException",
                 "User: arn:aws:iam::" + std::string(kAccountId) +
                     ":user/fake is not authorized to perform: " + service + ":" +
                     record.operation + " on resource: " + resource,
                 {{"errorCode", "AccessDeniedException"},
                  {"resourceId", resource},
                  {"resourceType", "Scan"}});
            return;
        case Fault::Kind::kNotFound:
            fail(404, "ResourceNotFoundException",
                 inspector ? "The resource " + resource + " was not found."
                           : "Scan " + record.scan + " was not found.",
                 {{"errorCode", "ResourceNotFoundException"},
                  {"resourceId", record.scan},
                  {"resourceType", "Scan"}});
            return;
        case Fault::Kind::kConflict:
            fail(409, "ConflictException",
                 "The requested operation would cause a conflict with the current state of the "
                 "resource " +
                     resource + ".",
                 {{"errorCode", "ConflictException"},
                  {"resourceId", resource},
                  {"resourceType", "Scan"}});
            return;
        case Fault::Kind::kDelay:
        case Fault::Kind::kOversizedPage:
        case Fault::Kind::kRepeatToken:
        case Fault::Kind::kEndlessPages:
            return;  // answered by the operation's handler
    }
    // Throttling and server errors may tell the client when to come back.
    if (fault.retry_after)
        res.set_header("Retry-After", std::to_string(fault.retry_after->count()));
}

std::string FakeCodeGuruApi::make_token(std::string_view kind, std::string_view scan,
                                        std::size_t offset, std::uint64_t generation) {
    return encode_page_token(
        {std::string(kind), std::string(scan), std::to_string(offset), std::to_string(generation)},
        rng_);
}

void FakeCodeGuruApi::get_findings(const RequestRecord& record, httplib::Response& res,
                                   const std::optional<Fault>& fault) {
    const std::string& name = record.scan;
    if (name.empty() || name.size() > 140) {
        validation_error(res, "scanName", name,
                         name.empty() ? "Member must have length greater than or equal to 1"
                                      : "Member must have length less than or equal to 140");
        return;
    }
    if (!valid_scan_name(name)) {
        validation_error(res, "scanName", name,
                         "Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_$:.]*$");
        return;
    }
    const auto page_size = max_results(record.query, 1000, res);
    if (!page_size) return;
    const std::string status = record.param("status").value_or("All");
    if (status != "Open" && status != "Closed" && status != "All") {
        validation_error(res, "status", status,
                         "Member must satisfy enum value set: [Closed, All, Open]");
        return;
    }
    std::size_t offset = 0;
    if (const auto token = record.param("nextToken")) {
        const auto parts = parse_token(*token);
        if (!parts || parts->kind != "findings" || parts->scan != name) {
            invalid_token(res);
            return;
        }
        offset = parts->offset;
    }

    std::string body = "{\"findings\":[";
    {
        std::lock_guard lock(mutex_);
        const auto it = scans_.find(name);
        if (it == scans_.end()) {
            service_error(res, 404, "ResourceNotFoundException", "Scan " + name + " was not found.",
                          {{"errorCode", "ResourceNotFoundException"},
                           {"resourceId", name},
                           {"resourceType", "Scan"}});
            return;
        }
        const Scan& scan = *it->second;
        std::size_t seen = 0;
        std::size_t taken = 0;
        bool more = false;
        for (std::size_t i = status == "All" ? offset : 0; i < scan.findings.size(); ++i) {
            if (status != "All") {
                const auto s = scan.findings[i].find("status");
                if (s == scan.findings[i].end() || !s->is_string() ||
                    s->get<std::string>() != status) {
                    continue;
                }
                if (seen++ < offset) continue;
            }
            if (taken == *page_size) {
                more = true;
                break;
            }
            if (taken++ > 0) body += ',';
            body += scan.serialized[i];
        }
        if (fault && fault->kind == Fault::Kind::kOversizedPage) {
            for (std::size_t entries = taken; entries < fault->items; ++entries) {
                body += entries > 0 ? ",{}" : "{}";
            }
        }
        body += ']';
        const auto sent = record.param("nextToken");
        if (fault && fault->kind == Fault::Kind::kRepeatToken) {
            body += ",\"nextToken\":" + json(*sent).dump();
        } else if (more || (fault && fault->kind == Fault::Kind::kEndlessPages)) {
            body += ",\"nextToken\":";
            body += json(make_token("findings", name, offset + taken, scan.generation)).dump();
        }
        body += '}';
    }
    res.status = 200;
    res.set_content(std::move(body), json_content_type());
}

void FakeCodeGuruApi::list_scans(const RequestRecord& record, httplib::Response& res,
                                 const std::optional<Fault>& fault) {
    const auto page_size = max_results(record.query, 100, res);
    if (!page_size) return;
    std::size_t offset = 0;
    if (const auto token = record.param("nextToken")) {
        const auto parts = parse_token(*token);
        if (!parts || parts->kind != "scans") {
            invalid_token(res);
            return;
        }
        offset = parts->offset;
    }
    json page = {{"summaries", json::array()}};
    {
        std::lock_guard lock(mutex_);
        std::size_t index = 0;
        for (const auto& [name, scan] : scans_) {
            if (index++ < offset) continue;
            if (page["summaries"].size() == *page_size) {
                page["nextToken"] = make_token("scans", "", index - 1, scans_generation_);
                break;
            }
            page["summaries"].push_back(
                {{"scanName", name},
                 {"scanState", "Successful"},
                 {"createdAt", scan->created_at},
                 {"updatedAt", scan->created_at},
                 {"runId", scan->run_id},
                 {"scanNameArn", "arn:aws:codeguru-security:" + options_.region + ":" +
                                     std::string(kAccountId) + ":scans/" + name}});
        }
        if (fault && fault->kind == Fault::Kind::kOversizedPage) {
            while (page["summaries"].size() < fault->items) {
                page["summaries"].push_back(json::object());
            }
        }
        if (fault && fault->kind == Fault::Kind::kRepeatToken) {
            page["nextToken"] = *record.param("nextToken");
        } else if (fault && fault->kind == Fault::Kind::kEndlessPages) {
            page["nextToken"] =
                make_token("scans", "", offset + page["summaries"].size(), scans_generation_);
        }
    }
    res.status = 200;
    res.set_content(page.dump(), json_content_type());
}

}  // namespace codeguru::test
