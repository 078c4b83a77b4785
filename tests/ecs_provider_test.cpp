#include <catch2/catch.hpp>

#include "aws/credentials/ecs_provider.hpp"
#include "aws/curl_transport.hpp"
#include "credential_test_env.hpp"
#include "e2e/daemon_process.hpp"
#include "fake_credential_servers.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const auto kExpiration = std::chrono::system_clock::from_time_t(1900000000);

struct EcsSetup {
    FakeEcsEndpoint ecs{"/v2/credentials/task-1234", "ecs-auth-token",
                        temporary_credentials("TASK", kExpiration)};
    aws::CurlTransport transport{aws::CurlTransportOptions{}};

    std::optional<aws::Credentials> resolve(const std::map<std::string, std::string>& env) {
        return aws::EcsProvider(transport, fake_env(env), ecs.base()).resolve();
    }
};

}  // namespace

TEST_CASE("ecs provider yields nothing without a container credentials URI", "[credentials][ecs]") {
    EcsSetup setup;
    CHECK_FALSE(setup.resolve({}));
    CHECK(setup.ecs.served() + setup.ecs.refused() == 0);
}

TEST_CASE("ecs provider reads the relative URI on the container credentials address",
          "[credentials][ecs]") {
    EcsSetup setup;
    const auto credentials =
        setup.resolve({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/task-1234"},
                       {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-auth-token"}});
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "ASIATASK");
    CHECK(credentials->secret_access_key == "secret-of-TASK");
    CHECK(credentials->session_token == "token-of-TASK");
    CHECK(credentials->expiration == kExpiration);
    CHECK(credentials->source == "ecs container");
}

TEST_CASE("ecs provider sends the authorization token of the full URI, file first",
          "[credentials][ecs]") {
    EcsSetup setup;
    TempDir dir;
    std::map<std::string, std::string> env = {
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", setup.ecs.url()},
        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "wrong-token"}};
    const std::string refused = credentials_error_of([&] { setup.resolve(env); });
    CHECK_THAT(refused, Contains("HTTP 401 (Unauthorized: bad authorization token)"));
    CHECK_THAT(refused, !Contains("wrong-token"));
    CHECK(setup.ecs.refused() == 1);

    env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] =
        dir.write_file("token", "ecs-auth-token\n").string();
    REQUIRE(setup.resolve(env));
    CHECK(setup.ecs.served() == 1);

    dir.write_file("token", "rotated-away\n");  // read again on every resolve
    CHECK_THROWS_AS(setup.resolve(env), aws::CredentialsError);
    CHECK(setup.ecs.refused() == 2);
}

TEST_CASE("ecs provider refuses a plain http full URI to a remote host", "[credentials][ecs]") {
    EcsSetup setup;
    CHECK_THAT(
        credentials_error_of([&] {
            setup.resolve({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds"}});
        }),
        Contains("plain http to a host that is not loopback"));
}

TEST_CASE("ecs provider reports an unreachable endpoint", "[credentials][ecs]") {
    aws::CurlTransport transport{aws::CurlTransportOptions{}};
    CHECK_THAT(credentials_error_of([&] {
                   aws::EcsProvider(transport, fake_env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI",
                                                          "http://127.0.0.1:1/creds"}}))
                       .resolve();
               }),
               Contains("ECS container credentials from http://127.0.0.1:1/creds"));
}
