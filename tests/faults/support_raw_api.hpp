#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace codeguru::test {

// A bare GetFindings endpoint on 127.0.0.1 that answers with bytes the test controls, for
// hostility the fake API's JSON serialization cannot carry (invalid UTF-8, raw NULs,
// misshapen documents). No signature check. Page i is requested with nextToken
// "page-<i>" (page 0 without one); any other token is a 400 ValidationException.
// Serves from its own threads until destruction; every member function is thread-safe.
class RawFindingsServer {
  public:
    RawFindingsServer();
    ~RawFindingsServer();
    RawFindingsServer(const RawFindingsServer&) = delete;
    RawFindingsServer& operator=(const RawFindingsServer&) = delete;

    std::string endpoint() const;  // "http://127.0.0.1:PORT"

    // The bodies of pages 0, 1, ... as sent (status 200, application/json).
    void set_pages(std::vector<std::string> bodies);
    // GetFindings requests received so far, and those for page `index`.
    std::size_t requests() const;
    std::size_t requests_for(std::size_t index) const;

    // {"findings":[f0,f1,...],"nextToken":"page-<index+1>"} with the raw finding texts
    // spliced in verbatim; no nextToken when `index` is the last of `page_count`.
    static std::string page_body(const std::vector<std::string>& raw_findings, std::size_t index,
                                 std::size_t page_count);

  private:
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> pages_;
    std::vector<std::size_t> requests_per_page_;
    std::size_t requests_ = 0;
};

// A TCP listener on 127.0.0.1 that is not an HTTP server: it answers every connection with
// an SSH-style banner and closes it. Stops on destruction.
class NotHttpServer {
  public:
    NotHttpServer();
    ~NotHttpServer();
    NotHttpServer(const NotHttpServer&) = delete;
    NotHttpServer& operator=(const NotHttpServer&) = delete;

    int port() const { return port_; }
    std::size_t connections() const { return connections_.load(); }

  private:
    int listener_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> connections_{0};
    std::thread thread_;
};

}  // namespace codeguru::test
