#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/credentials/credentials.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace codeguru::test {

class LoopbackServer;

// "2025-09-16T05:20:00Z", as AWS writes credential expirations.
std::string iso8601(std::chrono::system_clock::time_point when);

// A fake EC2 instance metadata service (IMDSv2 only) on 127.0.0.1: PUT /latest/api/token
// with a TTL header hands out a session token; every GET without that token is refused
// with 401. Serves the role name and its credentials under
// /latest/meta-data/iam/security-credentials/. Thread-safe.
class FakeImds {
  public:
    FakeImds(std::string role, aws::Credentials credentials);
    ~FakeImds();

    std::string endpoint() const;  // "http://127.0.0.1:PORT"
    void set_credentials(const aws::Credentials& credentials);
    void set_role(const std::string& role);  // "": the instance has no role (404)

    std::size_t token_requests() const;
    std::size_t refused_requests() const;  // GETs without a valid token
    std::size_t credential_requests() const;

  private:
    mutable std::mutex mutex_;
    std::string role_;
    aws::Credentials credentials_;
    std::string token_;
    std::size_t token_requests_ = 0;
    std::size_t refused_requests_ = 0;
    std::size_t credential_requests_ = 0;
    std::unique_ptr<LoopbackServer> server_;
};

// A fake ECS container credentials endpoint on 127.0.0.1: GET `path` with exactly
// `authorization` in the Authorization header (none required when empty) answers the
// credentials as ECS does; a wrong or missing header gets 401. Thread-safe.
class FakeEcsEndpoint {
  public:
    FakeEcsEndpoint(std::string path, std::string authorization, aws::Credentials credentials);
    ~FakeEcsEndpoint();

    std::string base() const;  // "http://127.0.0.1:PORT"
    std::string url() const;   // base() + path
    std::size_t served() const;
    std::size_t refused() const;

  private:
    std::string path_;
    std::string authorization_;
    aws::Credentials credentials_;
    mutable std::mutex mutex_;
    std::size_t served_ = 0;
    std::size_t refused_ = 0;
    std::unique_ptr<LoopbackServer> server_;
};

// One call the fake STS answered or refused.
struct StsCall {
    std::string action;
    std::map<std::string, std::string> params;  // the decoded form fields
    std::string signed_by;                      // AssumeRole: the caller's access key id
};

// A fake STS on 127.0.0.1. AssumeRole must be a form POST SigV4-signed (service "sts",
// `region`) by credentials added with add_caller(), checked with the project's signer;
// AssumeRoleWithWebIdentity must carry a WebIdentityToken. Both answer the credentials of
// set_issued() in STS's XML; fail_next() makes the next calls answer an STS ErrorResponse.
// Thread-safe.
class FakeSts {
  public:
    explicit FakeSts(std::string region = "us-east-1");
    ~FakeSts();

    std::string endpoint() const;  // "http://127.0.0.1:PORT"
    void add_caller(const aws::Credentials& credentials);
    void set_issued(const aws::Credentials& credentials);
    void fail_next(std::size_t count, int status, std::string code, std::string message);

    std::vector<StsCall> calls() const;  // the calls answered with credentials
    std::size_t refused() const;         // calls refused (bad signature, unknown caller, ...)

  private:
    struct Failure {
        std::size_t count = 0;
        int status = 0;
        std::string code;
        std::string message;
    };

    std::string region_;
    mutable std::mutex mutex_;
    std::map<std::string, aws::Credentials> callers_;
    aws::Credentials issued_;
    Failure failure_;
    std::vector<StsCall> calls_;
    std::size_t refused_ = 0;
    std::unique_ptr<LoopbackServer> server_;

    void handle(const httplib::Request& request, httplib::Response& response);
    // The error to answer an AssumeRole whose signature is wrong, or "" when it is right.
    std::string signature_problem(const httplib::Request& request, std::string& signed_by) const;
};

}  // namespace codeguru::test
