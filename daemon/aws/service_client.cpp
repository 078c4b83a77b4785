#include "aws/service_client.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <stdexcept>

#include "aws/error_parser.hpp"
#include "util/page_buffer.hpp"
#include "version.hpp"

namespace codeguru::aws {
namespace {

std::string query_string(const std::vector<std::pair<std::string, std::string>>& query) {
    std::string out;
    for (const auto& [name, value] : query) {
        if (!out.empty()) out += '&';
        out += uri_encode(name);
        out += '=';
        out += uri_encode(value);
    }
    return out;
}

}  // namespace

Endpoint parse_endpoint(const std::string& url) {
    Endpoint e;
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string::npos) {
        throw std::invalid_argument("endpoint \"" + url + "\" has no scheme (http:// or https://)");
    }
    e.scheme = url.substr(0, scheme_end);
    if (e.scheme != "https" && e.scheme != "http") {
        throw std::invalid_argument("endpoint \"" + url + "\" must be http:// or https://");
    }
    const std::string rest = url.substr(scheme_end + 3);
    const auto slash = rest.find('/');
    e.host = rest.substr(0, slash);
    if (e.host.empty()) throw std::invalid_argument("endpoint \"" + url + "\" has no host");
    if (slash != std::string::npos) {
        e.base_path = rest.substr(slash);
        while (!e.base_path.empty() && e.base_path.back() == '/') e.base_path.pop_back();
    }
    return e;
}

ServiceClient::ServiceClient(Endpoint endpoint, SigV4Signer signer, RetryPolicy policy,
                             Dependencies deps, std::uint64_t jitter_seed)
    : endpoint_(std::move(endpoint)),
      signer_(std::move(signer)),
      policy_(policy),
      deps_(deps),
      rng_(jitter_seed),
      stats_(deps.stats != nullptr ? *deps.stats : own_stats_) {}

double ServiceClient::next_jitter() {
    std::lock_guard lock(rng_mutex_);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

HttpRequest ServiceClient::build(const ServiceRequest& request) const {
    SignableRequest signable;
    signable.method = request.method;
    signable.host = endpoint_.host;
    signable.path = endpoint_.base_path + request.path;
    signable.query = request.query;
    if (!request.body.empty()) {
        signable.headers.emplace_back("content-type", "application/json");
        signable.body = request.body;
    }

    const auto credentials = deps_.credentials.resolve();
    if (!credentials) {
        throw ApiError("NoCredentials", "no AWS credentials found in the default chain", 0, false);
    }
    const SigningResult signed_parts = signer_.sign(signable, *credentials, deps_.clock.now());

    HttpRequest http;
    http.method = request.method;
    http.body = request.body;
    http.url = endpoint_.scheme + "://" + endpoint_.host + signable.path;
    if (!request.query.empty()) http.url += "?" + query_string(request.query);
    http.headers = {{"Host", endpoint_.host},
                    {"Accept", "application/json"},
                    {"User-Agent", std::string("codeguru-syncd/") + kVersion}};
    if (!request.body.empty()) http.headers.emplace_back("Content-Type", "application/json");
    for (const auto& h : signed_parts.headers) http.headers.push_back(h);
    return http;
}

void ServiceClient::send(const ServiceRequest& request,
                         const std::function<void(const HttpResponse&)>& accept, StopFlag* stop) {
    StopFlag& halt = stop != nullptr ? *stop : deps_.stop;
    int quota_taken = 0;
    for (int attempt = 1;; ++attempt) {
        if (!deps_.rate_limiter.acquire(halt)) {
            throw ApiError("Aborted", "stop requested", 0, false);
        }
        std::optional<ApiError> failure;
        bool told_rate_limiter = false;  // a 2xx answer with a malformed body counts once
        try {
            HttpRequest http = build(request);
            http.stop = &halt;
            ++stats_.requests;
            HttpResponse response = deps_.transport.send(http);
            spdlog::debug("{} {} -> {} (attempt {})", request.method, request.path, response.status,
                          attempt);
            if (response.status >= 200 && response.status < 300) {
                deps_.rate_limiter.on_answer(false);
                told_rate_limiter = true;
                accept(response);
                page_buffer::give_back(std::move(response.body));
                deps_.retry_quota.release_on_success(quota_taken);
                return;
            }
            failure = parse_error_response(response);
        } catch (const TransportError& e) {
            failure = error_from_transport(e);
        } catch (const MalformedResponseError& e) {
            failure = ApiError("MalformedResponse", e.what(), 200, true);
        } catch (const CredentialsError& e) {
            throw ApiError("CredentialsError", e.what(), 0, false);
        }

        const bool throttled = is_throttling_error(failure->code(), failure->http_status());
        if (!told_rate_limiter && failure->code() != "Aborted") {
            deps_.rate_limiter.on_answer(throttled);
        }
        if (throttled) ++stats_.throttles;
        if (!failure->retryable()) throw *failure;
        if (halt.stop_requested()) throw ApiError("Aborted", "stop requested", 0, false);
        if (attempt >= policy_.max_attempts) {
            throw ApiError(failure->code(),
                           failure->message() + " (gave up after " + std::to_string(attempt) +
                               (attempt == 1 ? " attempt)" : " attempts)"),
                           failure->http_status(), false);
        }
        if (!deps_.retry_quota.acquire(*failure, quota_taken)) {
            throw ApiError(failure->code(),
                           failure->message() + " (retry quota exhausted, not retried)",
                           failure->http_status(), false);
        }
        auto delay = backoff_delay(policy_, attempt - 1, next_jitter());
        if (const auto& after = failure->retry_after()) {
            delay =
                std::max(delay, std::min<std::chrono::milliseconds>(*after, policy_.max_backoff));
        }
        ++stats_.retries;
        spdlog::warn("{} {}: {}: {}; retry {} of {} in {} ms", request.method, request.path,
                     failure->code(), failure->message(), attempt, policy_.max_attempts - 1,
                     delay.count());
        if (!halt.wait_for(delay)) throw ApiError("Aborted", "stop requested", 0, false);
    }
}

}  // namespace codeguru::aws
