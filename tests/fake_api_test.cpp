#include <catch2/catch.hpp>

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aws/sigv4_signer.hpp"
#include "fake_api.hpp"
#include "finding_generator.hpp"

using codeguru::aws::Credentials;
using codeguru::aws::SignableRequest;
using codeguru::aws::SigV4Signer;
using codeguru::aws::uri_encode;
using codeguru::test::FakeApiOptions;
using codeguru::test::FakeCodeGuruApi;
using codeguru::test::Fault;
using codeguru::test::generate_findings;
using nlohmann::json;

namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kServiceSuffix =
    ":http://internal.amazon.com/coral/com.amazonaws.codegurusecurity/";

Credentials default_credentials() {
    return {"AKIDFAKEEXAMPLE", "fake/secret+key", "", std::nullopt, "test"};
}

struct Answer {
    httplib::Error error = httplib::Error::Unknown;
    int status = 0;
    httplib::Headers headers;
    std::string body;

    json parsed() const { return json::parse(body); }
    std::string error_type() const {
        const auto it = headers.find("x-amzn-ErrorType");
        return it == headers.end() ? std::string() : it->second;
    }
};

// A plain httplib client that signs like the daemon: the query percent-encoded on the
// wire (RFC 3986), decoded values handed to the signer.
class SignedClient {
  public:
    explicit SignedClient(const FakeCodeGuruApi& api,
                          Credentials credentials = default_credentials(),
                          const std::string& region = "")
        : port_(api.port()),
          client_("127.0.0.1", api.port()),
          signer_("codeguru-security", region.empty() ? api.region() : region),
          credentials_(std::move(credentials)) {
        client_.set_url_encode(false);
        client_.set_read_timeout(std::chrono::seconds(5));
    }

    void set_read_timeout(std::chrono::milliseconds timeout) { client_.set_read_timeout(timeout); }
    void set_clock_offset(std::chrono::seconds offset) { clock_offset_ = offset; }

    Answer get(const std::string& raw_path, const Query& query = {}, bool sign = true,
               bool encode_query = true) {
        std::string target = raw_path;
        for (std::size_t i = 0; i < query.size(); ++i) {
            target += i == 0 ? "?" : "&";
            target += encode_query ? uri_encode(query[i].first) + "=" + uri_encode(query[i].second)
                                   : query[i].first + "=" + query[i].second;
        }
        httplib::Headers headers;
        if (sign) {
            SignableRequest request;
            request.method = "GET";
            request.host = "127.0.0.1:" + std::to_string(port_);
            request.path = raw_path;
            request.query = query;
            const auto signed_request = signer_.sign(
                request, credentials_, std::chrono::system_clock::now() + clock_offset_);
            for (const auto& [name, value] : signed_request.headers) headers.emplace(name, value);
        }
        const auto result = client_.Get(target.c_str(), headers);
        Answer answer;
        answer.error = result.error();
        if (result) {
            answer.status = result->status;
            answer.headers = result->headers;
            answer.body = result->body;
        }
        return answer;
    }

    Answer get_findings(const std::string& scan, const Query& query = {}) {
        return get("/findings/" + uri_encode(scan), query);
    }

  private:
    int port_;
    httplib::Client client_;
    SigV4Signer signer_;
    Credentials credentials_;
    std::chrono::seconds clock_offset_{0};
};

// Pages through a scan; returns the ids in order and every token seen.
std::vector<std::string> all_ids(SignedClient& client, const std::string& scan, int max_results,
                                 const std::string& status, std::vector<std::string>* tokens) {
    std::vector<std::string> ids;
    std::optional<std::string> token;
    for (int page = 0; page < 10000; ++page) {
        Query query = {{"maxResults", std::to_string(max_results)}};
        if (token) query.emplace_back("nextToken", *token);
        if (!status.empty()) query.emplace_back("status", status);
        const Answer answer = client.get_findings(scan, query);
        REQUIRE(answer.status == 200);
        const json body = answer.parsed();
        REQUIRE(body.at("findings").size() <= static_cast<std::size_t>(max_results));
        for (const auto& f : body["findings"]) ids.push_back(f.at("id"));
        if (!body.contains("nextToken")) return ids;
        token = body["nextToken"].get<std::string>();
        if (tokens) tokens->push_back(*token);
    }
    FAIL("paging did not end");
    return ids;
}

std::vector<std::string> ids_of(const std::vector<json>& findings, const std::string& status = "") {
    std::vector<std::string> ids;
    for (const auto& f : findings) {
        if (status.empty() || f.value("status", "") == status) ids.push_back(f["id"]);
    }
    return ids;
}

std::string first_token(SignedClient& client, const std::string& scan) {
    const Answer answer = client.get_findings(scan, {{"maxResults", "1"}});
    REQUIRE(answer.status == 200);
    return answer.parsed().at("nextToken");
}

}  // namespace

TEST_CASE("paging with maxResults 1, 2 and 1000 returns every finding once, in order",
          "[fake_api]") {
    FakeCodeGuruApi api;
    const auto findings = generate_findings("paged-scan", 37, 1);
    api.set_scan("paged-scan", findings);
    SignedClient client(api);
    const int max_results = GENERATE(1, 2, 1000);
    const auto ids = all_ids(client, "paged-scan", max_results, "", nullptr);
    CHECK(ids == ids_of(findings));
    const auto pages = api.counters().get_findings;
    CHECK(pages == (max_results == 1000 ? 1u : (37u + max_results - 1) / max_results));
}

TEST_CASE("maxResults defaults to 1000", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("big", generate_findings("big", 1500, 2));
    SignedClient client(api);
    const Answer answer = client.get_findings("big");
    REQUIRE(answer.status == 200);
    CHECK(answer.parsed()["findings"].size() == 1000);
    CHECK(answer.parsed().contains("nextToken"));
}

TEST_CASE("nextTokens contain + / = and work when percent-encoded", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("tokens", generate_findings("tokens", 30, 3));
    SignedClient client(api);
    std::vector<std::string> tokens;
    all_ids(client, "tokens", 1, "", &tokens);
    REQUIRE(tokens.size() == 29);
    for (const auto& token : tokens) {
        CHECK(token.find('+') != std::string::npos);
        CHECK(token.find('/') != std::string::npos);
        CHECK(token.back() == '=');
    }
    // On the wire the tokens went out percent-encoded, and arrived decoded intact.
    std::size_t with_token = 0;
    for (const auto& record : api.requests()) {
        const auto token = record.param("nextToken");
        if (!token) continue;
        ++with_token;
        CHECK(record.raw_query.find("%2B") != std::string::npos);
        CHECK(record.raw_query.find("%2F") != std::string::npos);
        CHECK(record.raw_query.find("%3D") != std::string::npos);
        CHECK(std::find(tokens.begin(), tokens.end(), *token) != tokens.end());
    }
    CHECK(with_token == tokens.size());
}

TEST_CASE("the same token returns the same page while the data is unchanged", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("stable", generate_findings("stable", 10, 4));
    SignedClient client(api);
    const std::string token = first_token(client, "stable");
    const Query query = {{"maxResults", "3"}, {"nextToken", token}};
    const Answer a = client.get_findings("stable", query);
    const Answer b = client.get_findings("stable", query);
    REQUIRE(a.status == 200);
    CHECK(a.parsed()["findings"] == b.parsed()["findings"]);
}

TEST_CASE("a token sent with a raw + or from another scan is an invalid nextToken", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("one", generate_findings("one", 5, 5));
    api.set_scan("two", generate_findings("two", 5, 6));
    SignedClient client(api);
    const std::string token = first_token(client, "one");

    SECTION("unencoded: + arrives as a space, so the signature no longer matches") {
        const Answer answer = client.get("/findings/one", {{"nextToken", token}}, true, false);
        CHECK(answer.status == 403);
        CHECK(answer.error_type().rfind("InvalidSignatureException:", 0) == 0);
    }
    SECTION("unencoded, without signature checks: the token itself is refused") {
        api.set_verify_signatures(false);
        const Answer answer = client.get("/findings/one", {{"nextToken", token}}, false, false);
        CHECK(answer.status == 400);
        CHECK(answer.error_type() == std::string("ValidationException") + kServiceSuffix);
        CHECK(answer.parsed()["message"] == "Invalid nextToken");
    }
    SECTION("another scan's token") {
        const Answer answer = client.get_findings("two", {{"nextToken", token}});
        CHECK(answer.status == 400);
        CHECK(answer.parsed()["message"] == "Invalid nextToken");
    }
    SECTION("garbage") {
        const Answer answer = client.get_findings("one", {{"nextToken", "not-a-token"}});
        CHECK(answer.status == 400);
        CHECK(answer.parsed()["message"] == "Invalid nextToken");
    }
}

TEST_CASE("the status filter returns only findings with that status", "[fake_api]") {
    FakeCodeGuruApi api;
    const auto findings = generate_findings("filtered", 120, 7);
    api.set_scan("filtered", findings);
    SignedClient client(api);
    CHECK(all_ids(client, "filtered", 7, "Open", nullptr) == ids_of(findings, "Open"));
    CHECK(all_ids(client, "filtered", 7, "Closed", nullptr) == ids_of(findings, "Closed"));
    CHECK(all_ids(client, "filtered", 7, "All", nullptr) == ids_of(findings));
    CHECK(!ids_of(findings, "Closed").empty());
}

TEST_CASE("an unknown scan is a 404 ResourceNotFoundException", "[fake_api]") {
    FakeCodeGuruApi api;
    SignedClient client(api);
    const Answer answer = client.get_findings("no-such-scan");
    CHECK(answer.status == 404);
    CHECK(answer.error_type() == std::string("ResourceNotFoundException") + kServiceSuffix);
    CHECK(answer.headers.find("Content-Type")->second == "application/json");
    CHECK(answer.parsed()["message"].get<std::string>().find("no-such-scan") != std::string::npos);
}

TEST_CASE("scan names with $ : . are percent-decoded from the path", "[fake_api]") {
    FakeCodeGuruApi api;
    const std::string name = "team:app.v2$nightly_1-x";
    api.set_scan(name, generate_findings(name, 3, 8));
    SignedClient client(api);
    const Answer answer = client.get_findings(name);
    REQUIRE(answer.status == 200);
    CHECK(answer.parsed()["findings"].size() == 3);
    CHECK(api.requests().back().scan == name);
    CHECK(api.requests().back().raw_path == "/findings/team%3Aapp.v2%24nightly_1-x");
}

TEST_CASE("invalid parameters are 400 ValidationExceptions", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 9));
    SignedClient client(api);
    const auto check = [&](const std::string& scan, const Query& query, const std::string& field) {
        const Answer answer = client.get_findings(scan, query);
        CHECK(answer.status == 400);
        CHECK(answer.error_type() == std::string("ValidationException") + kServiceSuffix);
        CHECK(answer.parsed()["fieldList"][0]["name"] == field);
    };
    check("s", {{"maxResults", "0"}}, "maxResults");
    check("s", {{"maxResults", "1001"}}, "maxResults");
    check("s", {{"maxResults", "ten"}}, "maxResults");
    check("s", {{"status", "open"}}, "status");
    check("bad name!", {}, "scanName");
    check(std::string(141, 'a'), {}, "scanName");
}

TEST_CASE("requests not signed right are refused with the service's 403s", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 10));

    SECTION("wrong secret: InvalidSignatureException") {
        SignedClient client(api, {"AKIDFAKEEXAMPLE", "wrong", "", std::nullopt, "test"});
        const Answer answer = client.get_findings("s");
        CHECK(answer.status == 403);
        CHECK(answer.error_type().rfind("InvalidSignatureException:", 0) == 0);
        CHECK(answer.parsed()["message"].get<std::string>().rfind(
                  "The request signature we calculated does not match the signature you "
                  "provided.",
                  0) == 0);
    }
    SECTION("unknown key id: UnrecognizedClientException") {
        SignedClient client(api, {"AKIDOTHER", "fake/secret+key", "", std::nullopt, "test"});
        const Answer answer = client.get_findings("s");
        CHECK(answer.status == 403);
        CHECK(answer.error_type().rfind("UnrecognizedClientException:", 0) == 0);
    }
    SECTION("no Authorization header") {
        SignedClient client(api);
        const Answer answer = client.get("/findings/s", {}, false);
        CHECK(answer.status == 403);
        CHECK(answer.error_type().rfind("MissingAuthenticationTokenException:", 0) == 0);
    }
    SECTION("signed for another region") {
        SignedClient client(api, default_credentials(), "eu-west-1");
        const Answer answer = client.get_findings("s");
        CHECK(answer.status == 403);
        CHECK(answer.error_type().rfind("InvalidSignatureException:", 0) == 0);
    }
    SECTION("a configured session token must be sent") {
        api.set_credentials({"ASIAFAKE", "temp/secret", "the-token", std::nullopt, "test"});
        SignedClient with_token(api, {"ASIAFAKE", "temp/secret", "the-token", std::nullopt, "t"});
        CHECK(with_token.get_findings("s").status == 200);
        SignedClient without(api, {"ASIAFAKE", "temp/secret", "", std::nullopt, "t"});
        const Answer answer = without.get_findings("s");
        CHECK(answer.status == 403);
        CHECK(answer.error_type().rfind("UnrecognizedClientException:", 0) == 0);
    }
    SECTION("a skewed clock is refused once a maximum skew is set") {
        SignedClient client(api);
        client.set_clock_offset(std::chrono::minutes(-20));
        CHECK(client.get_findings("s").status == 200);
        api.set_max_clock_skew(std::chrono::minutes(15));
        const Answer answer = client.get_findings("s");
        CHECK(answer.status == 403);
        CHECK(answer.parsed()["message"].get<std::string>().rfind("Signature expired", 0) == 0);
    }
    SECTION("verification switched off accepts anything") {
        api.set_verify_signatures(false);
        SignedClient client(api);
        CHECK(client.get("/findings/s", {}, false).status == 200);
    }
    CHECK(api.counters().requests >= 1);
}

TEST_CASE("throttle faults answer 429 for their count, then the page", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 11));
    api.inject({.kind = Fault::Kind::kThrottle, .count = 2});
    SignedClient client(api);
    const Answer first = client.get_findings("s");
    CHECK(first.status == 429);
    CHECK(first.error_type() == std::string("ThrottlingException") + kServiceSuffix);
    CHECK(first.parsed()["message"] == "Rate exceeded");
    CHECK(client.get_findings("s").status == 429);
    CHECK(client.get_findings("s").status == 200);
    CHECK(api.pending_faults() == 0);
    const auto log = api.requests();
    REQUIRE(log.size() == 3);
    CHECK(log[0].fault == Fault::Kind::kThrottle);
    CHECK(log[1].status == 429);
    CHECK(!log[2].fault);
    CHECK(log[0].received_at <= log[1].received_at);
    CHECK(api.counters().faults_injected == 2);
}

TEST_CASE("server error faults answer 500 JSON or 502/503/504 plain text", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 12));
    SignedClient client(api);
    api.inject({.kind = Fault::Kind::kServerError});
    const Answer json_error = client.get_findings("s");
    CHECK(json_error.status == 500);
    CHECK(json_error.error_type() == std::string("InternalServerException") + kServiceSuffix);
    CHECK(json_error.parsed().contains("message"));

    const int status = GENERATE(502, 503, 504);
    api.inject({.kind = Fault::Kind::kServerError, .http_status = status});
    const Answer plain = client.get_findings("s");
    CHECK(plain.status == status);
    CHECK(plain.error_type().empty());
    CHECK_THROWS(plain.parsed());
}

TEST_CASE("a delay fault outlasts a short client timeout", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 13));
    // The delayed answer ends early when the fake stops (at the end of the test).
    api.inject({.kind = Fault::Kind::kDelay, .delay = std::chrono::seconds(30)});
    SignedClient client(api);
    client.set_read_timeout(std::chrono::milliseconds(200));
    const auto start = std::chrono::steady_clock::now();
    const Answer answer = client.get_findings("s");
    CHECK(answer.status == 0);
    CHECK(answer.error == httplib::Error::Read);
    // Far below the 30 s delay, with room for a loaded machine.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("a delay fault with a patient client still answers the page", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 13));
    api.inject({.kind = Fault::Kind::kDelay, .delay = std::chrono::milliseconds(300)});
    SignedClient client(api);
    const auto start = std::chrono::steady_clock::now();
    CHECK(client.get_findings("s").status == 200);
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(300));
}

TEST_CASE("a dropped connection ends the body early", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 14));
    api.inject({.kind = Fault::Kind::kDropConnection});
    SignedClient client(api);
    const Answer dropped = client.get_findings("s");
    CHECK(dropped.status == 0);
    CHECK(dropped.error == httplib::Error::Read);
    CHECK(client.get_findings("s").status == 200);
    CHECK(api.requests().front().fault == Fault::Kind::kDropConnection);
}

TEST_CASE("a malformed JSON fault sends a truncated 200 body", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 15));
    api.inject({.kind = Fault::Kind::kMalformedJson});
    SignedClient client(api);
    const Answer answer = client.get_findings("s");
    CHECK(answer.status == 200);
    CHECK(answer.body == "{\"findings\": [ {\"id\": ");
    CHECK_THROWS(answer.parsed());
}

TEST_CASE("a reject-token fault only hits requests that carry a nextToken", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 5, 16));
    SignedClient client(api);
    api.inject({.kind = Fault::Kind::kRejectToken});
    const std::string token = first_token(client, "s");
    CHECK(api.pending_faults() == 1);
    const Answer answer = client.get_findings("s", {{"nextToken", token}});
    CHECK(answer.status == 400);
    CHECK(answer.parsed()["message"] == "Invalid nextToken");
    CHECK(client.get_findings("s", {{"nextToken", token}}).status == 200);
}

TEST_CASE("access-denied, not-found and conflict faults answer 403, 404 and 409",
          "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 17));
    SignedClient client(api);
    const auto [kind, status, code] = GENERATE(
        std::make_tuple(Fault::Kind::kAccessDenied, 403, std::string("AccessDeniedException")),
        std::make_tuple(Fault::Kind::kNotFound, 404, std::string("ResourceNotFoundException")),
        std::make_tuple(Fault::Kind::kConflict, 409, std::string("ConflictException")));
    api.inject({.kind = kind});
    const Answer answer = client.get_findings("s");
    CHECK(answer.status == status);
    CHECK(answer.error_type() == code + kServiceSuffix);
    CHECK(answer.parsed()["errorCode"] == code);
    CHECK(client.get_findings("s").status == 200);
}

TEST_CASE("faults honour scan filters and after_requests", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("a", generate_findings("a", 3, 18));
    api.set_scan("b", generate_findings("b", 3, 19));
    api.inject({.kind = Fault::Kind::kThrottle, .count = 1, .scan = "b", .after_requests = 2});
    SignedClient client(api);
    CHECK(client.get_findings("a").status == 200);
    CHECK(client.get_findings("b").status == 200);
    CHECK(client.get_findings("a").status == 200);
    CHECK(client.get_findings("b").status == 200);
    CHECK(client.get_findings("b").status == 429);
    CHECK(client.get_findings("b").status == 200);
}

TEST_CASE("probabilistic faults are reproducible from their seed", "[fake_api][faults]") {
    const auto run = [](std::uint64_t seed) {
        FakeCodeGuruApi api;
        api.set_scan("s", generate_findings("s", 1, 20));
        api.inject({.kind = Fault::Kind::kThrottle, .count = 0, .probability = 0.3, .seed = seed});
        SignedClient client(api);
        std::vector<int> statuses;
        for (int i = 0; i < 60; ++i) statuses.push_back(client.get_findings("s").status);
        return statuses;
    };
    const auto first = run(5);
    CHECK(first == run(5));
    CHECK(first != run(6));
    const auto throttled = std::count(first.begin(), first.end(), 429);
    CHECK(throttled > 5);
    CHECK(throttled < 35);
}

TEST_CASE("ListScans pages through every scan", "[fake_api]") {
    FakeCodeGuruApi api;
    for (const char* name : {"alpha", "beta", "gamma", "delta", "epsilon"}) {
        api.set_scan(name, generate_findings(name, 1, 21));
    }
    SignedClient client(api);
    const int max_results = GENERATE(1, 2, 100);
    std::vector<std::string> names;
    std::optional<std::string> token;
    do {
        Query query = {{"maxResults", std::to_string(max_results)}};
        if (token) query.emplace_back("nextToken", *token);
        const Answer answer = client.get("/scans", query);
        REQUIRE(answer.status == 200);
        const json body = answer.parsed();
        for (const auto& summary : body.at("summaries")) {
            names.push_back(summary.at("scanName"));
            CHECK(summary.at("scanState") == "Successful");
            CHECK(summary.at("createdAt").is_number());
            CHECK(summary.at("runId").is_string());
            CHECK(summary.at("scanNameArn").get<std::string>().find(":scans/") !=
                  std::string::npos);
        }
        token.reset();
        if (body.contains("nextToken")) token = body["nextToken"].get<std::string>();
    } while (token);
    CHECK(names == std::vector<std::string>{"alpha", "beta", "delta", "epsilon", "gamma"});
}

TEST_CASE("faults can target ListScans", "[fake_api][faults]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 1, 22));
    api.inject({.kind = Fault::Kind::kThrottle, .target = Fault::Target::kListScans});
    SignedClient client(api);
    CHECK(client.get_findings("s").status == 200);
    CHECK(client.get("/scans").status == 429);
    CHECK(client.get("/scans").status == 200);
}

TEST_CASE("unknown paths are UnknownOperationException", "[fake_api]") {
    FakeCodeGuruApi api;
    SignedClient client(api);
    const Answer answer = client.get("/nothing/here");
    CHECK(answer.status == 404);
    CHECK(answer.error_type().rfind("UnknownOperationException", 0) == 0);
}

TEST_CASE("the request log records decoded query parameters and statuses", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 23));
    SignedClient client(api);
    client.get_findings("s", {{"maxResults", "2"}, {"status", "Open"}});
    client.get_findings("missing");
    const auto log = api.requests();
    REQUIRE(log.size() == 2);
    CHECK(log[0].method == "GET");
    CHECK(log[0].operation == "GetFindings");
    CHECK(log[0].param("maxResults") == "2");
    CHECK(log[0].param("status") == "Open");
    CHECK(log[0].status == 200);
    CHECK(log[1].status == 404);
    CHECK(api.requests_json().size() == 2);
    api.clear_requests();
    CHECK(api.requests().empty());
    CHECK(api.counters().requests == 0);
}

TEST_CASE("evolve changes the served findings as its summary says", "[fake_api]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 100, 24));
    const auto summary = api.evolve("s", 3,
                                    {.new_fraction = 0.1,
                                     .updated_fraction = 0.1,
                                     .closed_fraction = 0.1,
                                     .removed_fraction = 0.05});
    CHECK(summary.added() == 10);
    CHECK(summary.removed() == 5);
    SignedClient client(api);
    const auto ids = all_ids(client, "s", 1000, "", nullptr);
    CHECK(ids.size() == 105);
    const std::set<std::string> served(ids.begin(), ids.end());
    for (const auto& id : summary.added_ids) CHECK(served.count(id) == 1);
    for (const auto& id : summary.removed_ids) CHECK(served.count(id) == 0);
    const auto closed = all_ids(client, "s", 1000, "Closed", nullptr);
    const std::set<std::string> closed_set(closed.begin(), closed.end());
    for (const auto& id : summary.closed_ids) CHECK(closed_set.count(id) == 1);
    CHECK_THROWS_AS(api.evolve("nope", 1), std::out_of_range);
}

TEST_CASE("concurrent clients page consistently", "[fake_api]") {
    FakeCodeGuruApi api;
    const auto findings = generate_findings("busy", 300, 25);
    api.set_scan("busy", findings);
    std::atomic<int> good{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            SignedClient client(api);
            std::vector<std::string> ids;
            std::optional<std::string> token;
            do {
                Query query = {{"maxResults", "25"}};
                if (token) query.emplace_back("nextToken", *token);
                const Answer answer = client.get_findings("busy", query);
                if (answer.status != 200) return;
                const json body = answer.parsed();
                for (const auto& f : body["findings"]) ids.push_back(f["id"]);
                token.reset();
                if (body.contains("nextToken")) token = body["nextToken"].get<std::string>();
            } while (token);
            if (ids == ids_of(findings)) ++good;
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(good == 8);
    CHECK(api.counters().get_findings == 8 * 12);
}

namespace {

// Sends `count` signed GetFindings requests from `threads` clients at once; returns their
// statuses and the seconds from just before the first to just after the last.
std::pair<std::vector<int>, double> burst(const FakeCodeGuruApi& api, int threads, int count) {
    std::vector<int> statuses(static_cast<std::size_t>(count), 0);
    std::atomic<int> next{0};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            SignedClient client(api);
            for (int i = next++; i < count; i = next++) {
                statuses[static_cast<std::size_t>(i)] = client.get_findings("s").status;
            }
        });
    }
    for (auto& worker : workers) worker.join();
    return {statuses,
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()};
}

// An Inspector ListFindings request, signed for inspector2 in the fake's region.
int list_inspector_findings(const FakeCodeGuruApi& api) {
    SignableRequest request;
    request.method = "POST";
    request.host = "127.0.0.1:" + std::to_string(api.port());
    request.path = "/findings/list";
    request.headers = {{"content-type", "application/json"}};
    request.body = "{}";
    const auto signed_request =
        SigV4Signer("inspector2", api.region())
            .sign(request, default_credentials(), std::chrono::system_clock::now());
    httplib::Headers headers;
    for (const auto& [name, value] : signed_request.headers) headers.emplace(name, value);
    httplib::Client client("127.0.0.1", api.port());
    const auto result = client.Post("/findings/list", headers, request.body, "application/json");
    return result ? result->status : 0;
}

}  // namespace

TEST_CASE("a capacity of 5/s lets a burst of 30 through up to its bucket, the rest get 429",
          "[fake_api][capacity]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 11));
    api.set_capacity(5.0);
    CHECK(api.capacity() == 5.0);
    const auto [statuses, seconds] = burst(api, 10, 30);
    const auto accepted =
        static_cast<std::size_t>(std::count(statuses.begin(), statuses.end(), 200));
    const auto refused =
        static_cast<std::size_t>(std::count(statuses.begin(), statuses.end(), 429));
    CHECK(accepted + refused == 30);
    // The full bucket (5), plus at most what refilled at 5/s while the burst lasted.
    CHECK(accepted >= 5);
    CHECK(static_cast<double>(accepted) <= 5.0 + 5.0 * seconds);
    INFO("the burst took " << seconds << " s");
    const auto counters = api.counters();
    CHECK(counters.requests == 30);
    CHECK(counters.get_findings == 30);
    CHECK(counters.throttled == refused);
    CHECK(counters.faults_injected == 0);
    std::size_t logged_throttled = 0;
    for (const auto& record : api.requests()) {
        CHECK(record.throttled == (record.status == 429));
        CHECK(!record.fault);
        if (record.throttled) ++logged_throttled;
    }
    CHECK(logged_throttled == refused);
}

TEST_CASE("a capacity answers as the throttle fault does, and lets requests pass after a pause",
          "[fake_api][capacity]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 11));
    api.set_capacity(5.0);
    SignedClient client(api);
    Answer refused;
    for (int i = 0; i < 100 && refused.status != 429; ++i) refused = client.get_findings("s");
    REQUIRE(refused.status == 429);
    CHECK(refused.error_type() == std::string("ThrottlingException") + kServiceSuffix);
    CHECK(refused.parsed()["message"] == "Rate exceeded");
    CHECK(api.counters().throttled == 1);
    // A second refills the whole bucket: five requests in a row pass, however slow they are.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    for (int i = 0; i < 5; ++i) CHECK(client.get_findings("s").status == 200);
    CHECK(api.counters().throttled == 1);
}

TEST_CASE("without a capacity nothing is throttled", "[fake_api][capacity]") {
    FakeCodeGuruApi api;
    api.set_scan("s", generate_findings("s", 3, 11));
    SECTION("never set") {
        CHECK(!api.capacity());
    }
    SECTION("set, then removed") {
        api.set_capacity(1.0);
        api.set_capacity(std::nullopt);
        CHECK(!api.capacity());
    }
    const auto [statuses, seconds] = burst(api, 10, 30);
    CHECK(std::count(statuses.begin(), statuses.end(), 200) == 30);
    CHECK(api.counters().throttled == 0);
}

TEST_CASE("a capacity must be a positive number", "[fake_api][capacity]") {
    FakeCodeGuruApi api;
    CHECK_THROWS_AS(api.set_capacity(0.0), std::invalid_argument);
    CHECK_THROWS_AS(api.set_capacity(-3.0), std::invalid_argument);
    CHECK_THROWS_AS(api.set_capacity(std::nan("")), std::invalid_argument);
    CHECK(!api.capacity());
}

TEST_CASE("the capacity spans every API operation, and control routes neither count nor pass",
          "[fake_api][capacity]") {
    FakeApiOptions options;
    options.control_endpoints = true;
    FakeCodeGuruApi api(options);
    api.set_scan("s", generate_findings("s", 3, 11));
    httplib::Client control("127.0.0.1", api.port());
    SignedClient client(api);
    // One token a hundred seconds: the bucket holds one request, and none refills here.
    const auto set_capacity = [&] {
        const auto set = control.Post("/_fake/capacity?rps=0.01", "", "text/plain");
        REQUIRE(set);
        CHECK(set->status == 200);
        CHECK(json::parse(set->body)["capacity"] == 0.01);
    };
    const auto get_findings = [&] { return client.get_findings("s").status; };
    const auto list_scans = [&] { return client.get("/scans").status; };
    const auto list_findings = [&] { return list_inspector_findings(api); };

    set_capacity();
    CHECK(api.capacity() == 0.01);
    CHECK(get_findings() == 200);
    for (int i = 0; i < 5; ++i) CHECK(control.Get("/_fake/counters")->status == 200);
    CHECK(list_scans() == 429);
    CHECK(list_findings() == 429);
    CHECK(get_findings() == 429);
    set_capacity();  // a full bucket again
    CHECK(list_scans() == 200);
    CHECK(list_findings() == 429);
    set_capacity();
    CHECK(list_findings() == 200);
    CHECK(get_findings() == 429);

    const json counters = json::parse(control.Get("/_fake/counters")->body);
    CHECK(counters["requests"] == 8);
    CHECK(counters["throttled"] == 5);
    CHECK(counters["faultsInjected"] == 0);
    CHECK(control.Post("/_fake/capacity?rps=-1", "", "text/plain")->status == 400);
    CHECK(api.capacity() == 0.01);
    CHECK(json::parse(control.Post("/_fake/capacity?rps=0", "", "text/plain")->body)["capacity"]
              .is_null());
    CHECK(!api.capacity());
    CHECK(list_scans() == 200);
}
