#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "credential_test_env.hpp"
#include "e2e/e2e_fixture.hpp"
#include "fake_credential_servers.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

using Environment = std::vector<std::pair<std::string, std::string>>;

// What no output of the daemon may contain.
const std::vector<std::string> kSecrets = {
    "env/secret+key",     "env-session-token", "profile/secret+key", "secret-of-",
    "token-of-",          "eyJwebidentity",    "process/secret",     "process-session-token",
    "imds-session-token", "ecs-auth-token"};

// The test environment without AWS_* variables (daemon_environment() adds keys), with
// HOME in `home` and IMDS off unless a case turns it on.
Environment base_environment(const TempDir& home) {
    Environment env;
    for (auto& [name, value] : daemon_environment()) {
        if (!name.starts_with("AWS_") && name != "HOME") env.emplace_back(name, value);
    }
    env.emplace_back("HOME", home.path().string());
    return env;
}

struct SecretsSetup {
    E2eSetup e2e;
    FakeSts sts;
    const std::chrono::system_clock::time_point expiration = std::chrono::system_clock::now() + 1h;

    SecretsSetup() {
        e2e.api.set_scan("a", generate_findings("a", 3, 1));
        sts.set_issued(temporary_credentials("STSISSUED", expiration));
        e2e.api.add_credentials(temporary_credentials("STSISSUED", expiration));
    }

    // Runs one --once sync at debug level; checks it succeeded with `source` and leaked
    // nothing.
    void run(Environment env, const std::string& source) {
        const std::string config = e2e.write_config(e2e.config({"a"}));
        DaemonProcess daemon(e2e.dir.path(), {config, "--once", "--log-level", "debug"},
                             std::move(env));
        const auto status = daemon.wait_for(60s);
        REQUIRE(status);
        const std::string output = daemon.stdout_text() + daemon.stderr_text();
        INFO(output);
        CHECK(status->exited_with(0));
        CHECK_THAT(output, Contains("AWS credentials: using " + source));
        CHECK_THAT(output, Contains(" debug "));
        for (const auto& secret : kSecrets) {
            CHECK_THAT(output, !Contains(secret));
        }
    }
};

}  // namespace

TEST_CASE("the daemon at debug level shows no secret of any credential provider",
          "[credentials][secrets]") {
    SecretsSetup setup;
    const TempDir& dir = setup.e2e.dir;
    std::filesystem::create_directories(dir.path() / ".aws");
    Environment env = base_environment(dir);
    env.emplace_back("AWS_EC2_METADATA_DISABLED", "true");

    SECTION("environment") {
        setup.e2e.api.add_credentials({"AKIDENV", "env/secret+key", "env-session-token", {}, ""});
        env.emplace_back("AWS_ACCESS_KEY_ID", "AKIDENV");
        env.emplace_back("AWS_SECRET_ACCESS_KEY", "env/secret+key");
        env.emplace_back("AWS_SESSION_TOKEN", "env-session-token");
        setup.run(env, "environment");
    }
    SECTION("web identity") {
        env.emplace_back("AWS_WEB_IDENTITY_TOKEN_FILE",
                         dir.write_file("token", "eyJwebidentity.payload.sig").string());
        env.emplace_back("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/eks");
        env.emplace_back("AWS_ENDPOINT_URL_STS", setup.sts.endpoint());
        setup.run(env, "web identity arn:aws:iam::123456789012:role/eks");
        CHECK(setup.sts.calls().size() == 1);
    }
    SECTION("profile with static keys") {
        setup.e2e.api.add_credentials({"AKIDPROFILE", "profile/secret+key", "", {}, ""});
        dir.write_file(".aws/credentials",
                       "[default]\naws_access_key_id = AKIDPROFILE\n"
                       "aws_secret_access_key = profile/secret+key\n");
        setup.run(env, "profile default");
    }
    SECTION("profile with an assumed role") {
        const aws::Credentials base{"AKIDPROFILE", "profile/secret+key", "", {}, ""};
        setup.sts.add_caller(base);
        dir.write_file(".aws/credentials",
                       "[base]\naws_access_key_id = AKIDPROFILE\n"
                       "aws_secret_access_key = profile/secret+key\n");
        dir.write_file(".aws/config",
                       "[default]\nrole_arn = arn:aws:iam::1:role/sync\n"
                       "source_profile = base\nexternal_id = x\n");
        env.emplace_back("AWS_ENDPOINT_URL_STS", setup.sts.endpoint());
        setup.run(env, "assumed role of profile default");
        CHECK(setup.sts.calls().size() == 1);
    }
    SECTION("credential_process") {
        setup.e2e.api.add_credentials(
            {"ASIAPROCESS", "process/secret", "process-session-token", {}, ""});
        const auto script =
            dir.write_file("creds.sh",
                           "echo '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", "
                           "\"SecretAccessKey\": \"process/secret\", \"SessionToken\": "
                           "\"process-session-token\", \"Expiration\": \"" +
                               iso8601(setup.expiration) + "\"}'\n");
        dir.write_file(".aws/config",
                       "[default]\ncredential_process = /bin/sh " + script.string() + "\n");
        setup.run(env, "credential_process of profile default");
    }
    SECTION("ECS container") {
        setup.e2e.api.add_credentials(temporary_credentials("ECSTASK", setup.expiration));
        FakeEcsEndpoint ecs("/v2/credentials/t", "ecs-auth-token",
                            temporary_credentials("ECSTASK", setup.expiration));
        env.emplace_back("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url());
        env.emplace_back("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth-token");
        setup.run(env, "ecs container");
        CHECK(ecs.served() == 1);
    }
    SECTION("EC2 instance metadata") {
        setup.e2e.api.add_credentials(temporary_credentials("INSTANCE", setup.expiration));
        FakeImds imds("sync-role", temporary_credentials("INSTANCE", setup.expiration));
        Environment imds_env = base_environment(dir);
        imds_env.emplace_back("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint());
        setup.run(imds_env, "ec2 instance role sync-role");
        CHECK(imds.credential_requests() == 1);
    }
}

TEST_CASE("the daemon names aws.region when neither the config nor the profile has one",
          "[credentials][region]") {
    TempDir dir;
    const auto config = dir.write_file("c.conf", "[sync]\nscan = a\n");
    Environment env = base_environment(dir);
    DaemonProcess daemon(dir.path(), {"--config=" + config.string(), "--check-config"}, env);
    const auto status = daemon.wait_for(30s);
    REQUIRE(status);
    CHECK(status->exited_with(2));
    CHECK_THAT(daemon.stderr_text(), Contains("missing required key aws.region") &&
                                         Contains("the AWS profile has no region either"));

    std::filesystem::create_directories(dir.path() / ".aws");
    dir.write_file(".aws/config", "[profile ops]\nregion = eu-central-1\n");
    env.emplace_back("AWS_PROFILE", "ops");
    DaemonProcess with_profile(dir.path(), {"--config=" + config.string(), "--check-config"}, env);
    const auto ok = with_profile.wait_for(30s);
    REQUIRE(ok);
    CHECK(ok->exited_with(0));
    CHECK_THAT(with_profile.stdout_text(), Contains("eu-central-1"));
}
