#include <catch2/catch.hpp>

#include <memory>

#include "aws/credentials/assume_role_provider.hpp"
#include "aws/curl_transport.hpp"
#include "credential_test_env.hpp"
#include "e2e/daemon_process.hpp"
#include "fake_credential_servers.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kSourceKeys =
    "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/secret+key\n";

struct AssumeRoleSetup {
    ManualClock clock;
    FakeSts sts;
    TempDir home;
    aws::CurlTransport transport{aws::CurlTransportOptions{}};
    std::map<std::string, std::string> env;

    AssumeRoleSetup() {
        env["HOME"] = home.path().string();
        aws::Credentials base;
        base.access_key_id = "AKIDBASE";
        base.secret_access_key = "base/secret+key";
        sts.add_caller(base);
        sts.set_issued(temporary_credentials("ROLE1", clock.now() + 1h));
    }

    void files(const std::string& credentials, const std::string& config) const {
        home.write_file(".aws-credentials", credentials);
        home.write_file(".aws-config", config);
    }

    std::optional<aws::Credentials> resolve(const std::string& profile = "") {
        env["AWS_SHARED_CREDENTIALS_FILE"] = (home.path() / ".aws-credentials").string();
        env["AWS_CONFIG_FILE"] = (home.path() / ".aws-config").string();
        aws::AssumeRoleProvider provider(
            profile,
            std::make_shared<aws::StsClient>(sts.endpoint(), "us-east-1", transport, clock), clock,
            fake_env(env), 5s);
        return provider.resolve();
    }
};

}  // namespace

TEST_CASE("assume role provider yields nothing for a profile without role_arn",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.files(kSourceKeys, "[default]\nregion = us-east-1\n");
    CHECK_FALSE(setup.resolve());
    CHECK_FALSE(setup.resolve("absent"));
    CHECK(setup.sts.calls().empty());
}

TEST_CASE("assume role provider signs AssumeRole with the source profile's keys",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.files(kSourceKeys,
                "[profile sync]\nrole_arn = arn:aws:iam::123456789012:role/sync\n"
                "source_profile = base\nexternal_id = ext-42\nduration_seconds = 1800\n"
                "role_session_name = nightly\n");
    const auto credentials = setup.resolve("sync");
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "ASIAROLE1");
    CHECK(credentials->session_token == "token-of-ROLE1");
    CHECK(credentials->expiration == setup.clock.now() + 1h);
    CHECK(credentials->source == "assumed role of profile sync");

    CHECK(setup.sts.refused() == 0);
    const auto calls = setup.sts.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].action == "AssumeRole");
    CHECK(calls[0].signed_by == "AKIDBASE");
    CHECK(calls[0].params.at("RoleArn") == "arn:aws:iam::123456789012:role/sync");
    CHECK(calls[0].params.at("RoleSessionName") == "nightly");
    CHECK(calls[0].params.at("ExternalId") == "ext-42");
    CHECK(calls[0].params.at("DurationSeconds") == "1800");
}

TEST_CASE("the fake STS refuses an AssumeRole signed with the wrong secret",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.files("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = not-the-secret\n",
                "[default]\nrole_arn = arn:aws:iam::123456789012:role/sync\nsource_profile = "
                "base\n");
    const std::string error = credentials_error_of([&] { setup.resolve(); });
    CHECK_THAT(error, Contains("STS AssumeRole of arn:aws:iam::123456789012:role/sync failed: "
                               "SignatureDoesNotMatch") &&
                          Contains("(HTTP 403)"));
    CHECK_THAT(error, !Contains("not-the-secret"));
    CHECK(setup.sts.refused() == 1);
}

TEST_CASE("assume role provider chains roles through source profiles",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.sts.add_caller(temporary_credentials("ROLE1", setup.clock.now() + 1h));
    setup.files(kSourceKeys,
                "[profile hop]\nrole_arn = arn:aws:iam::111111111111:role/hop\n"
                "source_profile = base\n"
                "[profile target]\nrole_arn = arn:aws:iam::222222222222:role/target\n"
                "source_profile = hop\n");
    REQUIRE(setup.resolve("target"));
    const auto calls = setup.sts.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[0].params.at("RoleArn") == "arn:aws:iam::111111111111:role/hop");
    CHECK(calls[0].signed_by == "AKIDBASE");
    CHECK(calls[1].params.at("RoleArn") == "arn:aws:iam::222222222222:role/target");
    CHECK(calls[1].signed_by == "ASIAROLE1");
}

TEST_CASE("a profile that is its own source_profile assumes its role with its static keys",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.files("[self]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/secret+key\n",
                "[profile self]\nrole_arn = arn:aws:iam::123456789012:role/self\n"
                "source_profile = self\n");
    REQUIRE(setup.resolve("self"));
    CHECK(setup.sts.calls().at(0).signed_by == "AKIDBASE");
}

TEST_CASE("a cycle of source profiles is a clear error", "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.files("",
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n"
                "[profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = c\n"
                "[profile c]\nrole_arn = arn:aws:iam::1:role/c\nsource_profile = a\n");
    CHECK(credentials_error_of([&] { setup.resolve("a"); }) ==
          "AWS profiles form a cycle of source_profile: a -> b -> c -> a");
    CHECK(setup.sts.calls().empty());
}

TEST_CASE("assume role provider takes a credential_process as the source",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    const auto script =
        setup.home.write_file("creds.sh",
                              "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDBASE\", "
                              "\"SecretAccessKey\": \"base/secret+key\"}'\n");
    setup.files("", "[profile tool]\ncredential_process = sh " + script.string() +
                        "\n[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = tool\n");
    REQUIRE(setup.resolve());
    CHECK(setup.sts.calls().at(0).signed_by == "AKIDBASE");
}

TEST_CASE("assume role provider rejects missing sources and unsupported settings",
          "[credentials][assume-role]") {
    AssumeRoleSetup setup;
    setup.files(kSourceKeys, "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n");
    CHECK_THAT(credentials_error_of([&] { setup.resolve("a"); }),
               Contains("'a' has role_arn but no source_profile"));
    setup.files(kSourceKeys,
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nobody\n");
    CHECK_THAT(credentials_error_of([&] { setup.resolve("a"); }),
               Contains("source_profile 'nobody' of AWS profile 'a' does not exist"));
    setup.files(
        kSourceKeys,
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\ncredential_source = Ec2InstanceMetadata\n");
    CHECK_THAT(credentials_error_of([&] { setup.resolve("a"); }), Contains("credential_source"));
    setup.files(kSourceKeys,
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
                "source_profile = base\nduration_seconds = 60\n");
    CHECK_THAT(credentials_error_of([&] { setup.resolve("a"); }),
               Contains("duration_seconds '60'"));
}
