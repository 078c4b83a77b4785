#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "aws/curl_transport.hpp"
#include "util/stop_flag.hpp"

extern char** environ;

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
        // The same size in chunks of 1000 bytes, without a Content-Length.
        server_.Get("/chunked", [](const httplib::Request&, httplib::Response& res) {
            res.set_chunked_content_provider("application/json",
                                             [](std::size_t offset, httplib::DataSink& sink) {
                                                 if (offset == 300000) {
                                                     sink.done();
                                                 } else {
                                                     const std::string chunk(1000, 'b');
                                                     sink.write(chunk.data(), chunk.size());
                                                 }
                                                 return true;
                                             });
        });
        // Answers after 30 s, or at once when the server is being destroyed, so that a
        // client that waited for it could not be mistaken for one that gave up in time.
        server_.Get("/slow", [this](const httplib::Request&, httplib::Response& res) {
            std::unique_lock lock(mutex_);
            closing_cv_.wait_for(lock, std::chrono::seconds(30), [this] { return closing_; });
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
        {
            std::lock_guard lock(mutex_);
            closing_ = true;
        }
        closing_cv_.notify_all();
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
    std::condition_variable closing_cv_;
    bool closing_ = false;
};

HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    return r;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A private directory, removed with everything in it.
class ScratchDir {
  public:
    ScratchDir() {
        std::string pattern = std::filesystem::temp_directory_path() / "curl_test.XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() { std::filesystem::remove_all(path_); }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// A fresh self-signed certificate for 127.0.0.1 (openssl(1), which Debian's ca-certificates
// depends on): `name`.pem and `name`.key in `dir`.
void make_certificate(const ScratchDir& dir, const std::string& name) {
    const std::string command =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1"
        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
        (dir / (name + ".key")).string() + " -out " + (dir / (name + ".pem")).string() +
        " >/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) {
        throw std::runtime_error("cannot make a test certificate with: " + command);
    }
}

// `openssl s_server` on loopback serving `name`.pem of `dir`: it answers GET with its status
// page. Killed on destruction.
class TlsServer {
  public:
    TlsServer(const ScratchDir& dir, const std::string& name) {
        const std::string output = (dir / (name + ".out")).string();
        const std::string cert = (dir / (name + ".pem")).string();
        const std::string key = (dir / (name + ".key")).string();
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        const char* argv[] = {"openssl",    "s_server", "-accept",   "127.0.0.1:0", "-cert",
                              cert.c_str(), "-key",     key.c_str(), "-www",        nullptr};
        const int error = ::posix_spawnp(&pid_, "openssl", &actions, nullptr,
                                         const_cast<char* const*>(argv), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0) throw std::runtime_error("cannot start openssl s_server");
        // It prints "ACCEPT 127.0.0.1:PORT" once it listens.
        static const std::regex kAccept(R"(ACCEPT 127\.0\.0\.1:([0-9]+))");
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        std::smatch match;
        std::string text;
        while (!std::regex_search(text = read_file(output), match, kAccept)) {
            if (std::chrono::steady_clock::now() > deadline) {
                stop();
                throw std::runtime_error("openssl s_server did not start: " + text);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        port_ = std::stoi(match[1].str());
    }
    ~TlsServer() { stop(); }
    TlsServer(const TlsServer&) = delete;
    TlsServer& operator=(const TlsServer&) = delete;

    std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }

  private:
    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    pid_t pid_ = -1;
    int port_ = 0;
};

// The TransportError that sending `url` through `transport` throws; fails the test if none.
std::optional<TransportError> transport_error(CurlTransport& transport, const std::string& url) {
    try {
        const HttpResponse response = transport.send(get(url));
        FAIL("expected a TransportError, got HTTP " << response.status);
    } catch (const TransportError& e) {
        return e;
    }
    return std::nullopt;
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

// The page parsers read a body where it stands only when simdjson's padding fits after it.
TEST_CASE("an answer's body leaves room after it, with or without a Content-Length") {
    LocalServer server;
    CurlTransport transport({});
    for (const char* path : {"/big", "/chunked"}) {
        INFO(path);
        const HttpResponse response = transport.send(get(server.url(path)));
        REQUIRE(response.status == 200);
        CHECK(response.body == std::string(300000, path == std::string("/big") ? 'a' : 'b'));
        CHECK(response.body.capacity() - response.body.size() >= kBodyReadAhead);
    }
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
    // Far below the 30 s answer, with room for a loaded machine.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
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
    // libcurl polls the progress callback about once a second while a transfer idles; the
    // answer would take 30 s.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    stopper.join();
}

// --- AWS_CA_BUNDLE ----------------------------------------------------------------------------

TEST_CASE("AWS_CA_BUNDLE names the CA bundle, and unset or empty means the system's") {
    const auto env = [](std::map<std::string, std::string> variables) -> EnvLookup {
        return [variables](const std::string& name) -> std::optional<std::string> {
            const auto it = variables.find(name);
            if (it == variables.end()) return std::nullopt;
            return it->second;
        };
    };
    CHECK(ca_bundle_from_environment(env({{"AWS_CA_BUNDLE", "/etc/corp/ca.pem"}})) ==
          "/etc/corp/ca.pem");
    CHECK(ca_bundle_from_environment(env({{"AWS_CA_BUNDLE", ""}})).empty());
    CHECK(ca_bundle_from_environment(env({})).empty());
}

TEST_CASE("a CA bundle that does not exist fails an https request with a TLS error naming it") {
    // Any listener will do: the bundle is loaded once TCP is up, before the TLS handshake.
    LocalServer server;
    const std::string https = "https" + server.url("/hello").substr(4);
    CurlTransportOptions options;
    options.ca_bundle = "/nonexistent/codeguru-test/ca-bundle.pem";
    CurlTransport transport(options);
    const auto error = transport_error(transport, https);
    REQUIRE(error);
    CHECK(error->kind() == TransportError::Kind::kTls);
    CHECK_THAT(std::string(error->what()),
               Catch::Contains("/nonexistent/codeguru-test/ca-bundle.pem"));

    // Without the option the same request fails otherwise (the peer does not speak TLS),
    // and no CA file is named.
    CurlTransport system_cas({});
    const auto plain = transport_error(system_cas, https);
    REQUIRE(plain);
    CHECK_THAT(std::string(plain->what()), !Catch::Contains("ca-bundle.pem"));
}

TEST_CASE("a server that only the CA bundle vouches for is reached through the bundle alone") {
    ScratchDir dir;
    make_certificate(dir, "server");
    make_certificate(dir, "other");
    TlsServer server(dir, "server");

    // The system's CAs do not know the self-signed server: verification is on.
    CurlTransport system_cas({});
    const auto refused = transport_error(system_cas, server.url());
    REQUIRE(refused);
    CHECK(refused->kind() == TransportError::Kind::kTls);
    CHECK_THAT(std::string(refused->what()), Catch::Contains("certificate"));

    // Its certificate as the bundle: verified, answered.
    CurlTransportOptions trusted;
    trusted.ca_bundle = (dir / "server.pem").string();
    const HttpResponse response = CurlTransport(trusted).send(get(server.url()));
    CHECK(response.status == 200);

    // A bundle of another CA does not vouch for it: verification stays on with a bundle.
    CurlTransportOptions other;
    other.ca_bundle = (dir / "other.pem").string();
    CurlTransport other_ca(other);
    const auto still_refused = transport_error(other_ca, server.url());
    REQUIRE(still_refused);
    CHECK(still_refused->kind() == TransportError::Kind::kTls);
}
