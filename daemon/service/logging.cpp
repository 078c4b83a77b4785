#include "service/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string_view>

#include "util/text_sanitizer.hpp"

namespace codeguru::service {
namespace {

// The sd-daemon(3) priority of a level: "<7>" debug ... "<2>" critical.
std::string_view syslog_prefix(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug:
            return "<7>";
        case spdlog::level::warn:
            return "<4>";
        case spdlog::level::err:
            return "<3>";
        case spdlog::level::critical:
            return "<2>";
        default:
            return "<6>";
    }
}

// "%*": the priority prefix of the message's level.
class SyslogPriorityFlag final : public spdlog::custom_flag_formatter {
  public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const std::string_view prefix = syslog_prefix(msg.level);
        dest.append(prefix.data(), prefix.data() + prefix.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<SyslogPriorityFlag>();
    }
};

void append(spdlog::memory_buf_t& dest, std::string_view text) {
    dest.append(text.data(), text.data() + text.size());
}

// `text` as the inside of a JSON string. Invalid UTF-8 becomes U+FFFD so that every
// line stays valid JSON whatever a message quotes.
void append_json_string(spdlog::memory_buf_t& dest, std::string_view raw) {
    std::string text(raw);
    replace_invalid_utf8(text);
    for (const char c : text) {
        switch (c) {
            case '"':
                append(dest, "\\\"");
                break;
            case '\\':
                append(dest, "\\\\");
                break;
            case '\n':
                append(dest, "\\n");
                break;
            case '\r':
                append(dest, "\\r");
                break;
            case '\t':
                append(dest, "\\t");
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char escaped[8];
                    std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
                    append(dest, escaped);
                } else {
                    dest.push_back(c);
                }
        }
    }
}

// One JSON object per line for log shippers: the time in UTC to the millisecond.
class JsonFormatter final : public spdlog::formatter {
  public:
    explicit JsonFormatter(bool journal) : journal_(journal) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        using namespace std::chrono;
        if (journal_) append(dest, syslog_prefix(msg.level));
        const auto since_epoch = msg.time.time_since_epoch();
        const std::time_t seconds = duration_cast<std::chrono::seconds>(since_epoch).count();
        const auto millis = duration_cast<milliseconds>(since_epoch).count() % 1000;
        std::tm utc{};
        ::gmtime_r(&seconds, &utc);
        char time[40];
        const std::size_t n = std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &utc);
        std::snprintf(time + n, sizeof time - n, ".%03dZ", static_cast<int>(millis));
        append(dest, "{\"time\":\"");
        append(dest, time);
        append(dest, "\",\"level\":\"");
        const auto level = spdlog::level::to_string_view(msg.level);
        append(dest, std::string_view(level.data(), level.size()));
        append(dest, "\",\"message\":\"");
        append_json_string(dest, std::string_view(msg.payload.data(), msg.payload.size()));
        append(dest, "\"}\n");
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<JsonFormatter>(journal_);
    }

  private:
    bool journal_;
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

std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format, bool journal) {
    if (format == LogFormat::kJson) return std::make_unique<JsonFormatter>(journal);
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    if (journal) {
        formatter->add_flag<SyslogPriorityFlag>('*').set_pattern("%*%v");
    } else {
        formatter->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
    }
    return formatter;
}

void setup_logging(const LogSettings& settings, bool journal) {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("codeguru-syncd", std::move(sink));
    spdlog::set_default_logger(std::move(logger));
    reconfigure_logging(settings, journal);
}

void reconfigure_logging(const LogSettings& settings, bool journal) {
    // Each sink swaps its formatter under its own lock: no line is torn or lost.
    spdlog::default_logger()->set_formatter(make_log_formatter(settings.format, journal));
    spdlog::set_level(spdlog::level::from_str(settings.level));
    spdlog::flush_on(spdlog::level::trace);
}

}  // namespace codeguru::service
