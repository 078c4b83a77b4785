#include <catch2/catch.hpp>

#include "aws/process_provider.hpp"
#include "credential_test_env.hpp"
#include "e2e/daemon_process.hpp"
#include "fake_credential_servers.hpp"

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
