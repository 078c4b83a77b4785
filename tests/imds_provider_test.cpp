#include <catch2/catch.hpp>

#include <memory>

#include "aws/credentials/imds_provider.hpp"
#include "aws/curl_transport.hpp"
#include "credential_test_env.hpp"
#include "fake_credential_servers.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const auto kExpiration = std::chrono::system_clock::from_time_t(1900000000);

std::unique_ptr<aws::CurlTransport> short_timeouts() {
    aws::CurlTransportOptions options;
    options.connect_timeout = 1s;
    options.request_timeout = 3s;
    options.bypass_proxy = true;
    return std::make_unique<aws::CurlTransport>(options);
}

}  // namespace

TEST_CASE("imds provider gets a session token, the role and its credentials",
          "[credentials][imds]") {
    FakeImds imds("sync-instance-role", temporary_credentials("INSTANCE", kExpiration));
    auto transport = short_timeouts();
    aws::ImdsProvider provider(*transport,
                               fake_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint()}}));
    const auto credentials = provider.resolve();
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "ASIAINSTANCE");
    CHECK(credentials->secret_access_key == "secret-of-INSTANCE");
    CHECK(credentials->session_token == "token-of-INSTANCE");
    CHECK(credentials->expiration == kExpiration);
    CHECK(credentials->source == "ec2 instance role sync-instance-role");
    CHECK(imds.token_requests() == 1);
    CHECK(imds.credential_requests() == 1);
    CHECK(imds.refused_requests() == 0);
}

TEST_CASE("the fake IMDS refuses requests without the session token", "[credentials][imds]") {
    FakeImds imds("role", temporary_credentials("INSTANCE", kExpiration));
    auto transport = short_timeouts();
    aws::HttpRequest request;
    request.url = imds.endpoint() + "/latest/meta-data/iam/security-credentials/role";
    CHECK(transport->send(request).status == 401);
    CHECK(imds.refused_requests() == 1);
}

TEST_CASE("imds provider yields nothing when disabled, unreachable or without a role",
          "[credentials][imds]") {
    FakeImds imds("role", temporary_credentials("INSTANCE", kExpiration));
    auto transport = short_timeouts();
    CHECK_FALSE(aws::ImdsProvider(*transport,
                                  fake_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint()},
                                            {"AWS_EC2_METADATA_DISABLED", "TRUE"}}))
                    .resolve());
    CHECK(imds.token_requests() == 0);

    const auto started = std::chrono::steady_clock::now();
    CHECK_FALSE(aws::ImdsProvider(*transport, fake_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT",
                                                         "http://127.0.0.1:1"}}))
                    .resolve());
    CHECK(std::chrono::steady_clock::now() - started < 3s);

    imds.set_role("");
    CHECK_FALSE(aws::ImdsProvider(
                    *transport, fake_env({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint()}}))
                    .resolve());
}
