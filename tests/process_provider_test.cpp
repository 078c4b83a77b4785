#include <catch2/catch.hpp>

#include <pthread.h>
#include <signal.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <thread>

#include "aws/credentials/process_provider.hpp"
#include "credential_test_env.hpp"
#include "e2e/daemon_process.hpp"
#include "e2e/e2e_fixture.hpp"
#include "fake_credential_servers.hpp"
#include "finding_generator.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

struct ProcessSetup {
    TempDir dir;

    // A profile "default" whose credential_process runs `script` (a /bin/sh script).
    std::optional<aws::Credentials> resolve(const std::string& script,
                                            std::chrono::milliseconds timeout = 10s) const {
        const auto path = dir.write_file("credentials.sh", script);
        const auto config = dir.write_file("config", "[default]\ncredential_process = /bin/sh " +
                                                         path.string() + " --profile x\n");
        return aws::ProcessProvider(
                   "",
                   fake_env({{"AWS_CONFIG_FILE", config.string()},
                             {"AWS_SHARED_CREDENTIALS_FILE", (dir.path() / "absent").string()}}),
                   timeout)
            .resolve();
    }
};

// The Sig* lines of a /proc/PID/status copy ("SigBlk" -> mask), as numbers.
std::map<std::string, std::uint64_t> signal_masks(const std::filesystem::path& status_copy) {
    std::map<std::string, std::uint64_t> masks;
    std::ifstream in(status_copy);
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        masks[line.substr(0, colon)] = std::stoull(line.substr(colon + 1), nullptr, 16);
    }
    return masks;
}

std::uint64_t bit(int signal) {
    return std::uint64_t{1} << (signal - 1);
}

// Signals 1-31. glibc's posix_spawn leaves its own two real-time signals (32, 33) ignored
// in every child; the new program's C library takes them over.
constexpr std::uint64_t kStandardSignals = (std::uint64_t{1} << 31) - 1;

}  // namespace

TEST_CASE("process provider reads the credential_process JSON", "[credentials][process]") {
    ProcessSetup setup;
    const auto credentials = setup.resolve(
        "[ \"$1\" = --profile ] || exit 3\n"
        "cat <<'JSON'\n{\"Version\": 1, \"AccessKeyId\": \"ASIAPROC\", \"SecretAccessKey\": "
        "\"proc/secret\", \"SessionToken\": \"proc-token\", \"Expiration\": "
        "\"2030-01-02T03:04:05Z\"}\nJSON\n");
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "ASIAPROC");
    CHECK(credentials->secret_access_key == "proc/secret");
    CHECK(credentials->session_token == "proc-token");
    CHECK(credentials->expiration == std::chrono::system_clock::from_time_t(1893553445));
    CHECK(credentials->source == "credential_process of profile default");
}

TEST_CASE("process provider accepts long-term keys without token or expiration",
          "[credentials][process]") {
    ProcessSetup setup;
    const auto credentials = setup.resolve(
        "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \"s\"}'\n");
    REQUIRE(credentials);
    CHECK(credentials->session_token.empty());
    CHECK_FALSE(credentials->expiration);
}

TEST_CASE("process provider yields nothing without a credential_process",
          "[credentials][process]") {
    TempDir dir;
    const auto config = dir.write_file("config", "[default]\nregion = us-east-1\n");
    CHECK_FALSE(aws::ProcessProvider("", fake_env({{"AWS_CONFIG_FILE", config.string()},
                                                   {"HOME", dir.path().string()}}))
                    .resolve());
}

TEST_CASE("process provider reports failures without quoting the output",
          "[credentials][process]") {
    ProcessSetup setup;
    CHECK_THAT(credentials_error_of([&] { setup.resolve("echo secret-output; exit 7\n"); }),
               Contains("credential_process of AWS profile 'default': exited with status 7"));
    const std::string not_json =
        credentials_error_of([&] { setup.resolve("echo '{\"SecretAccessKey\": \"leak'\n"); });
    CHECK_THAT(not_json, Contains("not a JSON object"));
    CHECK_THAT(not_json, !Contains("leak"));
    CHECK_THAT(credentials_error_of([&] {
                   setup.resolve(
                       "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
                       "\"S\"}'\n");
               }),
               Contains("lacks \"Version\": 1"));
    CHECK_THAT(credentials_error_of(
                   [&] { setup.resolve("echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'\n"); }),
               Contains("lacks AccessKeyId or SecretAccessKey"));
    CHECK_THAT(credentials_error_of([&] {
                   setup.resolve(
                       "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": "
                       "\"S\", \"Expiration\": \"tomorrow\"}'\n");
               }),
               Contains("Expiration 'tomorrow' is not ISO-8601"));
}

TEST_CASE("process provider kills a credential_process that outlives its timeout",
          "[credentials][process]") {
    ProcessSetup setup;
    const auto started = std::chrono::steady_clock::now();
    CHECK_THAT(credentials_error_of([&] { setup.resolve("exec sleep 30\n", 300ms); }),
               Contains("no answer within 300 ms; the process was killed"));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("credential_process starts with no blocked signal and default dispositions",
          "[credentials][process]") {
    ProcessSetup setup;
    // The script reports its own mask and ignored set in the two keys. Where /bin/sh is
    // dash (Debian) the shell clears its mask itself, so only the ignored set can tell the
    // difference there; where it is bash (Fedora, RHEL) both can.
    const std::string script = R"sh(
blocked=$(sed -n 's/^SigBlk:[[:space:]]*//p' /proc/$$/status)
ignored=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status)
echo "{\"Version\": 1, \"AccessKeyId\": \"$blocked\", \"SecretAccessKey\": \"$ignored\"}"
)sh";
    // As in the daemon: SIGPIPE ignored, the stop signals blocked in the calling thread.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    struct sigaction previous {};
    REQUIRE(sigaction(SIGPIPE, &ignore, &previous) == 0);
    std::optional<aws::Credentials> credentials;
    std::string error;
    sigset_t caller_mask;
    sigemptyset(&caller_mask);
    std::thread caller([&] {
        sigset_t stop_signals;
        sigemptyset(&stop_signals);
        for (const int signal : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&stop_signals, signal);
        pthread_sigmask(SIG_BLOCK, &stop_signals, &caller_mask);
        pthread_sigmask(SIG_BLOCK, nullptr, &caller_mask);
        try {
            credentials = setup.resolve(script);
        } catch (const std::exception& e) {
            error = e.what();
        }
    });
    caller.join();
    sigaction(SIGPIPE, &previous, nullptr);

    INFO(error);
    REQUIRE(sigismember(&caller_mask, SIGTERM) == 1);
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "0000000000000000");
    CHECK((std::stoull(credentials->secret_access_key, nullptr, 16) & kStandardSignals) == 0);
}

TEST_CASE("the daemon ignores SIGPIPE and its credential_process starts with a clean mask",
          "[credentials][process]") {
    E2eSetup setup;
    setup.api.set_scan("a", generate_findings("a", 3, 1));
    setup.api.add_credentials({"ASIAPROCESS", "process/secret", "", {}, ""});
    const TempDir& dir = setup.dir;
    // The command records its own signal state and the daemon's (its nearest ancestor
    // named codeguru-syncd), then answers with credentials the fake API knows. Its own is
    // read by grep from /proc/self, the mask grep was started with from the shell's: the
    // shell's /proc/$$ read from grep could catch the shell between fork and restoring its
    // mask, all signals blocked (dash blocks them around every fork).
    const auto script = dir.write_file("creds.sh", R"sh(
p=$$
while [ "$p" -gt 1 ]; do
  if [ "$(cat /proc/$p/comm)" = codeguru-syncd ]; then
    grep '^Sig' /proc/$p/status > "$1/daemon.sig"
    break
  fi
  p=$(sed -n 's/^PPid:[[:space:]]*//p' /proc/$p/status)
done
grep '^Sig' /proc/self/status > "$1/child.sig"
echo '{"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "process/secret"}'
)sh");
    std::filesystem::create_directories(dir.path() / ".aws");
    dir.write_file(".aws/config", "[default]\ncredential_process = /bin/sh " + script.string() +
                                      " " + dir.path().string() + "\n");
    std::vector<std::pair<std::string, std::string>> env;
    for (auto& [name, value] : daemon_environment()) {
        if (!name.starts_with("AWS_") && name != "HOME") env.emplace_back(name, value);
    }
    env.emplace_back("HOME", dir.path().string());
    env.emplace_back("AWS_EC2_METADATA_DISABLED", "true");

    DaemonProcess daemon(dir.path(), {setup.write_config(setup.config({"a"})), "--once"}, env);
    const auto status = daemon.wait_for(60s);
    REQUIRE(status);
    INFO(daemon.stderr_text());
    CHECK(status->exited_with(0));
    auto daemon_masks = signal_masks(dir.path() / "daemon.sig");
    auto child_masks = signal_masks(dir.path() / "child.sig");
    REQUIRE(daemon_masks.count("SigBlk") == 1);
    REQUIRE(child_masks.count("SigBlk") == 1);
    CHECK((daemon_masks["SigIgn"] & bit(SIGPIPE)) != 0);
    // What the child must not inherit: the daemon blocks its stop signals everywhere.
    CHECK((daemon_masks["SigBlk"] & bit(SIGTERM)) != 0);
    CHECK(child_masks["SigBlk"] == 0);
    CHECK((child_masks["SigIgn"] & kStandardSignals) == 0);
}
