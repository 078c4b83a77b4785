#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "aws/crypto.hpp"
#include "aws/sigv4_signer.hpp"

using codeguru::aws::Credentials;
using codeguru::aws::SignableRequest;
using codeguru::aws::SigV4Signer;
using codeguru::aws::uri_encode;

namespace {

// The fixed inputs of AWS's published SigV4 test suite (aws-sig-v4-test-suite, as
// carried by awslabs/aws-c-auth under tests/aws-signing-test-suite/v4/).
constexpr const char* kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::chrono::system_clock::time_point kSuiteTime =
    std::chrono::system_clock::from_time_t(1440938160);  // 20150830T123600Z

Credentials suite_credentials(std::string token = "") {
    Credentials credentials;
    credentials.access_key_id = "AKIDEXAMPLE";
    credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    credentials.session_token = std::move(token);
    return credentials;
}

SignableRequest suite_request(std::vector<std::pair<std::string, std::string>> query = {}) {
    SignableRequest request;
    request.method = "GET";
    request.host = "example.amazonaws.com";
    request.path = "/";
    request.query = std::move(query);
    return request;
}

std::string header_value(const codeguru::aws::SigningResult& result, const std::string& name) {
    for (const auto& [key, value] : result.headers) {
        if (key == name) {
            return value;
        }
    }
    return "<absent>";
}

struct SuiteCase {
    SignableRequest request;
    Credentials credentials;
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature;
};

void check_case(const SuiteCase& suite_case) {
    const SigV4Signer signer("service", "us-east-1");
    const auto result = signer.sign(suite_case.request, suite_case.credentials, kSuiteTime);
    CHECK(result.canonical_request == suite_case.canonical_request);
    CHECK(result.string_to_sign == suite_case.string_to_sign);
    CHECK(result.signature == suite_case.signature);
    CHECK(header_value(result, "x-amz-date") == "20150830T123600Z");
}

std::string string_to_sign(const std::string& canonical_hash) {
    return "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n" +
           canonical_hash;
}

}  // namespace

TEST_CASE("signs the suite's get-vanilla request", "[sigv4]") {
    check_case({suite_request(), suite_credentials(),
                std::string("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                            "host;x-amz-date\n") +
                    kEmptyHash,
                string_to_sign("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"});
}

TEST_CASE("signs the suite's get-vanilla-query request", "[sigv4]") {
    // The published request of this case carries no query string at all.
    check_case({suite_request(), suite_credentials(),
                std::string("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                            "host;x-amz-date\n") +
                    kEmptyHash,
                string_to_sign("bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63"),
                "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"});
}

TEST_CASE("sorts the query by name in the suite's get-vanilla-query-order-key-case", "[sigv4]") {
    check_case({suite_request({{"Param2", "value2"}, {"Param1", "value1"}}), suite_credentials(),
                std::string("GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\n"
                            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n") +
                    kEmptyHash,
                string_to_sign("816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0"),
                "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"});
}

TEST_CASE("keeps unreserved characters in the suite's get-vanilla-query-unreserved", "[sigv4]") {
    const std::string unreserved =
        "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    check_case({suite_request({{unreserved, unreserved}}), suite_credentials(),
                "GET\n/\n" + unreserved + "=" + unreserved +
                    "\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                    "host;x-amz-date\n" +
                    kEmptyHash,
                string_to_sign("c30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177"),
                "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"});
}

TEST_CASE("percent-encodes UTF-8 names in the suite's get-vanilla-utf8-query", "[sigv4]") {
    check_case({suite_request({{"\xE1\x88\xB4", "bar"}}), suite_credentials(),
                std::string("GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\n"
                            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n") +
                    kEmptyHash,
                string_to_sign("eb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073"),
                "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"});
}

TEST_CASE("signs the suite's get-vanilla-empty-query-key request", "[sigv4]") {
    // Despite its name, the published request of this case is GET /?Param1=value1.
    check_case({suite_request({{"Param1", "value1"}}), suite_credentials(),
                std::string("GET\n/\nParam1=value1\nhost:example.amazonaws.com\n"
                            "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n") +
                    kEmptyHash,
                string_to_sign("1e24db194ed7d0eec2de28d7369675a243488e08526e8c1c73571282f7c517ab"),
                "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"});
}

TEST_CASE("signs the session token in the suite's get-vanilla-with-session-token", "[sigv4]") {
    const std::string token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
    const SuiteCase suite_case{
        suite_request(), suite_credentials(token),
        "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n"
        "x-amz-security-token:" +
            token + "\n\nhost;x-amz-date;x-amz-security-token\n" + kEmptyHash,
        string_to_sign("067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b"),
        "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"};
    check_case(suite_case);

    const SigV4Signer signer("service", "us-east-1");
    const auto result = signer.sign(suite_case.request, suite_case.credentials, kSuiteTime);
    CHECK(header_value(result, "x-amz-security-token") == token);
    CHECK(header_value(result, "authorization") ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
          "SignedHeaders=host;x-amz-date;x-amz-security-token, "
          "Signature=07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
}

TEST_CASE("keeps an unreserved path as it is in the suite's get-unreserved", "[sigv4]") {
    SignableRequest request = suite_request();
    request.path = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    check_case({request, suite_credentials(),
                "GET\n" + request.path +
                    "\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                    "host;x-amz-date\n" +
                    kEmptyHash,
                string_to_sign("6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9"),
                "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"});
}

TEST_CASE("trims and collapses header values in the suite's get-header-value-trim", "[sigv4]") {
    SignableRequest request = suite_request();
    request.headers = {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}};
    check_case({request, suite_credentials(),
                std::string("GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\n"
                            "my-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\n"
                            "host;my-header1;my-header2;x-amz-date\n") +
                    kEmptyHash,
                string_to_sign("a726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7"),
                "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"});
}

TEST_CASE("joins repeated headers in order in the suite's get-header-key-duplicate", "[sigv4]") {
    SignableRequest request = suite_request();
    request.headers = {
        {"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}};
    check_case(
        {request, suite_credentials(),
         std::string("GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\n"
                     "x-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\n") +
             kEmptyHash,
         string_to_sign("dc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c"),
         "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"});
}

TEST_CASE("writes a query key without a value as name=", "[sigv4]") {
    const SigV4Signer signer("service", "us-east-1");
    const auto result = signer.sign(suite_request({{"b", ""}, {"a", "2"}, {"a", "1"}}),
                                    suite_credentials(), kSuiteTime);
    CHECK(result.canonical_request.find("\n/\na=1&a=2&b=\n") != std::string::npos);
}

TEST_CASE("encodes the path a second time and normalizes it", "[sigv4]") {
    const SigV4Signer signer("codeguru-security", "us-east-1");
    const auto canonical_path = [&signer](std::string path) {
        SignableRequest request = suite_request();
        request.path = std::move(path);
        const std::string canonical =
            signer.sign(request, suite_credentials(), kSuiteTime).canonical_request;
        const auto first = canonical.find('\n') + 1;
        return canonical.substr(first, canonical.find('\n', first) - first);
    };
    CHECK(canonical_path("") == "/");
    CHECK(canonical_path("/findings/my%24scan%3Av1") == "/findings/my%2524scan%253Av1");
    CHECK(canonical_path("/findings/a%20b") == "/findings/a%2520b");
    CHECK(canonical_path("/findings/scan.v1..x") == "/findings/scan.v1..x");
    CHECK(canonical_path("//a/./b/../c/") == "/a/c/");
    CHECK(canonical_path("/..") == "/");
}

TEST_CASE("puts the key id, scope, signed headers and signature in the authorization", "[sigv4]") {
    const SigV4Signer signer("service", "us-east-1");
    SignableRequest request = suite_request();
    request.headers = {{"Host", "ignored.example"}, {"X-Amz-Date", "ignored"}};
    const auto result = signer.sign(request, suite_credentials(), kSuiteTime);
    CHECK(header_value(result, "authorization") ==
          "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
          "SignedHeaders=host;x-amz-date, "
          "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
    CHECK(header_value(result, "x-amz-security-token") == "<absent>");
    CHECK(result.headers.size() == 2);
}

TEST_CASE("dates the signature in UTC to the second", "[sigv4]") {
    const SigV4Signer signer("service", "eu-west-1");
    const auto when = std::chrono::system_clock::from_time_t(1735689599) +
                      std::chrono::milliseconds(999);  // 2024-12-31T23:59:59.999Z
    const auto result = signer.sign(suite_request(), suite_credentials(), when);
    CHECK(header_value(result, "x-amz-date") == "20241231T235959Z");
    CHECK(result.string_to_sign.find("\n20241231/eu-west-1/service/aws4_request\n") !=
          std::string::npos);
}

TEST_CASE("uri_encode keeps only unreserved characters", "[sigv4][uri_encode]") {
    struct Row {
        std::string input;
        bool keep_slash;
        std::string expected;
    };
    const std::vector<Row> rows = {
        {"", false, ""},
        {"AZaz09-_.~", false, "AZaz09-_.~"},
        {" ", false, "%20"},
        {"+", false, "%2B"},
        {"=", false, "%3D"},
        {"/", false, "%2F"},
        {"/", true, "/"},
        {"a/b c", true, "a/b%20c"},
        {"%", false, "%25"},
        {"%2F", true, "%252F"},
        {"$:", false, "%24%3A"},
        {"!*'();@&,?#[]", false, "%21%2A%27%28%29%3B%40%26%2C%3F%23%5B%5D"},
        {"\xC3\xA9", false, "%C3%A9"},
        {"\xF0\x9F\x98\x80", false, "%F0%9F%98%80"},
        {std::string("a\0b", 3), false, "a%00b"},
        {"\x7F\xFF", false, "%7F%FF"},
        {"tok+en/==", false, "tok%2Ben%2F%3D%3D"},
    };
    for (const auto& row : rows) {
        INFO("input: " << row.input << " keep_slash: " << row.keep_slash);
        CHECK(uri_encode(row.input, row.keep_slash) == row.expected);
    }
}

TEST_CASE("sha256_hex and hmac_sha256 match their published test vectors", "[crypto]") {
    using codeguru::aws::hex_encode;
    using codeguru::aws::hmac_sha256;
    using codeguru::aws::sha256_hex;
    CHECK(sha256_hex("") == kEmptyHash);
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    // RFC 4231 test case 2.
    CHECK(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
