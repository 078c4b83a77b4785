#include "fake_credential_servers.hpp"

#include <time.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include "aws/sigv4_signer.hpp"

namespace codeguru::test {

// An httplib server on 127.0.0.1, any free port, serving from its own thread until
// destruction.
class LoopbackServer {
  public:
    LoopbackServer() = default;
    ~LoopbackServer() {
        server_.stop();
        if (thread_.joinable()) thread_.join();
    }

    httplib::Server& server() { return server_; }

    // Binds and starts serving; call after registering the routes.
    void start() {
        port_ = server_.bind_to_any_port("127.0.0.1");
        if (port_ <= 0) throw std::runtime_error("fake credential server: cannot bind 127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
};

namespace {

nlohmann::json credentials_json(const aws::Credentials& credentials) {
    nlohmann::json document = {{"AccessKeyId", credentials.access_key_id},
                               {"SecretAccessKey", credentials.secret_access_key},
                               {"Token", credentials.session_token}};
    if (credentials.expiration) document["Expiration"] = iso8601(*credentials.expiration);
    return document;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '+') {
            out.push_back(' ');
        } else if (text[i] == '%' && i + 2 < text.size()) {
            out.push_back(
                static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view body) {
    std::map<std::string, std::string> fields;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        const auto eq = pair.find('=');
        fields[percent_decode(pair.substr(0, eq))] =
            eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        body.remove_prefix(amp + 1);
    }
    return fields;
}

// "20250916T052000Z" to a time point.
std::optional<std::chrono::system_clock::time_point> parse_amz_date(const std::string& text) {
    std::tm fields{};
    if (text.size() != 16 || ::strptime(text.c_str(), "%Y%m%dT%H%M%SZ", &fields) == nullptr) {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(::timegm(&fields));
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

void sts_error(httplib::Response& response, int status, const std::string& code,
               const std::string& message) {
    response.status = status;
    response.set_content(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
        "  <Error><Type>Sender</Type><Code>" +
            code + "</Code><Message>" + message +
            "</Message></Error>\n  <RequestId>fake-request</RequestId>\n</ErrorResponse>\n",
        "text/xml");
}

}  // namespace

std::string iso8601(std::chrono::system_clock::time_point when) {
    const time_t seconds = std::chrono::system_clock::to_time_t(when);
    std::tm fields{};
    ::gmtime_r(&seconds, &fields);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &fields);
    return text;
}

// --- IMDS ---------------------------------------------------------------------------------

FakeImds::FakeImds(std::string role, aws::Credentials credentials)
    : role_(std::move(role)),
      credentials_(std::move(credentials)),
      token_("imds-session-token-AQAEAExample"),
      server_(std::make_unique<LoopbackServer>()) {
    auto& server = server_->server();
    server.Put("/latest/api/token", [this](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex_);
        ++token_requests_;
        if (!req.has_header("X-aws-ec2-metadata-token-ttl-seconds")) {
            res.status = 400;
            return;
        }
        res.set_content(token_, "text/plain");
    });
    const auto authorized = [this](const httplib::Request& req, httplib::Response& res) {
        if (req.get_header_value("X-aws-ec2-metadata-token") != token_) {
            ++refused_requests_;
            res.status = 401;
            return false;
        }
        return true;
    };
    server.Get("/latest/meta-data/iam/security-credentials/",
               [this, authorized](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard lock(mutex_);
                   if (!authorized(req, res)) return;
                   if (role_.empty()) {
                       res.status = 404;
                       return;
                   }
                   res.set_content(role_ + "\n", "text/plain");
               });
    server.Get(R"(/latest/meta-data/iam/security-credentials/([^/]+))",
               [this, authorized](const httplib::Request& req, httplib::Response& res) {
                   std::lock_guard lock(mutex_);
                   if (!authorized(req, res)) return;
                   if (req.matches[1] != role_) {
                       res.status = 404;
                       return;
                   }
                   ++credential_requests_;
                   nlohmann::json document = credentials_json(credentials_);
                   document["Code"] = "Success";
                   document["Type"] = "AWS-HMAC";
                   res.set_content(document.dump(), "text/plain");
               });
    server_->start();
}

FakeImds::~FakeImds() = default;

std::string FakeImds::endpoint() const {
    return server_->url();
}

void FakeImds::set_credentials(const aws::Credentials& credentials) {
    std::lock_guard lock(mutex_);
    credentials_ = credentials;
}

void FakeImds::set_role(const std::string& role) {
    std::lock_guard lock(mutex_);
    role_ = role;
}

std::size_t FakeImds::token_requests() const {
    std::lock_guard lock(mutex_);
    return token_requests_;
}

std::size_t FakeImds::refused_requests() const {
    std::lock_guard lock(mutex_);
    return refused_requests_;
}

std::size_t FakeImds::credential_requests() const {
    std::lock_guard lock(mutex_);
    return credential_requests_;
}

// --- ECS ----------------------------------------------------------------------------------

FakeEcsEndpoint::FakeEcsEndpoint(std::string path, std::string authorization,
                                 aws::Credentials credentials)
    : path_(std::move(path)),
      authorization_(std::move(authorization)),
      credentials_(std::move(credentials)),
      server_(std::make_unique<LoopbackServer>()) {
    server_->server().Get(path_, [this](const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mutex_);
        if (!authorization_.empty() && req.get_header_value("Authorization") != authorization_) {
            ++refused_;
            res.status = 401;
            res.set_content(R"({"code":"Unauthorized","message":"bad authorization token"})",
                            "application/json");
            return;
        }
        ++served_;
        nlohmann::json document = credentials_json(credentials_);
        document["RoleArn"] = "arn:aws:iam::123456789012:role/task-role";
        res.set_content(document.dump(), "application/json");
    });
    server_->start();
}

FakeEcsEndpoint::~FakeEcsEndpoint() = default;

std::string FakeEcsEndpoint::base() const {
    return server_->url();
}

std::string FakeEcsEndpoint::url() const {
    return base() + path_;
}

std::size_t FakeEcsEndpoint::served() const {
    std::lock_guard lock(mutex_);
    return served_;
}

std::size_t FakeEcsEndpoint::refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

// --- STS ----------------------------------------------------------------------------------

FakeSts::FakeSts(std::string region)
    : region_(std::move(region)), server_(std::make_unique<LoopbackServer>()) {
    server_->server().Post(
        "/", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    server_->start();
}

FakeSts::~FakeSts() = default;

std::string FakeSts::endpoint() const {
    return server_->url();
}

void FakeSts::add_caller(const aws::Credentials& credentials) {
    std::lock_guard lock(mutex_);
    callers_[credentials.access_key_id] = credentials;
}

void FakeSts::set_issued(const aws::Credentials& credentials) {
    std::lock_guard lock(mutex_);
    issued_ = credentials;
}

void FakeSts::fail_next(std::size_t count, int status, std::string code, std::string message) {
    std::lock_guard lock(mutex_);
    failure_ = {count, status, std::move(code), std::move(message)};
}

std::vector<StsCall> FakeSts::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::size_t FakeSts::refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

void FakeSts::handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex_);
    const auto refuse = [&](int status, const std::string& code, const std::string& message) {
        ++refused_;
        sts_error(res, status, code, message);
    };
    if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) != 0) {
        return refuse(400, "InvalidParameterValue", "expected a form body");
    }
    StsCall call;
    call.params = parse_form(req.body);
    call.action = call.params["Action"];
    if (call.params["Version"] != "2011-06-15") {
        return refuse(400, "InvalidParameterValue", "bad Version");
    }
    if (call.params["RoleArn"].empty() || call.params["RoleSessionName"].empty()) {
        return refuse(400, "ValidationError", "RoleArn and RoleSessionName are required");
    }
    if (call.action == "AssumeRole") {
        const std::string problem = signature_problem(req, call.signed_by);
        if (!problem.empty()) return refuse(403, "SignatureDoesNotMatch", problem);
    } else if (call.action == "AssumeRoleWithWebIdentity") {
        if (call.params["WebIdentityToken"].empty()) {
            return refuse(400, "ValidationError", "WebIdentityToken is required");
        }
    } else {
        return refuse(400, "InvalidAction", "Could not find operation " + call.action);
    }
    if (failure_.count > 0) {
        --failure_.count;
        return refuse(failure_.status, failure_.code, failure_.message);
    }
    calls_.push_back(call);
    const std::string& action = call.action;
    res.set_content(
        "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <" +
            action + "Result>\n    <Credentials>\n      <AccessKeyId>" + issued_.access_key_id +
            "</AccessKeyId>\n      <SecretAccessKey>" + issued_.secret_access_key +
            "</SecretAccessKey>\n      <SessionToken>" + issued_.session_token +
            "</SessionToken>\n      <Expiration>" +
            iso8601(issued_.expiration.value_or(std::chrono::system_clock::now() +
                                                std::chrono::hours(1))) +
            "</Expiration>\n    </Credentials>\n    <AssumedRoleUser><Arn>" +
            call.params["RoleArn"] + "/" + call.params["RoleSessionName"] +
            "</Arn></AssumedRoleUser>\n  </" + action +
            "Result>\n  <ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>\n</" +
            action + "Response>\n",
        "text/xml");
}

std::string FakeSts::signature_problem(const httplib::Request& req, std::string& signed_by) const {
    const std::string authorization = req.get_header_value("Authorization");
    constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256 ";
    if (authorization.rfind(kAlgorithm, 0) != 0) return "missing or unsigned Authorization";
    std::map<std::string, std::string> fields;
    std::string_view rest(authorization);
    rest.remove_prefix(kAlgorithm.size());
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view part = rest.substr(0, comma);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos) {
            fields[std::string(part.substr(0, eq))] = std::string(part.substr(eq + 1));
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    const std::string credential = fields["Credential"];
    const auto slash = credential.find('/');
    signed_by = credential.substr(0, slash);
    const std::string scope = slash == std::string::npos ? "" : credential.substr(slash + 1);
    const std::string date = req.get_header_value("x-amz-date");
    const auto when = parse_amz_date(date);
    if (!when) return "bad x-amz-date";
    if (scope != date.substr(0, 8) + "/" + region_ + "/sts/aws4_request") {
        return "bad credential scope " + scope;
    }
    const auto caller = callers_.find(signed_by);
    if (caller == callers_.end()) return "unknown access key " + signed_by;
    if (req.get_header_value("x-amz-security-token") != caller->second.session_token) {
        return "wrong session token";
    }

    aws::SignableRequest signable;
    signable.method = req.method;
    signable.host = req.get_header_value("Host");
    signable.path = req.path;
    signable.body = req.body;
    std::string_view signed_headers = fields["SignedHeaders"];
    while (!signed_headers.empty()) {
        const auto semi = signed_headers.find(';');
        const std::string name = lower(std::string(signed_headers.substr(0, semi)));
        if (name != "host" && name != "x-amz-date" && name != "x-amz-security-token") {
            signable.headers.emplace_back(name, req.get_header_value(name));
        }
        if (semi == std::string_view::npos) break;
        signed_headers.remove_prefix(semi + 1);
    }
    const aws::SigV4Signer signer("sts", region_);
    if (signer.sign(signable, caller->second, *when).signature != fields["Signature"]) {
        return "The request signature we calculated does not match the signature you provided.";
    }
    return "";
}

}  // namespace codeguru::test
