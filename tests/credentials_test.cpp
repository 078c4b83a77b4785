#include <stdlib.h>
#include <catch2/catch.hpp>

#include "credential_test_env.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aws/credentials/cached_provider.hpp"
#include "aws/credentials/chain_provider.hpp"
#include "aws/credentials/environment_provider.hpp"
#include "aws/credentials/profile_provider.hpp"
#include "aws/http_transport.hpp"
#include "aws/shared_config_files.hpp"
#include "util/clock.hpp"

using namespace codeguru::aws;
using codeguru::test::ManualClock;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

// A fake environment: a map instead of the process's variables.
EnvLookup fake_env(std::map<std::string, std::string> variables) {
    return
        [variables = std::move(variables)](const std::string& name) -> std::optional<std::string> {
            const auto it = variables.find(name);
            if (it == variables.end()) {
                return std::nullopt;
            }
            return it->second;
        };
}

// A private directory that is removed with everything in it when it goes out of scope.
class TempDir {
  public:
    TempDir() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "codeguru-credentials-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path write(const std::string& relative, const std::string& text) const {
        const auto file = path_ / relative;
        std::filesystem::create_directories(file.parent_path());
        std::ofstream(file, std::ios::binary) << text;
        return file;
    }

  private:
    std::filesystem::path path_;
};

// A HOME with ~/.aws/credentials and ~/.aws/config (either may be left out).
struct AwsHome {
    TempDir dir;
    std::map<std::string, std::string> env;

    AwsHome(const std::optional<std::string>& credentials,
            const std::optional<std::string>& config) {
        env["HOME"] = dir.path().string();
        if (credentials) {
            dir.write(".aws/credentials", *credentials);
        }
        if (config) {
            dir.write(".aws/config", *config);
        }
    }

    std::optional<Credentials> resolve(const std::string& profile = "") const {
        return ProfileProvider(profile, fake_env(env)).resolve();
    }
};

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const CredentialsError& error) {
        return error.what();
    }
    FAIL("expected a CredentialsError");
    return "";
}

// A transport to nowhere: every request fails as if no server listened.
class UnreachableTransport final : public HttpTransport {
  public:
    HttpResponse send(const HttpRequest& request) override {
        throw TransportError(TransportError::Kind::kConnect, "cannot connect to " + request.url);
    }
};

// A provider whose answers a test scripts; counts its calls.
class FakeProvider final : public CredentialsProvider {
  public:
    using Answer = std::function<std::optional<Credentials>()>;

    FakeProvider(std::string name, Answer answer, std::atomic<int>* calls = nullptr)
        : name_(std::move(name)), answer_(std::move(answer)), calls_(calls) {}

    std::optional<Credentials> resolve() override {
        if (calls_ != nullptr) {
            ++*calls_;
        }
        return answer_();
    }
    std::string_view name() const override { return name_; }

  private:
    std::string name_;
    Answer answer_;
    std::atomic<int>* calls_;
};

Credentials credentials_with(std::string key_id,
                             std::optional<std::chrono::system_clock::time_point> expiration = {}) {
    Credentials credentials;
    credentials.access_key_id = std::move(key_id);
    credentials.secret_access_key = "secret";
    credentials.expiration = expiration;
    return credentials;
}

}  // namespace

// --- environment -------------------------------------------------------------------------

TEST_CASE("environment provider yields nothing when no key variable is set", "[credentials]") {
    CHECK_FALSE(EnvironmentProvider(fake_env({})).resolve());
    CHECK_FALSE(
        EnvironmentProvider(fake_env({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}}))
            .resolve());
}

TEST_CASE("environment provider reads the key pair and the session token", "[credentials]") {
    const auto credentials = EnvironmentProvider(fake_env({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                                           {"AWS_SECRET_ACCESS_KEY", "envsecret"},
                                                           {"AWS_SESSION_TOKEN", "envtoken"}}))
                                 .resolve();
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "AKIDENV");
    CHECK(credentials->secret_access_key == "envsecret");
    CHECK(credentials->session_token == "envtoken");
    CHECK(credentials->source == "environment");
    CHECK_FALSE(credentials->expiration);
}

TEST_CASE("environment provider rejects half a key pair without showing the secret",
          "[credentials]") {
    CHECK_THAT(error_of([] {
                   EnvironmentProvider(fake_env({{"AWS_ACCESS_KEY_ID", "AKIDENV"}})).resolve();
               }),
               Contains("AWS_SECRET_ACCESS_KEY is not"));
    const std::string message = error_of([] {
        EnvironmentProvider(fake_env({{"AWS_SECRET_ACCESS_KEY", "envsecret"}})).resolve();
    });
    CHECK_THAT(message, Contains("AWS_ACCESS_KEY_ID is not"));
    CHECK_THAT(message, !Contains("envsecret"));
}

// --- shared files ------------------------------------------------------------------------

TEST_CASE("shared file parser handles comments, whitespace, key case and continuations",
          "[credentials][shared_config]") {
    const std::string text =
        "\xEF\xBB\xBF# a comment\r\n"
        "; another comment\n"
        "\n"
        "  [ default ]  ; trailing comment\n"
        "  AWS_Access_Key_ID   =   AKIDFILE   \n"
        "aws_secret_access_key=sec#ret ; inline comment\n"
        "region = us-west-2 # inline comment\n"
        "s3 =\n"
        "    max_concurrent_requests = 10\n"
        "    addressing_style = path\n"
        "empty =\n"
        "[default]\n"
        "output = json\n";
    const SharedFile file = parse_shared_file(text, SharedFileKind::kCredentials, "creds");
    REQUIRE(file.profiles.count("default") == 1);
    const ProfileProperties& properties = file.profiles.at("default");
    CHECK(properties.at("aws_access_key_id") == "AKIDFILE");
    CHECK(properties.at("aws_secret_access_key") == "sec#ret");
    CHECK(properties.at("region") == "us-west-2");
    CHECK(properties.at("s3") == "\nmax_concurrent_requests = 10\naddressing_style = path");
    CHECK(properties.at("empty").empty());
    CHECK(properties.at("output") == "json");  // a repeated section adds to the first
}

TEST_CASE(
    "config file profiles are \"profile x\" sections and \"default\", credentials file ones are "
    "bare names",
    "[credentials][shared_config]") {
    const std::string text =
        "[profile dev]\nregion = eu-west-1\n"
        "[profile   spaced  ]\nregion = eu-west-2\n"
        "[staging]\nregion = eu-west-3\n"
        "[sso-session corp]\nsso_region = us-east-1\n"
        "[profile default]\nregion = us-east-2\n"
        "[default]\nregion = ignored\n";
    const SharedFile config = parse_shared_file(text, SharedFileKind::kConfig, "config");
    CHECK(config.profiles.at("dev").at("region") == "eu-west-1");
    CHECK(config.profiles.at("spaced").at("region") == "eu-west-2");
    CHECK(config.profiles.count("staging") == 0);
    CHECK(config.other_sections.at("staging").at("region") == "eu-west-3");
    CHECK(config.other_sections.at("sso-session corp").at("sso_region") == "us-east-1");
    CHECK(config.profiles.at("default").at("region") == "us-east-2");

    const SharedFile credentials = parse_shared_file(text, SharedFileKind::kCredentials, "creds");
    CHECK(credentials.profiles.count("profile dev") == 1);
    CHECK(credentials.profiles.count("dev") == 0);
    CHECK(credentials.profiles.at("staging").at("region") == "eu-west-3");
}

TEST_CASE("shared file parser names file and line of a malformed line, never its content",
          "[credentials][shared_config]") {
    const auto message_for = [](const std::string& text) {
        return error_of(
            [&text] { parse_shared_file(text, SharedFileKind::kCredentials, "/x/creds"); });
    };
    const std::string no_equals = message_for("[default]\naws_secret_access_key SECRETVALUE\n");
    CHECK_THAT(no_equals, Contains("line 2") && Contains("/x/creds"));
    CHECK_THAT(no_equals, !Contains("SECRETVALUE"));
    CHECK_THAT(message_for("aws_access_key_id = AKID\n"), Contains("line 1"));
    CHECK_THAT(message_for("[default\n"), Contains("line 1"));
    CHECK_THAT(message_for("[default]\n= value\n"), Contains("line 2"));
}

TEST_CASE("shared file paths come from the environment, else from HOME",
          "[credentials][shared_config]") {
    const auto defaults = shared_config_paths(fake_env({{"HOME", "/home/op"}}));
    CHECK(defaults.credentials == "/home/op/.aws/credentials");
    CHECK(defaults.config == "/home/op/.aws/config");

    const auto overridden = shared_config_paths(fake_env({{"HOME", "/home/op"},
                                                          {"AWS_SHARED_CREDENTIALS_FILE", "/etc/c"},
                                                          {"AWS_CONFIG_FILE", "~/cfg"}}));
    CHECK(overridden.credentials == "/etc/c");
    CHECK(overridden.config == "/home/op/cfg");

    const auto homeless = shared_config_paths(fake_env({}));
    CHECK(homeless.credentials.empty());
    CHECK(homeless.config.empty());
}

TEST_CASE("an absent shared file is empty and an unreadable one is an error",
          "[credentials][shared_config]") {
    TempDir dir;
    const SharedFile absent = load_shared_file(dir.path() / "nope", SharedFileKind::kConfig);
    CHECK_FALSE(absent.found);
    CHECK(absent.profiles.empty());
    CHECK_THAT(error_of([&dir] { load_shared_file(dir.path(), SharedFileKind::kConfig); }),
               Contains("cannot read"));
}

// --- profile -----------------------------------------------------------------------------

TEST_CASE("profile provider reads the default profile's keys and token", "[credentials][profile]") {
    const AwsHome home(
        "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = defsecret\n"
        "aws_session_token = deftoken\n",
        std::nullopt);
    const auto credentials = home.resolve();
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "AKIDDEF");
    CHECK(credentials->secret_access_key == "defsecret");
    CHECK(credentials->session_token == "deftoken");
    CHECK(credentials->source == "profile default");
}

TEST_CASE("profile provider prefers the credentials file to the config file, key by key",
          "[credentials][profile]") {
    const AwsHome home("[dev]\naws_access_key_id = AKIDCRED\naws_secret_access_key = credsecret\n",
                       "[profile dev]\naws_access_key_id = AKIDCONF\n"
                       "aws_secret_access_key = confsecret\naws_session_token = conftoken\n");
    const auto credentials = home.resolve("dev");
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "AKIDCRED");
    CHECK(credentials->secret_access_key == "credsecret");
    CHECK(credentials->session_token == "conftoken");
}

TEST_CASE("profile provider reads a \"profile x\" config section but not a bare \"x\" one",
          "[credentials][profile]") {
    const AwsHome home(std::nullopt,
                       "[profile dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s1\n"
                       "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s2\n");
    REQUIRE(home.resolve("dev"));
    CHECK(home.resolve("dev")->access_key_id == "AKIDDEV");
    CHECK_THAT(error_of([&home] { home.resolve("prod"); }), Contains("'prod'"));
}

TEST_CASE("profile provider takes the explicit profile over AWS_PROFILE over default",
          "[credentials][profile]") {
    AwsHome home(
        "[default]\naws_access_key_id = AKIDDEF\naws_secret_access_key = s0\n"
        "[fromenv]\naws_access_key_id = AKIDENVP\naws_secret_access_key = s1\n"
        "[explicit]\naws_access_key_id = AKIDEXP\naws_secret_access_key = s2\n",
        std::nullopt);
    CHECK(home.resolve()->access_key_id == "AKIDDEF");
    home.env["AWS_PROFILE"] = "fromenv";
    CHECK(home.resolve()->access_key_id == "AKIDENVP");
    CHECK(home.resolve("explicit")->access_key_id == "AKIDEXP");
    CHECK(home.resolve("explicit")->source == "profile explicit");
}

TEST_CASE("profile provider honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE",
          "[credentials][profile]") {
    AwsHome home("[default]\naws_access_key_id = AKIDHOME\naws_secret_access_key = s0\n",
                 std::nullopt);
    home.env["AWS_SHARED_CREDENTIALS_FILE"] =
        home.dir.write("elsewhere/creds", "[ops]\naws_access_key_id = AKIDOPS\n").string();
    home.env["AWS_CONFIG_FILE"] =
        home.dir.write("elsewhere/conf", "[profile ops]\naws_secret_access_key = s1\n").string();
    CHECK_FALSE(home.resolve());  // default is not in the files named by the environment
    const auto credentials = home.resolve("ops");
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "AKIDOPS");
    CHECK(credentials->secret_access_key == "s1");
}

TEST_CASE("profile provider yields nothing without files or static keys",
          "[credentials][profile]") {
    CHECK_FALSE(AwsHome(std::nullopt, std::nullopt).resolve());
    CHECK_FALSE(ProfileProvider("", fake_env({})).resolve());
    CHECK_FALSE(AwsHome(std::nullopt, "[default]\nregion = us-east-1\n").resolve());
    CHECK_FALSE(AwsHome("[other]\naws_access_key_id = A\naws_secret_access_key = B\n", std::nullopt)
                    .resolve());
}

TEST_CASE("profile provider rejects a chosen profile that does not exist, naming the files",
          "[credentials][profile]") {
    AwsHome home("[default]\naws_access_key_id = A\naws_secret_access_key = B\n", std::nullopt);
    const std::string message = error_of([&home] { home.resolve("missing"); });
    CHECK_THAT(message,
               Contains("'missing'") && Contains(".aws/credentials") && Contains(".aws/config"));
    home.env["AWS_PROFILE"] = "alsomissing";
    CHECK_THAT(error_of([&home] { home.resolve(); }), Contains("'alsomissing'"));
}

TEST_CASE("profile provider rejects half a key pair naming profile and file, not the secret",
          "[credentials][profile]") {
    const AwsHome key_only("[dev]\naws_access_key_id = AKIDHALF\n", std::nullopt);
    CHECK_THAT(
        error_of([&key_only] { key_only.resolve("dev"); }),
        Contains("'dev'") && Contains(".aws/credentials") && Contains("no aws_secret_access_key"));

    const AwsHome secret_only(std::nullopt, "[profile dev]\naws_secret_access_key = TOPSECRET\n");
    const std::string message = error_of([&secret_only] { secret_only.resolve("dev"); });
    CHECK_THAT(message,
               Contains("'dev'") && Contains(".aws/config") && Contains("no aws_access_key_id"));
    CHECK_THAT(message, !Contains("TOPSECRET"));
}

TEST_CASE("profile provider reports a malformed file", "[credentials][profile]") {
    const AwsHome home("[default]\nthis line is broken\n", std::nullopt);
    CHECK_THAT(error_of([&home] { home.resolve(); }),
               Contains("line 2") && Contains(".aws/credentials"));
}

// --- chain -------------------------------------------------------------------------------

TEST_CASE("chain returns the first provider that yields and asks no further",
          "[credentials][chain]") {
    std::atomic<int> first_calls = 0;
    std::atomic<int> second_calls = 0;
    std::atomic<int> third_calls = 0;
    std::vector<std::unique_ptr<CredentialsProvider>> providers;
    providers.push_back(std::make_unique<FakeProvider>(
        "first", [] { return std::nullopt; }, &first_calls));
    providers.push_back(std::make_unique<FakeProvider>(
        "second", [] { return credentials_with("AKIDSECOND"); }, &second_calls));
    providers.push_back(std::make_unique<FakeProvider>(
        "third", [] { return credentials_with("AKIDTHIRD"); }, &third_calls));
    ChainProvider chain(std::move(providers));
    const auto credentials = chain.resolve();
    REQUIRE(credentials);
    CHECK(credentials->access_key_id == "AKIDSECOND");
    CHECK(credentials->source == "second");
    CHECK(first_calls == 1);
    CHECK(second_calls == 1);
    CHECK(third_calls == 0);
}

TEST_CASE("chain lists what it tried when no provider yields", "[credentials][chain]") {
    std::vector<std::unique_ptr<CredentialsProvider>> providers;
    providers.push_back(std::make_unique<FakeProvider>("environment", [] { return std::nullopt; }));
    providers.push_back(std::make_unique<FakeProvider>("profile", [] { return std::nullopt; }));
    ChainProvider chain(std::move(providers));
    CHECK_THAT(error_of([&chain] { chain.resolve(); }),
               Contains("no AWS credentials") && Contains("environment, profile"));
}

TEST_CASE("chain stops at a provider that is configured but broken", "[credentials][chain]") {
    std::atomic<int> later_calls = 0;
    std::vector<std::unique_ptr<CredentialsProvider>> providers;
    providers.push_back(
        std::make_unique<FakeProvider>("broken", []() -> std::optional<Credentials> {
            throw CredentialsError("profile 'x' is malformed");
        }));
    providers.push_back(std::make_unique<FakeProvider>(
        "later", [] { return credentials_with("AKIDLATER"); }, &later_calls));
    ChainProvider chain(std::move(providers));
    CHECK_THAT(error_of([&chain] { chain.resolve(); }), Contains("profile 'x' is malformed"));
    CHECK(later_calls == 0);
}

TEST_CASE("default chain takes the environment before the shared files", "[credentials][chain]") {
    AwsHome home("[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n",
                 std::nullopt);
    UnreachableTransport transport;
    ManualClock clock;
    const auto chain = [&](std::map<std::string, std::string> env) {
        return make_default_chain({"", "us-east-1", transport, transport, clock, fake_env(env)});
    };
    CHECK(chain(home.env)->resolve()->source == "profile default");

    home.env["AWS_ACCESS_KEY_ID"] = "AKIDENV";
    home.env["AWS_SECRET_ACCESS_KEY"] = "envsecret";
    const auto credentials = chain(home.env)->resolve();
    CHECK(credentials->access_key_id == "AKIDENV");
    CHECK(credentials->source == "environment");

    CHECK_THAT(error_of([&] { chain({})->resolve(); }),
               Contains("(tried: environment, web identity, assume role, profile, "
                        "credential_process, ecs container, ec2 instance metadata)"));
}

// --- cache -------------------------------------------------------------------------------

TEST_CASE("cache keeps credentials without expiration for good", "[credentials][cache]") {
    ManualClock clock;
    std::atomic<int> calls = 0;
    CachedProvider cache(std::make_unique<FakeProvider>(
                             "static", [] { return credentials_with("AKIDSTATIC"); }, &calls),
                         clock);
    CHECK(cache.resolve()->access_key_id == "AKIDSTATIC");
    clock.advance(std::chrono::hours(24 * 365));
    CHECK(cache.resolve()->access_key_id == "AKIDSTATIC");
    CHECK(calls == 1);
    CHECK(cache.name() == "static");
}

TEST_CASE("cache resolves again within five minutes of expiration", "[credentials][cache]") {
    ManualClock clock;
    std::atomic<int> calls = 0;
    const auto start = clock.now();
    CachedProvider cache(std::make_unique<FakeProvider>(
                             "temporary",
                             [&calls, start] {
                                 return credentials_with("AKID" + std::to_string(calls.load()),
                                                         start + calls.load() * 1h);
                             },
                             &calls),
                         clock);
    CHECK(cache.resolve()->access_key_id == "AKID1");  // expires at start + 1h
    clock.advance(54min);
    CHECK(cache.resolve()->access_key_id == "AKID1");
    CHECK(calls == 1);
    clock.advance(1min + 1s);  // 4m59s before expiration
    CHECK(cache.resolve()->access_key_id == "AKID2");
    CHECK(calls == 2);
    CHECK(cache.resolve()->access_key_id == "AKID2");
    CHECK(calls == 2);
}

TEST_CASE("cache keeps unexpired credentials when a refresh fails, not expired ones",
          "[credentials][cache]") {
    ManualClock clock;
    std::atomic<int> calls = 0;
    const auto expiration = clock.now() + 10min;
    CachedProvider cache(std::make_unique<FakeProvider>(
                             "flaky",
                             [&calls, expiration]() -> std::optional<Credentials> {
                                 if (calls == 1) {
                                     return credentials_with("AKIDOLD", expiration);
                                 }
                                 throw std::runtime_error("metadata service unreachable");
                             },
                             &calls),
                         clock);
    CHECK(cache.resolve()->access_key_id == "AKIDOLD");
    clock.advance(6min);  // within the refresh window
    CHECK(cache.resolve()->access_key_id == "AKIDOLD");
    CHECK(calls == 2);
    clock.advance(4min);  // expired now
    CHECK_THROWS_WITH(cache.resolve(), "metadata service unreachable");
    CHECK(calls == 3);
}

TEST_CASE("cache runs one refresh at a time across threads", "[credentials][cache]") {
    ManualClock clock;
    std::atomic<int> calls = 0;
    std::atomic<int> running = 0;
    std::atomic<int> most_running = 0;
    const auto start = clock.now();
    CachedProvider cache(std::make_unique<FakeProvider>(
                             "slow",
                             [&] {
                                 const int now_running = ++running;
                                 int seen = most_running.load();
                                 while (now_running > seen &&
                                        !most_running.compare_exchange_weak(seen, now_running)) {
                                 }
                                 std::this_thread::sleep_for(20ms);
                                 --running;
                                 return credentials_with("AKIDSLOW", start + 1h);
                             },
                             &calls),
                         clock);
    std::vector<std::thread> threads;
    std::atomic<int> failures = 0;
    for (int i = 0; i < 8; ++i) {
        threads.emplace_back([&cache, &failures] {
            for (int j = 0; j < 20; ++j) {
                const auto credentials = cache.resolve();
                if (!credentials || credentials->access_key_id != "AKIDSLOW") {
                    ++failures;
                }
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    CHECK(failures == 0);
    CHECK(most_running == 1);
    CHECK(calls == 1);
}
