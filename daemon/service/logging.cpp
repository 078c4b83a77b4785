#include "service/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

namespace codeguru::service {
namespace {

// "%*": the sd-daemon(3) priority prefix of the message's level.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        char prefix[4] = {'<', '6', '>', '\0'};
        switch (msg.level) {
            case spdlog::level::trace:
            case spdlog::level::debug:
                prefix[1] = '7';
                break;
            case spdlog::level::info:
                prefix[1] = '6';
                break;
            case spdlog::level::warn:
                prefix[1] = '4';
                break;
            case spdlog::level::err:
                prefix[1] = '3';
                break;
            case spdlog::level::critical:
                prefix[1] = '2';
                break;
            default:
                break;
        }
        dest.append(prefix, prefix + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SyslogPriorityFlag>();
    }
};

}  // namespace

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat st {};
    if (::fstat(2, &st) != 0) return false;
    return st.st_dev == device && st.st_ino == inode;
}

void setup_logging(const std::string& level, bool journal) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (journal) {
        formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
    } else {
        formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    }
    sink->set_formatter(std::move(formatter));
    auto logger = std::make_shared<spdlog::logger>("codeguru-syncd", std::move(sink));
    spdlog::set_default_logger(std::move(logger));
    set_log_level(level);
}

void set_log_level(const std::string& level) {
    spdlog::set_level(spdlog::level::from_str(level));
    spdlog::flush_on(spdlog::level::trace);
}

}  // namespace codeguru::service
