// Log line formats (SPEC §8): readable timestamps on a terminal, "<N>" priorities and no
// timestamp under journald, one JSON object per line for log shippers.
#include <spdlog/details/log_msg.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "e2e/daemon_process.hpp"
#include "e2e/e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "service/logging.hpp"

using namespace codeguru;
using codeguru::service::make_log_formatter;

namespace {

std::string format(LogFormat format, bool journal, spdlog::level::level_enum level,
                   std::string_view text) {
    const spdlog::details::log_msg msg(spdlog::source_loc{}, "codeguru-syncd", level,
                                       spdlog::string_view_t(text.data(), text.size()));
    spdlog::memory_buf_t buffer;
    make_log_formatter(format, journal)->format(msg, buffer);
    return std::string(buffer.data(), buffer.size());
}

}  // namespace

TEST_CASE("under journald text lines carry a <N> priority and no timestamp") {
    using spdlog::level::level_enum;
    const std::pair<level_enum, const char*> cases[] = {
        {spdlog::level::trace, "<7>"}, {spdlog::level::debug, "<7>"},
        {spdlog::level::info, "<6>"},  {spdlog::level::warn, "<4>"},
        {spdlog::level::err, "<3>"},   {spdlog::level::critical, "<2>"},
    };
    for (const auto& [level, prefix] : cases) {
        CAPTURE(prefix);
        CHECK(format(LogFormat::kText, true, level, "scan a: run 1 succeeded") ==
              std::string(prefix) + "scan a: run 1 succeeded\n");
    }
}

TEST_CASE("outside journald text lines start with a readable local timestamp and the level") {
    const std::string line = format(LogFormat::kText, false, spdlog::level::warn, "retry 1 of 4");
    CAPTURE(line);
    CHECK(std::regex_match(
        line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} warning retry 1 of 4\n)")));
}

TEST_CASE("JSON lines are one valid object each, with time, level and the message escaped") {
    const std::string message = "quote \" backslash \\ newline \n tab \t bell \x07 bad \xff end";
    const std::string line = format(LogFormat::kJson, false, spdlog::level::err, message);
    CAPTURE(line);
    REQUIRE(line.ends_with("}\n"));
    CHECK(line.find('\n') == line.size() - 1);  // one line, whatever the message holds
    const auto object = nlohmann::json::parse(line);
    CHECK(object.size() == 3);
    CHECK(object.at("level") == "error");
    CHECK(object.at("message") ==
          "quote \" backslash \\ newline \n tab \t bell \x07 bad \xEF\xBF\xBD end");
    CHECK(std::regex_match(object.at("time").get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
}

TEST_CASE("JSON lines under journald keep the <N> priority before the object") {
    const std::string line = format(LogFormat::kJson, true, spdlog::level::warn, "slow");
    REQUIRE(line.starts_with("<4>{"));
    CHECK(nlohmann::json::parse(line.substr(3)).at("message") == "slow");
}

TEST_CASE("stderr counts as the journal only when JOURNAL_STREAM names stderr itself") {
    struct stat st {};
    REQUIRE(::fstat(2, &st) == 0);
    const char* saved = std::getenv("JOURNAL_STREAM");
    const std::string saved_value = saved ? saved : "";
    ::setenv("JOURNAL_STREAM",
             (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(), 1);
    CHECK(service::stderr_is_journal());
    ::setenv("JOURNAL_STREAM",
             (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1)).c_str(), 1);
    CHECK_FALSE(service::stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "garbage", 1);
    CHECK_FALSE(service::stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
    CHECK_FALSE(service::stderr_is_journal());
    if (saved) ::setenv("JOURNAL_STREAM", saved_value.c_str(), 1);
}

TEST_CASE("codeguru-syncd --log.format=json writes only JSON lines to stderr") {
    test::E2eSetup setup;
    setup.api.set_scan("a", test::generate_findings("a", 12, 91));
    const auto run = test::run_daemon(setup.dir, {setup.write_config(setup.config({"a"})), "--once",
                                                  "--log.format=json", "--log-level=debug"});
    INFO(run.err);
    CHECK(run.status.exited_with(0));
    const auto lines = test::non_empty_lines(run.err);
    REQUIRE(lines.size() > 3);
    bool saw_cycle = false;
    for (const auto& line : lines) {
        CAPTURE(line);
        const auto object = nlohmann::json::parse(line);
        CHECK(object.contains("time"));
        CHECK(object.contains("level"));
        saw_cycle |= object.at("message").get<std::string>().starts_with("cycle done: ");
    }
    CHECK(saw_cycle);
}
