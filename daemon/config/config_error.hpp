#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace codeguru {

// An invalid configuration: a bad or unknown key, a bad value, an unreadable file.
// `key()` is the key at fault ("sync.interval"), or "config" for the file as a whole;
// what() is one line that names it, ready for the operator.
class ConfigError : public std::runtime_error {
  public:
    ConfigError(std::string key, const std::string& message)
        : std::runtime_error(message), key_(std::move(key)) {}

    const std::string& key() const { return key_; }

  private:
    std::string key_;
};

// A bad command line (unknown flag, missing argument, conflicting modes); what() is one
// line naming the offending argument.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace codeguru
