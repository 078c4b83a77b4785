#include <catch2/catch.hpp>

#include <memory>

#include "aws/credentials/cached_provider.hpp"
#include "aws/credentials/web_identity_provider.hpp"
#include "aws/curl_transport.hpp"
#include "credential_test_env.hpp"
#include "e2e/daemon_process.hpp"
#include "fake_credential_servers.hpp"

using namespace codeguru;
using namespace codeguru::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kRole = "arn:aws:iam::123456789012:role/eks-sync";

struct WebIdentitySetup {
    ManualClock clock;
    FakeSts sts;
    TempDir dir;
    aws::CurlTransport transport{aws::CurlTransportOptions{}};
    std::map<std::string, std::string> env;

    WebIdentitySetup() {
        sts.set_issued(temporary_credentials("WEBID1", clock.now() + 1h));
        env["AWS_WEB_IDENTITY_TOKEN_FILE"] = write_token("eyJ-first-token").string();
        env["AWS_ROLE_ARN"] = kRole;
        env["AWS_ROLE_SESSION_NAME"] = "sync-session";
    }

    std::filesystem::path write_token(const std::string& token) const {
        return dir.write_file("token", token + "\n");
    }

    std::unique_ptr<aws::WebIdentityProvider> provider() {
        return std::make_unique<aws::WebIdentityProvider>(
            std::make_shared<aws::StsClient>(sts.endpoint(), "us-east-1", transport, clock), clock,
            fake_env(env));
    }
};

}  // namespace

TEST_CASE("web identity provider yields nothing unless the token file and the role are set",
          "[credentials][web-identity]") {
    WebIdentitySetup setup;
    setup.env.erase("AWS_ROLE_ARN");
    CHECK_FALSE(setup.provider()->resolve());
    setup.env.erase("AWS_WEB_IDENTITY_TOKEN_FILE");
    setup.env["AWS_ROLE_ARN"] = kRole;
    CHECK_FALSE(setup.provider()->resolve());
    CHECK(setup.sts.calls().empty());
}

TEST_CASE("web identity provider trades the token file for STS credentials",
          "[credentials][web-identity]") {
    WebIdentitySetup setup;
    const auto credentials = setup.provider()->resolve();
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "ASIAWEBID1");
    CHECK(credentials->secret_access_key == "secret-of-WEBID1");
    CHECK(credentials->session_token == "token-of-WEBID1");
    CHECK(credentials->expiration == setup.clock.now() + 1h);
    CHECK(credentials->source == std::string("web identity ") + kRole);

    const auto calls = setup.sts.calls();
    REQUIRE(calls.size() == 1);
    CHECK(calls[0].action == "AssumeRoleWithWebIdentity");
    CHECK(calls[0].params.at("RoleArn") == kRole);
    CHECK(calls[0].params.at("RoleSessionName") == "sync-session");
    CHECK(calls[0].params.at("WebIdentityToken") == "eyJ-first-token");
}

TEST_CASE("web identity provider names a session by default", "[credentials][web-identity]") {
    WebIdentitySetup setup;
    setup.env.erase("AWS_ROLE_SESSION_NAME");
    REQUIRE(setup.provider()->resolve());
    CHECK(setup.sts.calls().at(0).params.at("RoleSessionName") == "codeguru-syncd-1700000000000");
}

TEST_CASE("web identity provider reads the token file again at each refresh",
          "[credentials][web-identity][refresh]") {
    WebIdentitySetup setup;
    aws::CachedProvider cache(setup.provider(), setup.clock);
    CHECK(cache.resolve()->access_key_id == "ASIAWEBID1");

    setup.write_token("eyJ-rotated-token");
    setup.sts.set_issued(temporary_credentials("WEBID2", setup.clock.now() + 2h));
    setup.clock.advance(54min);
    CHECK(cache.resolve()->access_key_id == "ASIAWEBID1");  // not within 5 minutes yet
    setup.clock.advance(2min);
    CHECK(cache.resolve()->access_key_id == "ASIAWEBID2");

    const auto calls = setup.sts.calls();
    REQUIRE(calls.size() == 2);
    CHECK(calls[1].params.at("WebIdentityToken") == "eyJ-rotated-token");
}

TEST_CASE("a failed web identity refresh keeps the old credentials until they expire",
          "[credentials][web-identity][refresh]") {
    WebIdentitySetup setup;
    aws::CachedProvider cache(setup.provider(), setup.clock);
    CHECK(cache.resolve()->access_key_id == "ASIAWEBID1");

    setup.sts.fail_next(100, 400, "ExpiredTokenException", "Token expired: current date/time");
    setup.clock.advance(57min);
    {
        LogCapture log;
        CHECK(cache.resolve()->access_key_id == "ASIAWEBID1");
        CHECK_THAT(log.text(), Contains("[warning]") && Contains("ExpiredTokenException") &&
                                   Contains("keeping the current ones, which expire in 180s"));
        CHECK_THAT(log.text(), !Contains("eyJ-first-token"));
    }
    setup.clock.advance(3min);
    const std::string error = credentials_error_of([&] { cache.resolve(); });
    CHECK_THAT(error, Contains("AssumeRoleWithWebIdentity") && Contains(kRole) &&
                          Contains("ExpiredTokenException: Token expired") &&
                          Contains("(HTTP 400)"));
    CHECK_THAT(error, !Contains("eyJ-first-token"));

    setup.sts.fail_next(0, 0, "", "");
    setup.sts.set_issued(temporary_credentials("WEBID3", setup.clock.now() + 1h));
    CHECK(cache.resolve()->access_key_id == "ASIAWEBID3");  // recovers on the next call
}

TEST_CASE("web identity provider names an unreadable or empty token file, not its content",
          "[credentials][web-identity]") {
    WebIdentitySetup setup;
    setup.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = (setup.dir.path() / "absent").string();
    CHECK_THAT(credentials_error_of([&] { setup.provider()->resolve(); }),
               Contains("cannot read") && Contains("AWS_WEB_IDENTITY_TOKEN_FILE"));
    setup.env["AWS_WEB_IDENTITY_TOKEN_FILE"] = setup.dir.write_file("empty", " \n").string();
    CHECK_THAT(credentials_error_of([&] { setup.provider()->resolve(); }), Contains("is empty"));
}
