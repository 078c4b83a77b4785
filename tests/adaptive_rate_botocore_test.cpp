// Differential test: the adaptive request rate against botocore's adaptive retry mode
// (Debian's python3-botocore, tests/support/botocore_adaptive.py), answer by answer over
// randomized scripts of answers and throttles on a scripted clock.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "aws/rate_limiter.hpp"
#include "scripted_clock.hpp"

using namespace codeguru;
using codeguru::test::ScriptedClock;
using nlohmann::json;

namespace {

constexpr const char* kPython = "/usr/bin/python3";
constexpr int kScripts = 40;
constexpr int kAnswersPerScript = 400;

struct Answer {
    double at;
    bool throttled;
};

struct Script {
    double start;
    std::vector<Answer> answers;
};

// Answers that come in bursts and lulls, throttled in runs, from raw generator output only
// (the same script on every standard library).
Script make_script(std::mt19937_64& random) {
    Script script;
    script.start = 1000.0 + static_cast<double>(random() % 100000) / 1000.0;
    double now = script.start;
    bool throttling = false;
    for (int i = 0; i < kAnswersPerScript; ++i) {
        switch (random() % 4) {
            case 0:
                now += static_cast<double>(random() % 5) / 1000.0;
                break;  // burst
            case 1:
                now += static_cast<double>(random() % 100) / 1000.0;
                break;  // busy
            case 2:
                now += static_cast<double>(random() % 700) / 1000.0;
                break;  // steady
            default:
                now += static_cast<double>(random() % 3000) / 1000.0;
                break;  // lull
        }
        if (random() % 12 == 0) throttling = !throttling;
        script.answers.push_back({now, throttling && random() % 3 != 0});
    }
    return script;
}

json to_json(const Script& script) {
    json answers = json::array();
    for (const auto& a : script.answers)
        answers.push_back({{"t", a.at}, {"throttled", a.throttled}});
    return {{"start", script.start}, {"answers", answers}};
}

json run_botocore(const json& scripts) {
    const auto file = std::filesystem::temp_directory_path() /
                      ("adaptive-script-" + std::to_string(::getpid()) + ".json");
    std::ofstream(file) << scripts.dump();
    const std::string command = std::string(kPython) + " '" + CODEGURU_SOURCE_DIR +
                                "/tests/support/botocore_adaptive.py' '" + file.string() + "'";
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[65536];
    while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
        output.append(buffer, n);
    const int status = ::pclose(pipe);
    std::filesystem::remove(file);
    INFO("botocore_adaptive.py: " << output.substr(0, 2000));
    REQUIRE(status == 0);
    return json::parse(output);
}

bool close(double ours, double theirs) {
    return std::abs(ours - theirs) <= 1e-9 * std::max(1.0, std::abs(theirs));
}

}  // namespace

TEST_CASE("the adaptive rate follows botocore's adaptive retry mode answer by answer",
          "[rate][botocore]") {
    REQUIRE(std::filesystem::exists(kPython));
    std::mt19937_64 random(20200130);  // botocore's adaptive mode shipped in January 2020
    std::vector<Script> scripts;
    json input = json::array();
    for (int s = 0; s < kScripts; ++s) {
        scripts.push_back(make_script(random));
        input.push_back(to_json(scripts.back()));
    }
    const json replies = run_botocore(input);
    REQUIRE(replies.size() == scripts.size());
    int compared = 0;
    int throttles = 0;
    for (std::size_t s = 0; s < scripts.size(); ++s) {
        const Script& script = scripts[s];
        const json& theirs = replies[s];
        REQUIRE(theirs.size() == script.answers.size());

        ScriptedClock clock(script.start);
        aws::RateLimiter limiter(std::nullopt, clock);
        for (std::size_t i = 0; i < script.answers.size(); ++i) {
            clock.set(script.answers[i].at);
            limiter.on_answer(script.answers[i].throttled);
            throttles += script.answers[i].throttled ? 1 : 0;
            const json& state = theirs[i];
            INFO("script " << s << ", answer " << i << " at " << script.answers[i].at
                           << (script.answers[i].throttled ? " (throttled)" : "")
                           << "; botocore: " << state.dump());
            const auto rate = limiter.adaptive_rate();
            REQUIRE(rate.has_value() == state.at("enabled").get<bool>());
            // Before the first throttle botocore keeps setting its idle bucket's rate; ours
            // has none to show, and neither limits.
            if (rate) REQUIRE(close(*rate, state.at("rate").get<double>()));
            REQUIRE(close(limiter.measured_rate(), state.at("measured").get<double>()));
            ++compared;
        }
    }
    std::cout << "adaptive rate vs botocore: " << compared << " answers compared, " << throttles
              << " of them throttled\n";
    CHECK(compared == kScripts * kAnswersPerScript);
    CHECK(throttles > compared / 10);
}
