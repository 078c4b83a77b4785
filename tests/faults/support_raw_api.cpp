#include "support_raw_api.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

#include <httplib.h>

namespace codeguru::test {
namespace {

constexpr char kTokenPrefix[] = "page-";

void validation_error(httplib::Response& res, const std::string& message) {
    res.status = 400;
    res.set_header("x-amzn-ErrorType", "ValidationException");
    res.set_content("{\"message\":\"" + message + "\"}", "application/json");
}

}  // namespace

RawFindingsServer::RawFindingsServer() : server_(std::make_unique<httplib::Server>()) {
    server_->Get(R"(/findings/[^/]+)", [this](const httplib::Request& req, httplib::Response& res) {
        std::size_t index = 0;
        if (req.has_param("nextToken")) {
            const std::string token = req.get_param_value("nextToken");
            const std::string prefix = kTokenPrefix;
            if (token.rfind(prefix, 0) != 0 || token.size() == prefix.size() ||
                token.find_first_not_of("0123456789", prefix.size()) != std::string::npos) {
                validation_error(res, "Invalid nextToken");
                return;
            }
            index = std::stoul(token.substr(prefix.size()));
        }
        std::lock_guard lock(mutex_);
        ++requests_;
        if (index >= pages_.size()) {
            validation_error(res, "Invalid nextToken");
            return;
        }
        ++requests_per_page_[index];
        res.status = 200;
        res.set_content(pages_[index], "application/json");
    });
    port_ = server_->bind_to_any_port("127.0.0.1");
    if (port_ <= 0) throw std::runtime_error("raw findings server: cannot listen on 127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
}

RawFindingsServer::~RawFindingsServer() {
    server_->stop();
    if (thread_.joinable()) thread_.join();
}

std::string RawFindingsServer::endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void RawFindingsServer::set_pages(std::vector<std::string> bodies) {
    std::lock_guard lock(mutex_);
    pages_ = std::move(bodies);
    requests_per_page_.assign(pages_.size(), 0);
}

std::size_t RawFindingsServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t RawFindingsServer::requests_for(std::size_t index) const {
    std::lock_guard lock(mutex_);
    return index < requests_per_page_.size() ? requests_per_page_[index] : 0;
}

std::string RawFindingsServer::page_body(const std::vector<std::string>& raw_findings,
                                         std::size_t index, std::size_t page_count) {
    std::string body = "{\"findings\":[";
    for (std::size_t i = 0; i < raw_findings.size(); ++i) {
        if (i > 0) body += ',';
        body += raw_findings[i];
    }
    body += ']';
    if (index + 1 < page_count) {
        body += ",\"nextToken\":\"" + std::string(kTokenPrefix) + std::to_string(index + 1) + "\"";
    }
    body += '}';
    return body;
}

NotHttpServer::NotHttpServer() {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) throw std::runtime_error("not-HTTP server: socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listener_, 16) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(listener_);
        throw std::runtime_error("not-HTTP server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] {
        static constexpr char kBanner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
        while (!stopping_) {
            pollfd waiting{listener_, POLLIN, 0};
            if (::poll(&waiting, 1, 50) <= 0) continue;
            const int client = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            ++connections_;
            // Read what the client sent (if it sends promptly), answer, hang up.
            pollfd readable{client, POLLIN, 0};
            if (::poll(&readable, 1, 200) > 0) {
                char buffer[4096];
                [[maybe_unused]] const auto ignored = ::recv(client, buffer, sizeof buffer, 0);
            }
            [[maybe_unused]] const auto sent =
                ::send(client, kBanner, sizeof kBanner - 1, MSG_NOSIGNAL);
            ::close(client);
        }
    });
}

NotHttpServer::~NotHttpServer() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
}

}  // namespace codeguru::test
