#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "aws/curl_transport.hpp"
#include "util/stop_flag.hpp"

using namespace codeguru;
using namespace codeguru::aws;

namespace {

// A real HTTP server on loopback for the transport to talk to.
class LocalServer {
  public:
    LocalServer() {
        server_.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
            res.set_header("X-Echo", req.get_header_value("X-Test"));
            res.set_content("hello", "text/plain");
        });
        server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(std::string(300000, 'a'), "application/json");
        });
        server_.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
            std::this_thread::sleep_for(std::chrono::milliseconds(3000));
            res.set_content("late", "text/plain");
        });
        server_.Get("/port", [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mutex_);
            client_ports_.insert(req.remote_port);
            res.set_content("ok", "text/plain");
        });
        server_.Get("/encoding", [](const httplib::Request& req, httplib::Response& res) {
            res.set_content(req.get_header_value("Accept-Encoding"), "text/plain");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~LocalServer() {
        server_.stop();
        thread_.join();
    }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }
    std::size_t distinct_client_ports() {
        std::lock_guard lock(mutex_);
        return client_ports_.size();
    }

  private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::set<int> client_ports_;
};

HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    return r;
}

}  // namespace

TEST_CASE("the curl transport returns status, lower-cased headers and body") {
    LocalServer server;
    CurlTransport transport({});
    HttpRequest request = get(server.url("/hello"));
    request.headers.emplace_back("X-Test", "value 1");
    const HttpResponse response = transport.send(request);
    CHECK(response.status == 200);
    CHECK(response.body == "hello");
    CHECK(response.header("x-echo") == "value 1");
    CHECK(response.header("X-ECHO") == "value 1");
    CHECK(transport.send(get(server.url("/missing"))).status == 404);
}

TEST_CASE("the curl transport reuses its connection across requests") {
    LocalServer server;
    CurlTransport transport({});
    for (int i = 0; i < 5; ++i) REQUIRE(transport.send(get(server.url("/port"))).status == 200);
    CHECK(server.distinct_client_ports() == 1);
}

TEST_CASE("the curl transport asks for compressed answers") {
    LocalServer server;
    CurlTransport transport({});
    const std::string accepted = transport.send(get(server.url("/encoding"))).body;
    CHECK(accepted.find("gzip") != std::string::npos);
}

TEST_CASE("an answer larger than the cap is refused") {
    LocalServer server;
    CurlTransportOptions options;
    options.max_response_bytes = 100000;
    CurlTransport transport(options);
    try {
        transport.send(get(server.url("/big")));
        FAIL("expected a TransportError");
    } catch (const TransportError& e) {
        CHECK(e.kind() == TransportError::Kind::kResponseTooLarge);
    }
    options.max_response_bytes = 400000;
    CHECK(CurlTransport(options).send(get(server.url("/big"))).body.size() == 300000);
}

TEST_CASE("a request slower than the request timeout fails as a timeout") {
    LocalServer server;
    CurlTransportOptions options;
    options.request_timeout = std::chrono::milliseconds(300);
    CurlTransport transport(options);
    const auto start = std::chrono::steady_clock::now();
    try {
        transport.send(get(server.url("/slow")));
        FAIL("expected a TransportError");
    } catch (const TransportError& e) {
        CHECK(e.kind() == TransportError::Kind::kTimeout);
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200));
}

TEST_CASE("a refused connection is a connect error") {
    // A port that was bound and released without listening: nothing accepts there.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    const int port = ntohs(address.sin_port);
    ::close(fd);
    CurlTransport transport({});
    try {
        transport.send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
        FAIL("expected a TransportError");
    } catch (const TransportError& e) {
        CHECK(e.kind() == TransportError::Kind::kConnect);
    }
}

TEST_CASE("a stop request aborts a transfer in flight") {
    LocalServer server;
    StopFlag stop;
    CurlTransportOptions options;
    options.stop = &stop;
    CurlTransport transport(options);
    std::thread stopper([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        stop.request_stop();
    });
    const auto start = std::chrono::steady_clock::now();
    try {
        transport.send(get(server.url("/slow")));
        FAIL("expected a TransportError");
    } catch (const TransportError& e) {
        CHECK(e.kind() == TransportError::Kind::kAborted);
    }
    // libcurl polls the progress callback about once a second while a transfer idles.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(2500));
    stopper.join();
}
