#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace codeguru::test {

// Captures the daemon's log lines (spdlog's default logger, info and up) while it lives.
// Not thread-safe against other loggers being installed meanwhile.
class LogCapture {
  public:
    LogCapture()
        : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(4096)),
          previous_(spdlog::default_logger()) {
        auto logger = std::make_shared<spdlog::logger>("capture", sink_);
        logger->set_level(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    std::vector<std::string> lines() const { return sink_->last_formatted(); }

    // The captured lines that contain every one of `parts`.
    std::size_t count(const std::vector<std::string>& parts) const {
        std::size_t n = 0;
        for (const auto& line : lines()) {
            bool all = true;
            for (const auto& part : parts) all = all && line.find(part) != std::string::npos;
            n += all;
        }
        return n;
    }

  private:
    std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
    std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace codeguru::test
