#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"

namespace codeguru {
class StopFlag;
}

namespace codeguru::aws {

// Runs `command` through /bin/sh -c (stdin /dev/null, stderr inherited) and reads the
// credential_process JSON on its stdout: "Version": 1, AccessKeyId and SecretAccessKey,
// optionally SessionToken and Expiration (ISO-8601). Throws CredentialsError starting with `what`
// when the process cannot start, outlives `timeout` (then its process group is killed), exits
// non-zero, or prints anything else; the message never quotes the output. Thread-safe. A raised
// `stop` (optional) ends the wait at once the same way: the group is killed.
Credentials run_credential_process(const std::string& command, std::chrono::milliseconds timeout,
                                   const std::string& what, const StopFlag* stop = nullptr);

// Credentials from the `credential_process` of the profile chosen by select_profile().
// std::nullopt when the profile is absent or has no credential_process. Runs the process
// on every resolve(). Thread-safe if the lookup is.
class ProcessProvider final : public CredentialsProvider {
  public:
    static constexpr std::chrono::seconds kDefaultTimeout{60};

    explicit ProcessProvider(std::string explicit_profile = "",
                             EnvLookup env = process_environment(),
                             std::chrono::milliseconds timeout = kDefaultTimeout,
                             const StopFlag* stop = nullptr);

    std::optional<Credentials> resolve() override;
    std::string_view name() const override { return "credential_process"; }

  private:
    std::string explicit_profile_;
    EnvLookup env_;
    std::chrono::milliseconds timeout_;
    const StopFlag* stop_;
};

}  // namespace codeguru::aws
