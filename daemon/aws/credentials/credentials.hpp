#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace codeguru::aws {

// AWS credentials. The secret and the token must never be logged.
struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  // empty for long-term keys
    std::optional<std::chrono::system_clock::time_point> expiration;
    std::string source;  // which provider produced them, e.g. "environment", "profile default"
};

// A credential source is configured but could not produce credentials
// (unreadable file, malformed profile, failed process). The message never holds a secret.
class CredentialsError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One source of credentials (environment, shared files, ...). Providers know
// nothing of each other; a chain composes them.
class CredentialsProvider {
  public:
    virtual ~CredentialsProvider() = default;

    // Returns credentials, or std::nullopt when this source is not configured at all.
    // Throws CredentialsError when it is configured but fails.
    virtual std::optional<Credentials> resolve() = 0;

    virtual std::string_view name() const = 0;
};

}  // namespace codeguru::aws
