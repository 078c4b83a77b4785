#include "aws/curl_transport.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "util/page_buffer.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::aws {
namespace {

// libcurl's global state must be set up once, before any thread uses it.
struct CurlGlobal {
    CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
    ~CurlGlobal() { curl_global_cleanup(); }
};

void ensure_curl_global() {
    static CurlGlobal global;
}

struct Transfer {
    HttpResponse response;
    std::size_t max_bytes = 0;
    bool too_large = false;
    const StopFlag* stop = nullptr;
    CURL* curl = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (transfer->response.body.size() + n > transfer->max_bytes) {
        transfer->too_large = true;
        return 0;  // makes libcurl fail the transfer with CURLE_WRITE_ERROR
    }
    if (transfer->response.body.empty()) {
        // A page is megabytes: sized once from Content-Length rather than grown by copies.
        curl_off_t length = -1;
        curl_easy_getinfo(transfer->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
        if (length > 0 && static_cast<std::size_t>(length) <= transfer->max_bytes) {
            transfer->response.body.reserve(static_cast<std::size_t>(length) + kBodyReadAhead);
        }
    }
    transfer->response.body.append(data, n);
    return n;
}

std::string trim(std::string s) {
    const auto not_space = [](unsigned char c) { return !std::isspace(c); };
    s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
    s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
    return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    std::string line(data, n);
    if (line.rfind("HTTP/", 0) == 0) {
        // A new response (after a redirect or 100-continue): forget earlier headers.
        transfer->response.headers.clear();
        return n;
    }
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        transfer->response.headers.emplace_back(trim(name), trim(line.substr(colon + 1)));
    }
    return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* transfer = static_cast<Transfer*>(user);
    return transfer->stop != nullptr && transfer->stop->stop_requested() ? 1 : 0;
}

TransportError::Kind classify(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError::Kind::kTimeout;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return TransportError::Kind::kConnect;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
            return TransportError::Kind::kTls;
        case CURLE_WEIRD_SERVER_REPLY:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return TransportError::Kind::kProtocol;
        case CURLE_ABORTED_BY_CALLBACK:
            return TransportError::Kind::kAborted;
        default:
            return TransportError::Kind::kOther;
    }
}

}  // namespace

std::string ca_bundle_from_environment(const EnvLookup& env) {
    return env("AWS_CA_BUNDLE").value_or("");
}

struct CurlTransport::Handle {
    CURL* curl = nullptr;
    Handle() : curl(curl_easy_init()) {}
    ~Handle() {
        if (curl != nullptr) curl_easy_cleanup(curl);
    }
};

CurlTransport::CurlTransport(CurlTransportOptions options) : options_(options) {
    ensure_curl_global();
}

CurlTransport::~CurlTransport() = default;

std::unique_ptr<CurlTransport::Handle> CurlTransport::checkout() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto handle = std::move(idle_.back());
            idle_.pop_back();
            return handle;
        }
    }
    auto handle = std::make_unique<Handle>();
    if (handle->curl == nullptr) {
        throw TransportError(TransportError::Kind::kOther, "curl_easy_init failed");
    }
    return handle;
}

void CurlTransport::checkin(std::unique_ptr<Handle> handle) {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(handle));
}

HttpResponse CurlTransport::send(const HttpRequest& request) {
    auto handle = checkout();
    CURL* curl = handle->curl;
    // Keep the handle's connection cache; reset only the per-request options.
    curl_easy_reset(curl);

    Transfer transfer;
    transfer.response.body = page_buffer::take();
    transfer.max_bytes = options_.max_response_bytes;
    transfer.stop = request.stop != nullptr ? request.stop : options_.stop;
    transfer.curl = curl;

    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers) {
        headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    // libcurl would otherwise add "Expect: 100-continue" to bodies; AWS does not need it.
    headers = curl_slist_append(headers, "Expect:");

    curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);  // the signed path is the sent path
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_bundle.empty()) {
        // The bundle replaces the system's trust store, as in the AWS CLI.
        curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
        curl_easy_setopt(curl, CURLOPT_CAPATH, nullptr);
    }
    if (options_.bypass_proxy) curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    // gzip, not brotli: as cheap to decode, and far cheaper for a server to produce.
    curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
    char detail[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);

    const CURLcode code = curl_easy_perform(curl);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);  // `detail` ends with this call
    curl_slist_free_all(headers);

    if (code != CURLE_OK) {
        // A failed transfer may leave the connection unusable; drop the handle.
        if (transfer.too_large) {
            throw TransportError(
                TransportError::Kind::kResponseTooLarge,
                "response larger than " + std::to_string(options_.max_response_bytes) + " bytes");
        }
        std::string message = curl_easy_strerror(code);
        if (detail[0] != '\0') message += std::string(": ") + detail;
        throw TransportError(classify(code), message);
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    std::string& body = transfer.response.body;
    // Without a Content-Length (chunked, or decoded from gzip) the body grew by doubling.
    if (body.capacity() - body.size() < kBodyReadAhead) body.reserve(body.size() + kBodyReadAhead);
    checkin(std::move(handle));
    return std::move(transfer.response);
}

}  // namespace codeguru::aws
