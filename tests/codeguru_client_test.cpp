#include <catch2/catch.hpp>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "aws/api_error.hpp"
#include "client_stack.hpp"
#include "fake_api.hpp"
#include "finding_generator.hpp"
#include "log_capture.hpp"

using namespace codeguru;
using namespace codeguru::test;
using Kind = Fault::Kind;

namespace {

// Pages a whole scan through the client; returns the ids in order.
std::vector<std::string> fetch_all(CodeGuruClient& client, const std::string& scan, int page_size,
                                   const std::string& status = "All") {
    std::vector<std::string> ids;
    std::optional<std::string> token;
    do {
        FindingsPage page = client.get_findings(scan, status, page_size, token);
        for (const auto& f : page.findings) ids.push_back(*f.id);
        token = page.next_token;
    } while (token);
    return ids;
}

std::vector<std::string> ids_of(const std::vector<nlohmann::json>& findings) {
    std::vector<std::string> ids;
    for (const auto& f : findings) ids.push_back(f.at("id").get<std::string>());
    return ids;
}

// The error `call` throws; fails the test if it throws none.
template <class Call>
aws::ApiError api_error_of(Call call) {
    try {
        call();
    } catch (const aws::ApiError& e) {
        return e;
    }
    FAIL("expected ApiError");
    throw std::logic_error("unreachable");
}

std::size_t get_findings_requests(const FakeCodeGuruApi& fake) {
    return fake.counters().get_findings;
}

// The fake logs a request when it has answered it; a delayed answer the client gave
// up on is logged only when its delay ends.
std::size_t settled_requests(const FakeCodeGuruApi& fake, std::size_t expected) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (get_findings_requests(fake) < expected && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return get_findings_requests(fake);
}

}  // namespace

TEST_CASE("the client pages to the end with 1, 2 and many pages, maxResults 1 and 1000") {
    FakeCodeGuruApi fake;
    ClientStack stack({.endpoint = fake.endpoint()});
    struct Case {
        std::size_t findings;
        int page_size;
        std::size_t pages;
    };
    const Case cases[] = {{0, 1000, 1}, {7, 1000, 1}, {7, 7, 1},      {8, 4, 2},
                          {9, 4, 3},    {25, 1, 25},  {1500, 1000, 2}};
    for (const auto& c : cases) {
        INFO(c.findings << " findings, maxResults " << c.page_size);
        const std::string scan =
            "scan-" + std::to_string(c.findings) + "-" + std::to_string(c.page_size);
        fake.set_scan(scan, generate_findings(scan, c.findings, 11));
        fake.clear_requests();
        CHECK(fetch_all(stack.client(), scan, c.page_size) == ids_of(fake.findings(scan)));
        const auto requests = fake.requests();
        CHECK(requests.size() == c.pages);
        for (std::size_t i = 0; i < requests.size(); ++i) {
            CHECK(requests[i].param("maxResults") == std::to_string(c.page_size));
            CHECK(requests[i].param("status") == "All");
            CHECK(requests[i].param("nextToken").has_value() == (i > 0));
        }
    }
}

TEST_CASE("tokens with + / = and scan names with $ : . _ - survive the round trip") {
    FakeCodeGuruApi fake;  // verifies every signature, so the encoding must be exact
    ClientStack stack({.endpoint = fake.endpoint()});
    const std::string scan = "weird$scan:name.v1_x-y";
    fake.set_scan(scan, generate_findings(scan, 50, 3));
    CHECK(fetch_all(stack.client(), scan, 3).size() == 50);
    bool saw_special = false;
    for (const auto& r : fake.requests()) {
        CHECK(r.status == 200);
        const auto token = r.param("nextToken");
        if (token && token->find_first_of("+/=") != std::string::npos) saw_special = true;
        if (token) CHECK(r.raw_query.find_first_of("+/") == std::string::npos);
    }
    CHECK(saw_special);
    CHECK(fake.counters().auth_failures == 0);
}

TEST_CASE("the status filter reaches the API") {
    FakeCodeGuruApi fake;
    ClientStack stack({.endpoint = fake.endpoint()});
    auto findings = generate_findings("s", 60, 5);
    fake.set_scan("s", findings);
    std::size_t open = 0;
    for (const auto& f : findings) open += f.value("status", "") == "Open";
    CHECK(fetch_all(stack.client(), "s", 1000, "Open").size() == open);
    CHECK(fetch_all(stack.client(), "s", 1000, "Closed").size() == 60 - open);
}

TEST_CASE("retryable faults are retried until the answer is good") {
    struct Case {
        const char* name;
        Fault fault;
        std::size_t requests;
    };
    Fault slow{.kind = Kind::kDelay, .count = 1};
    slow.delay = std::chrono::milliseconds(1500);
    Fault bad_gateway{.kind = Kind::kServerError, .count = 1};
    bad_gateway.http_status = 502;
    const Case cases[] = {
        {"throttling", Fault{.kind = Kind::kThrottle, .count = 2}, 3},
        {"500", Fault{.kind = Kind::kServerError, .count = 2}, 3},
        {"502 with an HTML body", bad_gateway, 2},
        {"a response slower than the timeout", slow, 2},
        {"a connection dropped mid-body", Fault{.kind = Kind::kDropConnection, .count = 1}, 2},
        {"truncated JSON", Fault{.kind = Kind::kMalformedJson, .count = 2}, 3},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        FakeCodeGuruApi fake;
        fake.set_scan("s", generate_findings("s", 5, 1));
        ClientStack stack({.endpoint = fake.endpoint(),
                           .max_attempts = 3,
                           .request_timeout = std::chrono::milliseconds(500)});
        fake.inject(c.fault);
        CHECK(fetch_all(stack.client(), "s", 1000).size() == 5);
        CHECK(settled_requests(fake, c.requests) == c.requests);
        CHECK(stack.service().stats().retries == static_cast<long>(c.requests - 1));
    }
}

TEST_CASE("a retryable fault that outlasts max_attempts fails with the service's error") {
    FakeCodeGuruApi fake;
    fake.set_scan("s", generate_findings("s", 5, 1));
    ClientStack stack({.endpoint = fake.endpoint(), .max_attempts = 4});
    fake.inject(Fault{.kind = Kind::kThrottle, .count = 0});
    try {
        stack.client().get_findings("s", "All", 1000, std::nullopt);
        FAIL("expected ApiError");
    } catch (const aws::ApiError& e) {
        CHECK(e.code() == "ThrottlingException");
        CHECK(e.http_status() == 429);
        CHECK(std::string(e.what()).find("gave up after 4 attempts") != std::string::npos);
    }
    CHECK(get_findings_requests(fake) == 4);
    CHECK(stack.service().stats().throttles == 4);
}

TEST_CASE("non-retryable errors surface at once with the service's message") {
    FakeCodeGuruApi fake;
    fake.set_scan("s", generate_findings("s", 5, 1));
    ClientStack stack({.endpoint = fake.endpoint(), .max_attempts = 5});
    struct Case {
        Kind kind;
        const char* code;
        long status;
    };
    for (const Case c : {Case{Kind::kAccessDenied, "AccessDeniedException", 403},
                         Case{Kind::kNotFound, "ResourceNotFoundException", 404},
                         Case{Kind::kConflict, "ConflictException", 409}}) {
        INFO(c.code);
        fake.clear_requests();
        const auto before = get_findings_requests(fake);
        fake.inject(Fault{.kind = c.kind, .count = 1});
        try {
            stack.client().get_findings("s", "All", 1000, std::nullopt);
            FAIL("expected ApiError");
        } catch (const aws::ApiError& e) {
            CHECK(e.code() == c.code);
            CHECK(e.http_status() == c.status);
            CHECK_FALSE(e.retryable());
            CHECK_FALSE(e.message().empty());
        }
        CHECK(get_findings_requests(fake) == before + 1);
    }
    CHECK_THROWS_WITH(stack.client().get_findings("no-such-scan", "All", 10, std::nullopt),
                      Catch::Contains("ResourceNotFoundException"));
}

TEST_CASE("a wrong secret key is refused by the signature check and not retried") {
    FakeCodeGuruApi fake;
    fake.set_scan("s", generate_findings("s", 1, 1));
    ClientStackOptions options{.endpoint = fake.endpoint()};
    options.credentials.secret_access_key = "not the secret";
    ClientStack stack(options);
    CHECK_THROWS_WITH(stack.client().get_findings("s", "All", 10, std::nullopt),
                      Catch::Contains("InvalidSignatureException"));
    CHECK(fake.counters().auth_failures == 1);
}

TEST_CASE("the rate limit holds requests to requests_per_second") {
    FakeCodeGuruApi fake;
    fake.set_scan("s", generate_findings("s", 30, 1));
    ClientStack stack({.endpoint = fake.endpoint(), .requests_per_second = 10});
    CHECK(fetch_all(stack.client(), "s", 2).size() == 30);  // 15 requests
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 15);
    const double span =
        std::chrono::duration<double>(requests.back().received_at - requests.front().received_at)
            .count();
    const double rate = (requests.size() - 1) / span;
    INFO("measured " << rate << " requests per second");
    CHECK(rate <= 10.5);
    CHECK(rate >= 7.0);
}

TEST_CASE("ListScans is paged to the end") {
    FakeCodeGuruApi fake;
    std::vector<std::string> names;
    for (int i = 0; i < 230; ++i) {
        names.push_back("scan-" + std::to_string(1000 + i));
        fake.set_scan(names.back(), {});
    }
    ClientStack stack({.endpoint = fake.endpoint()});
    auto listed = stack.client().list_scans();
    std::sort(listed.begin(), listed.end());
    CHECK(listed == names);
    CHECK(fake.counters().list_scans == 3);
}

TEST_CASE("a page with more findings than maxResults fails at once, not retried") {
    FakeCodeGuruApi fake;
    fake.set_scan("s", generate_findings("s", 250, 7));
    ClientStack stack({.endpoint = fake.endpoint(), .max_attempts = 5});
    // The second page is 10,000 entries: its 100 findings, then `{}` after `{}`.
    fake.inject(Fault{.kind = Kind::kOversizedPage, .count = 0, .after_requests = 1});
    const auto first = stack.client().get_findings("s", "All", 100, std::nullopt);
    REQUIRE(first.findings.size() == 100);
    REQUIRE(first.next_token);
    const auto error =
        api_error_of([&] { stack.client().get_findings("s", "All", 100, first.next_token); });
    CHECK(error.code() == "InvalidResponse");
    CHECK(error.message() == "GetFindings returned more than 100 findings (maxResults=100)");
    CHECK_FALSE(error.retryable());
    CHECK(get_findings_requests(fake) == 2);
    CHECK(stack.service().stats().retries == 0);
}

TEST_CASE("a page's warnings are logged up to 20, then counted in one line") {
    FakeCodeGuruApi fake;
    nlohmann::json tags = nlohmann::json::array();
    for (int i = 0; i < 33; ++i) tags.push_back(i);
    fake.set_scan("s", {{{"id", "w"}, {"detectorTags", tags}}});
    ClientStack stack({.endpoint = fake.endpoint()});
    LogCapture log;
    const auto page = stack.client().get_findings("s", "All", 100, std::nullopt);
    CHECK(page.findings.size() == 1);
    std::size_t tag_warnings = 0;
    std::size_t summaries = 0;
    for (const auto& line : log.lines()) {
        if (line.find("scan s: finding \"w\": detectorTags[") != std::string::npos) {
            ++tag_warnings;
        }
        if (line.find("scan s: ... and 13 more warning(s) in this page") != std::string::npos) {
            ++summaries;
        }
    }
    CHECK(tag_warnings == 20);
    CHECK(summaries == 1);
}

TEST_CASE("ListScans answering with the nextToken it was sent fails, no endless loop") {
    FakeCodeGuruApi fake;
    fake.set_scan("a", {});
    ClientStack stack({.endpoint = fake.endpoint(), .max_attempts = 5});
    // The first page points on, every later one points back at itself.
    fake.inject(
        Fault{.kind = Kind::kEndlessPages, .count = 1, .target = Fault::Target::kListScans});
    fake.inject(Fault{.kind = Kind::kRepeatToken, .count = 0, .target = Fault::Target::kListScans});
    const auto error = api_error_of([&] { stack.client().list_scans(); });
    CHECK(error.code() == "InvalidResponse");
    CHECK(error.message() ==
          "ListScans answered with the nextToken it was sent (repeated nextToken)");
    CHECK_FALSE(error.retryable());
    const auto requests = fake.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[1].param("nextToken").has_value());
}

TEST_CASE("ListScans that never ends fails at the page limit") {
    FakeCodeGuruApi fake;
    fake.set_scan("a", {});
    ClientStack stack({.endpoint = fake.endpoint()});
    CodeGuruClient client(stack.service(), CodeGuruClientLimits{.max_list_scans_pages = 5});
    fake.inject(
        Fault{.kind = Kind::kEndlessPages, .count = 0, .target = Fault::Target::kListScans});
    const auto error = api_error_of([&] { client.list_scans(); });
    CHECK(error.code() == "InvalidResponse");
    CHECK(error.message() == "ListScans did not end within 5 pages");
    CHECK(fake.counters().list_scans == 5);
    // Every token was fresh: only the page limit could stop it.
    std::set<std::string> tokens;
    for (const auto& r : fake.requests()) {
        if (const auto token = r.param("nextToken")) tokens.insert(*token);
    }
    CHECK(tokens.size() == 4);
    CHECK(CodeGuruClientLimits{}.max_list_scans_pages == 10'000);
}

TEST_CASE("a ListScans page with more scans than maxResults fails at once") {
    FakeCodeGuruApi fake;
    fake.set_scan("a", {});
    ClientStack stack({.endpoint = fake.endpoint(), .max_attempts = 5});
    Fault oversized{.kind = Kind::kOversizedPage, .count = 0, .target = Fault::Target::kListScans};
    oversized.items = 101;
    fake.inject(oversized);
    const auto error = api_error_of([&] { stack.client().list_scans(); });
    CHECK(error.code() == "InvalidResponse");
    CHECK(error.message() == "ListScans returned more than 100 scans (maxResults=100)");
    CHECK(fake.counters().list_scans == 1);
}

TEST_CASE("a throttle from the service turns the adaptive rate on, a server error does not") {
    FakeCodeGuruApi fake;
    fake.set_scan("s", generate_findings("s", 30, 1));
    ClientStack stack({.endpoint = fake.endpoint(), .requests_per_second = std::nullopt});
    fake.inject(Fault{.kind = Kind::kServerError, .count = 1});
    CHECK(fetch_all(stack.client(), "s", 10).size() == 30);
    CHECK_FALSE(stack.rate_limiter().adaptive_rate().has_value());
    fake.inject(Fault{.kind = Kind::kThrottle, .count = 1});
    CHECK(fetch_all(stack.client(), "s", 10).size() == 30);
    CHECK(stack.rate_limiter().adaptive_rate().has_value());
}
