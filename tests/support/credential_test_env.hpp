#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "aws/credentials/credentials.hpp"
#include "aws/env_lookup.hpp"
#include "util/clock.hpp"

namespace codeguru::test {

// A fake environment: a map instead of the process's variables.
inline aws::EnvLookup fake_env(std::map<std::string, std::string> variables) {
    return
        [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
            const auto it = variables.find(name);
            if (it == variables.end()) return std::nullopt;
            return it->second;
        };
}

// A clock that stands still until a test moves it. Thread-safe.
class ManualClock final : public Clock {
  public:
    std::chrono::system_clock::time_point now() const override {
        std::lock_guard lock(mutex_);
        return now_;
    }
    void advance(std::chrono::seconds by) {
        std::lock_guard lock(mutex_);
        now_ += by;
    }

  private:
    mutable std::mutex mutex_;
    std::chrono::system_clock::time_point now_ = std::chrono::system_clock::from_time_t(1700000000);
};

// The message of the CredentialsError that `action` throws; fails the test if none.
inline std::string credentials_error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const aws::CredentialsError& error) {
        return error.what();
    }
    FAIL("expected a CredentialsError");
    return "";
}

// Captures what spdlog's default logger writes while it lives (debug level and up).
class LogCapture {
  public:
    LogCapture()
        : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256)),
          previous_(spdlog::default_logger()) {
        auto logger = std::make_shared<spdlog::logger>("capture", sink_);
        logger->set_level(spdlog::level::debug);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::string text() const {
        std::string all;
        for (const auto& line : sink_->last_formatted()) all += line;
        return all;
    }

  private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

// Temporary credentials with a recognisable key id, secret and token.
inline aws::Credentials temporary_credentials(const std::string& name,
                                              std::chrono::system_clock::time_point expiration) {
    aws::Credentials credentials;
    credentials.access_key_id = "ASIA" + name;
    credentials.secret_access_key = "secret-of-" + name;
    credentials.session_token = "token-of-" + name;
    credentials.expiration = expiration;
    return credentials;
}

}  // namespace codeguru::test
