// Fuzzes the configuration parsers (config/): durations, the command line and the INI file.
// Input: the config file's text, optionally followed by a NUL and command-line arguments
// separated by NULs. Properties: parse_duration reads back what format_duration writes;
// parse_command_line throws only UsageError and load_settings only ConfigError, whose message
// is one line; accepted settings are within their documented ranges; and the text that
// describe_settings writes (for --check-config) loads back to the same settings.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/duration.hpp"
#include "config/settings_loader.hpp"
#include "config/settings_printer.hpp"
#include "fuzz_support.hpp"

namespace {

using codeguru::CommandLine;
using codeguru::Settings;

// An in-memory file that load_settings opens by its /proc path; rewritten for each input.
class MemoryFile {
  public:
    MemoryFile() : fd_(::memfd_create("fuzz-config", 0)) {
        FUZZ_CHECK(fd_ >= 0);
        path_ = "/proc/self/fd/" + std::to_string(fd_);
    }
    void write(std::string_view text) {
        FUZZ_CHECK(::ftruncate(fd_, 0) == 0);
        FUZZ_CHECK(::pwrite(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()));
    }
    const std::string& path() const { return path_; }

  private:
    int fd_;
    std::string path_;
};

// The shared AWS files must not decide a region: point them nowhere.
MemoryFile& config_file() {
    static MemoryFile* file = [] {
        ::setenv("AWS_CONFIG_FILE", "/nonexistent/codeguru-fuzz/config", 1);
        ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/codeguru-fuzz/credentials", 1);
        ::unsetenv("AWS_PROFILE");
        ::unsetenv("AWS_REGION");  // the region fallbacks, so that runs are deterministic
        ::unsetenv("AWS_DEFAULT_REGION");
        return new MemoryFile();
    }();
    return *file;
}

void check_duration(std::string_view text) {
    try {
        const std::chrono::milliseconds duration = codeguru::parse_duration(text);
        FUZZ_CHECK(duration.count() >= 0);
        FUZZ_CHECK(codeguru::parse_duration(codeguru::format_duration(duration)) == duration);
    } catch (const std::invalid_argument&) {
    }
}

void check_ranges(const Settings& s) {
    static const std::regex kRegion("[a-z0-9-]+");
    FUZZ_CHECK(std::regex_match(s.aws.region, kRegion));
    FUZZ_CHECK(s.aws.connect_timeout.count() >= 1 && s.aws.request_timeout.count() >= 1);
    FUZZ_CHECK(s.aws.max_attempts >= 1 && s.aws.max_attempts <= 20);
    // No ceiling (adaptive only), or one within the documented range.
    FUZZ_CHECK(!s.aws.requests_per_second ||
               (*s.aws.requests_per_second > 0 && *s.aws.requests_per_second <= 10000));
    FUZZ_CHECK(!s.database.url.empty());
    FUZZ_CHECK(!s.database.schema.empty() && s.database.schema.size() <= 63);
    for (std::size_t i = 0; i < s.sync.scans.size(); ++i) {
        FUZZ_CHECK(!s.sync.scans[i].empty() && s.sync.scans[i].size() <= 140);
        FUZZ_CHECK(std::count(s.sync.scans.begin(), s.sync.scans.end(), s.sync.scans[i]) == 1);
    }
    FUZZ_CHECK(s.sync.status == "Open" || s.sync.status == "Closed" || s.sync.status == "All");
    FUZZ_CHECK(s.sync.page_size >= 1 && s.sync.page_size <= 1000);
    FUZZ_CHECK(s.sync.interval >= std::chrono::seconds(1) &&
               s.sync.interval <= std::chrono::hours(24 * 7));
    FUZZ_CHECK(s.sync.lease >= std::chrono::seconds(10) && s.sync.lease <= std::chrono::hours(1));
    FUZZ_CHECK(s.sync.max_pages >= 1 && s.sync.max_pages <= 100000000);
    FUZZ_CHECK(s.database.statement_timeout >= std::chrono::seconds(1) &&
               s.database.statement_timeout <= std::chrono::hours(24));
    FUZZ_CHECK(s.retention.runs >= std::chrono::hours(1) &&
               s.retention.runs <= std::chrono::hours(24 * 3650));
    FUZZ_CHECK(s.sync.concurrency >= 1 && s.sync.concurrency <= 64);
    FUZZ_CHECK(s.metrics.port >= 0 && s.metrics.port <= 65535);
    FUZZ_CHECK(s.metrics.enabled() || s.metrics.host.empty());
}

bool same_settings(const Settings& a, const Settings& b) {
    return a.aws.region == b.aws.region && a.aws.profile == b.aws.profile &&
           a.aws.endpoint == b.aws.endpoint && a.aws.connect_timeout == b.aws.connect_timeout &&
           a.aws.request_timeout == b.aws.request_timeout &&
           a.aws.max_attempts == b.aws.max_attempts &&
           a.aws.requests_per_second == b.aws.requests_per_second &&
           a.database.schema == b.database.schema && a.sync.scans == b.sync.scans &&
           a.sync.scan_prefix == b.sync.scan_prefix && a.sync.status == b.sync.status &&
           a.sync.page_size == b.sync.page_size && a.sync.interval == b.sync.interval &&
           a.sync.concurrency == b.sync.concurrency && a.sync.lease == b.sync.lease &&
           a.sync.max_pages == b.sync.max_pages &&
           a.database.statement_timeout == b.database.statement_timeout &&
           a.retention.runs == b.retention.runs && a.log.level == b.log.level &&
           a.log.format == b.log.format && a.metrics.host == b.metrics.host &&
           a.metrics.port == b.metrics.port;
}

// Loads the settings for `file_text` and `arguments`; nullopt when either is rejected.
std::optional<Settings> load(std::string_view file_text,
                             const std::vector<std::string>& arguments) {
    MemoryFile& file = config_file();
    file.write(file_text);
    std::vector<const char*> argv = {"codeguru-syncd", "--config", file.path().c_str()};
    for (const std::string& argument : arguments) argv.push_back(argument.c_str());

    CommandLine command_line;
    try {
        command_line = codeguru::parse_command_line(static_cast<int>(argv.size()), argv.data());
    } catch (const codeguru::UsageError&) {
        return std::nullopt;
    }
    try {
        return codeguru::load_settings(command_line);
    } catch (const codeguru::ConfigError& e) {
        FUZZ_CHECK(!e.key().empty());
        FUZZ_CHECK(std::string_view(e.what()).find('\n') == std::string_view::npos);
        return std::nullopt;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::size_t nul = input.find('\0');
    const std::string_view file_text = input.substr(0, nul);
    std::vector<std::string> arguments;
    if (nul != std::string_view::npos) {
        std::string_view rest = input.substr(nul + 1);
        while (!rest.empty()) {
            const std::size_t end = rest.find('\0');
            arguments.emplace_back(rest.substr(0, end));
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
        }
    }

    check_duration(file_text);
    const std::optional<Settings> settings = load(file_text, arguments);
    if (!settings) return 0;
    check_ranges(*settings);

    // What --check-config prints loads back to the same settings (the command line still
    // applies; the database password is masked, so the URL is not compared). A value with a
    // line break, possible on the command line only, has no INI spelling: not checked.
    const auto multi_line = [](const std::string& argument) {
        return argument.find('\n') != std::string::npos;
    };
    if (std::any_of(arguments.begin(), arguments.end(), multi_line)) return 0;
    const std::optional<Settings> reloaded =
        load(codeguru::describe_settings(*settings), arguments);
    FUZZ_CHECK(reloaded.has_value());
    FUZZ_CHECK(same_settings(*settings, *reloaded));
    return 0;
}
