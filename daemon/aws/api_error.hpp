#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace codeguru::aws {

// An error answer from an AWS service, or a failure to reach it.
// `code` is the service's error type (e.g. "ThrottlingException") with any
// ":"-suffix removed; for transport failures it names the failure ("Timeout").
class ApiError : public std::runtime_error {
  public:
    ApiError(std::string code, std::string message, long http_status, bool retryable)
        : std::runtime_error(code + ": " + message),
          code_(std::move(code)),
          message_(std::move(message)),
          http_status_(http_status),
          retryable_(retryable) {}

    const std::string& code() const { return code_; }
    const std::string& message() const { return message_; }
    long http_status() const { return http_status_; }  // 0 when no response came
    bool retryable() const { return retryable_; }
    // The service's Retry-After header (seconds), when it sent one.
    const std::optional<std::chrono::seconds>& retry_after() const { return retry_after_; }
    void set_retry_after(std::chrono::seconds delay) { retry_after_ = delay; }

  private:
    std::string code_;
    std::string message_;
    long http_status_;
    bool retryable_;
    std::optional<std::chrono::seconds> retry_after_;
};

// A 2xx answer whose body is not the documented shape (not JSON, truncated).
// Worth a retry: the next answer may be whole.
class MalformedResponseError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace codeguru::aws
