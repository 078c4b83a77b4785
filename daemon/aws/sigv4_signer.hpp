#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials/credentials.hpp"

namespace codeguru::aws {

// What SigV4 needs to know of a request.
struct SignableRequest {
    std::string method = "GET";
    std::string host;  // as sent in the Host header: "host" or "host:port"
    std::string path;  // as sent on the wire, each segment already percent-encoded once
    std::vector<std::pair<std::string, std::string>> query;    // decoded names and values
    std::vector<std::pair<std::string, std::string>> headers;  // further headers to sign
    std::string body;
};

// The intermediate and final products of signing, kept so that tests can check
// each step against AWS's published vectors.
struct SigningResult {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;  // lower-case hex
    // Headers the caller must add to the request: x-amz-date, x-amz-security-token
    // (when the credentials carry one) and authorization.
    std::vector<std::pair<std::string, std::string>> headers;
};

// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters
// (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX with upper-case hex.
std::string uri_encode(std::string_view value, bool keep_slash = false);

// Signs requests for one service in one region (AWS Signature Version 4, with the
// double path encoding of non-S3 services). Stateless and thread-safe.
class SigV4Signer {
  public:
    SigV4Signer(std::string service, std::string region);

    SigningResult sign(const SignableRequest& request, const Credentials& credentials,
                       std::chrono::system_clock::time_point when) const;

    const std::string& service() const { return service_; }
    const std::string& region() const { return region_; }

  private:
    std::string service_;
    std::string region_;
};

}  // namespace codeguru::aws
