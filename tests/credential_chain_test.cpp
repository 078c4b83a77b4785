#include <catch2/catch.hpp>

#include "aws/credentials/chain_provider.hpp"
#include "aws/credentials/sts_client.hpp"
#include "aws/curl_transport.hpp"
#include "credential_test_env.hpp"
#include "e2e/daemon_process.hpp"
#include "fake_credential_servers.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

TEST_CASE("the default chain asks environment, web identity, profile, ECS, then IMDS",
          "[credentials][chain]") {
    ManualClock clock;
    const auto expiration = clock.now() + 1h;
    FakeSts sts;
    sts.add_caller({"AKIDBASE", "base-secret", "", std::nullopt, ""});
    sts.set_issued(temporary_credentials("STS", expiration));
    FakeEcsEndpoint ecs("/creds", "", temporary_credentials("ECS", expiration));
    FakeImds imds("instance-role", temporary_credentials("IMDS", expiration));
    TempDir dir;
    const auto script = dir.write_file("tool.sh",
                                       "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDTOOL\", "
                                       "\"SecretAccessKey\": \"tool-secret\"}'\n");
    std::map<std::string, std::string> env = {
        {"AWS_ACCESS_KEY_ID", "AKIDENV"},
        {"AWS_SECRET_ACCESS_KEY", "env-secret"},
        {"AWS_WEB_IDENTITY_TOKEN_FILE", dir.write_file("token", "web-token").string()},
        {"AWS_ROLE_ARN", "arn:aws:iam::1:role/web"},
        {"AWS_ENDPOINT_URL_STS", sts.endpoint()},
        {"AWS_PROFILE", "role"},
        {"AWS_SHARED_CREDENTIALS_FILE",
         dir.write_file("credentials",
                        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = "
                        "base-secret\n[keys]\naws_access_key_id = AKIDKEYS\n"
                        "aws_secret_access_key = keys-secret\n")
             .string()},
        {"AWS_CONFIG_FILE",
         dir.write_file("config",
                        "[profile role]\nrole_arn = arn:aws:iam::1:role/profile\n"
                        "source_profile = base\n[profile tool]\ncredential_process = "
                        "/bin/sh " +
                            script.string() + "\n[default]\nregion = eu-west-1\n")
             .string()},
        {"AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs.url()},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.endpoint()},
    };
    aws::CurlTransport transport{aws::CurlTransportOptions{}};
    LogCapture log;
    const auto resolve = [&] {
        return aws::make_default_chain(
                   {"", "us-east-1", transport, transport, clock, fake_env(env)})
            ->resolve();
    };

    CHECK(resolve()->source == "environment");
    env.erase("AWS_ACCESS_KEY_ID");
    env.erase("AWS_SECRET_ACCESS_KEY");
    CHECK(resolve()->source == "web identity arn:aws:iam::1:role/web");
    env.erase("AWS_WEB_IDENTITY_TOKEN_FILE");
    CHECK(resolve()->source == "assumed role of profile role");
    env["AWS_PROFILE"] = "keys";
    CHECK(resolve()->source == "profile keys");
    env["AWS_PROFILE"] = "tool";
    CHECK(resolve()->source == "credential_process of profile tool");
    env.erase("AWS_PROFILE");
    CHECK(resolve()->source == "ecs container");
    env.erase("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    CHECK(resolve()->source == "ec2 instance role instance-role");
    env["AWS_EC2_METADATA_DISABLED"] = "true";
    CHECK_THAT(credentials_error_of([&] { resolve(); }),
               Contains("no AWS credentials found (tried: environment, web identity, assume "
                        "role, profile, credential_process, ecs container, ec2 instance "
                        "metadata)"));

    const std::string logged = log.text();
    CHECK_THAT(logged, Contains("AWS credentials: using web identity arn:aws:iam::1:role/web"));
    for (const char* secret : {"env-secret", "web-token", "base-secret", "keys-secret",
                               "tool-secret", "secret-of-", "token-of-"}) {
        CHECK_THAT(logged, !Contains(secret));
    }
}

TEST_CASE("the STS endpoint comes from AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, or the region",
          "[credentials][sts]") {
    CHECK(aws::sts_endpoint("eu-west-3", fake_env({})) == "https://sts.eu-west-3.amazonaws.com");
    CHECK(aws::sts_endpoint("cn-north-1", fake_env({})) ==
          "https://sts.cn-north-1.amazonaws.com.cn");
    CHECK(aws::sts_endpoint("eu-west-3", fake_env({{"AWS_ENDPOINT_URL", "http://all:1"}})) ==
          "http://all:1");
    CHECK(aws::sts_endpoint("eu-west-3", fake_env({{"AWS_ENDPOINT_URL", "http://all:1"},
                                                   {"AWS_ENDPOINT_URL_STS", "http://sts:2"}})) ==
          "http://sts:2");
}

TEST_CASE("STS answers and errors parse with the XML library", "[credentials][sts]") {
    const auto credentials = aws::parse_sts_credentials(
        "<?xml version=\"1.0\"?>\n<AssumeRoleResponse "
        "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult><Credentials>"
        "<AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s&amp;k</SecretAccessKey>"
        "<SessionToken>tok</SessionToken><Expiration>2030-01-02T03:04:05.123Z</Expiration>"
        "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
        "AssumeRole");
    CHECK(credentials.access_key_id == "ASIAX");
    CHECK(credentials.secret_access_key == "s&k");
    CHECK(credentials.expiration == std::chrono::system_clock::from_time_t(1893553445));
    CHECK_THROWS_WITH(aws::parse_sts_credentials("<AssumeRoleResponse/>", "AssumeRole"),
                      Contains("has no AssumeRoleResponse/AssumeRoleResult/Credentials"));
    CHECK_THROWS_WITH(aws::parse_sts_credentials("not <xml", "AssumeRole"), Contains("not XML"));
    CHECK(aws::parse_sts_error("<ErrorResponse><Error><Code>AccessDenied</Code><Message>no"
                               "</Message></Error></ErrorResponse>") == "AccessDenied: no");
    CHECK_FALSE(aws::parse_sts_error("<html>502</html>"));
}
