#include "inspector_generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <numeric>
#include <random>
#include <string_view>
#include <unordered_set>

namespace codeguru::test {
namespace {

using nlohmann::json;

constexpr std::int64_t kSecondUs = 1'000'000;
constexpr std::int64_t kDayUs = 86'400 * kSecondUs;
constexpr std::string_view kUnicodeSample = "Ünïcödé 日本語 🚀";
constexpr std::size_t kMaxDescription = 1024;  // FindingDescription's maximum length

enum Type : std::size_t { kCode = 0, kPackage = 1, kNetwork = 2 };
constexpr std::array<const char*, 3> kTypeNames = {"CODE_VULNERABILITY", "PACKAGE_VULNERABILITY",
                                                   "NETWORK_REACHABILITY"};

struct CodeDetector {
    std::string_view language;  // detectorId prefix and comment style
    std::string_view slug;
    std::string_view name;
    std::vector<std::string_view> cwes;
    std::string_view rule_id;
    std::vector<std::string_view> tags;
    std::string_view summary;
    std::string_view recommendation;
    std::vector<std::string_view> paths;
    std::vector<std::string_view> lines;  // the flagged statement is lines[flagged]
    std::size_t flagged;
    std::string_view fix_description;
    std::string_view fix_code;
};

const std::vector<CodeDetector>& code_detectors() {
    static const std::vector<CodeDetector> kDetectors = {
        {"python",
         "sql-injection",
         "SQL injection",
         {"CWE-89"},
         "python-avoid-string-formatted-sql-queries",
         {"injection", "sql", "owasp-top10", "top25-cwes", "cwe-89"},
         "User-provided inputs must be sanitized before they are used to generate a SQL "
         "database query. An attacker can create and use untrusted input to run query "
         "statements that read, modify, or delete database content.",
         "Use parameterized queries instead of building the statement with string formatting.",
         {"src/app/db/users.py", "services/billing/invoice.py", "lambda/ingest/handler.py"},
         {"def find_user(conn, user_id):", "    cursor = conn.cursor()",
          "    cursor.execute(f\"SELECT * FROM users WHERE id = {user_id}\")",
          "    return cursor.fetchone()"},
         2,
         "Pass the value as a bound parameter",
         "cursor.execute(\"SELECT * FROM users WHERE id = %s\", (user_id,))"},
        {"python",
         "hardcoded-credentials",
         "Hardcoded credentials",
         {"CWE-798"},
         "python-hardcoded-credentials",
         {"secrets", "owasp-top10", "top25-cwes", "cwe-798"},
         "Access credentials, such as passwords and access keys, should not be hardcoded in "
         "source code. Hardcoding credentials may cause leaks even after removing them.",
         "Load credentials from a secrets manager or the environment at run time.",
         {"src/app/api/auth.py", "tools/scripts/backup.py"},
         {"def client():", "    password = \"hunter2\"",
          "    return connect(user=\"admin\", password=password)"},
         1,
         "Read the password from AWS Secrets Manager",
         "password = secrets.get_secret_value(SecretId=\"db\")[\"SecretString\"]"},
        {"python",
         "os-command-injection",
         "OS command injection",
         {"CWE-77", "CWE-78", "CWE-88"},
         "python-oscommandinjection-rule",
         {"injection", "subprocess", "owasp-top10", "top25-cwes", "cwe-77", "cwe-78"},
         "Constructing operating system or shell commands with unsanitized user input can "
         "lead to inadvertently running malicious code.",
         "Pass the arguments as a list and never use shell=True with untrusted input.",
         {"tools/scripts/archive.py", "lambda/export/handler.py"},
         {"def archive(name):", "    subprocess.call(\"tar czf /tmp/out.tgz \" + name, shell=True)",
          "    return \"/tmp/out.tgz\""},
         1,
         "Run the command without a shell",
         "subprocess.call([\"tar\", \"czf\", \"/tmp/out.tgz\", name])"},
        {"java",
         "path-traversal",
         "Path traversal",
         {"CWE-22"},
         "java-path-traversal",
         {"injection", "owasp-top10", "top25-cwes", "cwe-22"},
         "Constructing path names with unsanitized user input can lead to path traversal "
         "attacks (for example, ../../..) that allow an attacker access to file system "
         "resources.",
         "Normalize the path and check that it stays under the intended base directory.",
         {"src/main/java/com/example/files/FileService.java",
          "core/src/main/java/org/acme/io/ConfigLoader.java"},
         {"public byte[] read(String name) throws IOException {",
          "    File file = new File(BASE_DIR, name);",
          "    return Files.readAllBytes(file.toPath());", "}"},
         1,
         "Resolve against the base directory and verify the prefix",
         "Path file = BASE_DIR.resolve(name).normalize();\n"
         "if (!file.startsWith(BASE_DIR)) {\n    throw new SecurityException(\"bad path\");\n}"},
        {"java",
         "xml-external-entity",
         "XML External Entity",
         {"CWE-611"},
         "java-xxe-rule",
         {"xml", "injection", "owasp-top10", "cwe-611"},
         "Objects that parse or handle XML can lead to XML External Entity (XXE) attacks when "
         "they are misconfigured.",
         "Disable DTDs and external entities on the parser factory.",
         {"src/main/java/com/example/xml/ImportController.java"},
         {"DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();",
          "DocumentBuilder builder = factory.newDocumentBuilder();",
          "Document doc = builder.parse(input);"},
         2,
         "Disallow doctype declarations",
         "factory.setFeature(\"http://apache.org/xml/features/disallow-doctype-decl\", true);"},
        {"javascript",
         "cross-site-scripting",
         "Cross-site scripting",
         {"CWE-20", "CWE-79", "CWE-80"},
         "javascript-xss-rule",
         {"injection", "xss", "owasp-top10", "top25-cwes", "cwe-79"},
         "User-controllable input must be sanitized before it's included in output used to "
         "dynamically generate a web page.",
         "Encode untrusted data for the HTML context or use textContent.",
         {"web/src/pages/greeting.js", "web/src/components/Comment.jsx"},
         {"const params = new URLSearchParams(location.search);",
          "const name = params.get('name');",
          "document.getElementById('greeting').innerHTML = `Hello ${name}`;"},
         2,
         "Use textContent instead of innerHTML",
         "document.getElementById('greeting').textContent = `Hello ${name}`;"},
    };
    return kDetectors;
}

struct VulnerablePackage {
    std::string_view cve;
    std::string_view name;
    std::string_view version;
    std::string_view release;
    std::string_view fixed_in;
    std::string_view manager;
    std::string_view file_path;  // empty for OS packages
    std::string_view vector;     // CVSS 3.1
    double score;
    std::string_view vendor_severity;
    std::string_view description;
};

const std::vector<VulnerablePackage>& vulnerable_packages() {
    static const std::vector<VulnerablePackage> kPackages = {
        {"CVE-2024-5535", "openssl", "3.0.13", "1~deb12u1", "3.0.14-1~deb12u1", "OS", "",
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H", 9.1, "CRITICAL",
         "Issue summary: Calling the OpenSSL API function SSL_select_next_proto with an empty "
         "supported client protocols buffer may cause a crash or memory contents to be sent to "
         "the peer."},
        {"CVE-2021-44228", "log4j-core", "2.14.1", "", "2.15.0", "JAR",
         "app/lib/log4j-core-2.14.1.jar", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0,
         "CRITICAL",
         "Apache Log4j2 JNDI features used in configuration, log messages, and parameters do "
         "not protect against attacker controlled LDAP and other JNDI related endpoints."},
        {"CVE-2021-23337", "lodash", "4.17.20", "", "4.17.21", "NPM",
         "app/node_modules/lodash/package.json", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
         7.2, "HIGH",
         "Lodash versions prior to 4.17.21 are vulnerable to Command Injection via "
         "the template function."},
        {"CVE-2023-32681", "requests", "2.28.1", "", "2.31.0", "PIP",
         "usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA",
         "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1, "MEDIUM",
         "Requests is a HTTP library. Since Requests 2.3.0, Requests has been leaking "
         "Proxy-Authorization headers to destination servers when redirected to an HTTPS "
         "endpoint."},
        {"CVE-2023-44487", "golang.org/x/net", "v0.8.0", "", "0.17.0", "GOMOD", "app/go.mod",
         "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "HIGH",
         "The HTTP/2 protocol allows a denial of service (server resource consumption) because "
         "request cancellation can reset many streams quickly."},
        {"CVE-2023-4911", "glibc", "2.36", "9+deb12u1", "2.36-9+deb12u3", "OS", "",
         "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8, "HIGH",
         "A buffer overflow was discovered in the GNU C Library's dynamic loader ld.so while "
         "processing the GLIBC_TUNABLES environment variable."},
    };
    return kPackages;
}

std::uint64_t fnv1a(std::string_view text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (const unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

bool chance(std::mt19937_64& rng, double p) {
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

std::int64_t between(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& from) {
    return from[static_cast<std::size_t>(
        between(rng, 0, static_cast<std::int64_t>(from.size()) - 1))];
}

std::string hex(std::mt19937_64& rng, std::size_t digits) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < digits; ++i) out += kHex[rng() & 15];
    return out;
}

std::string partition_of(const std::string& region) {
    if (region.rfind("cn-", 0) == 0) return "aws-cn";
    if (region.rfind("us-gov-", 0) == 0) return "aws-us-gov";
    return "aws";
}

// A time in [from, from + span]: a third whole seconds, a third to the ms, a third to the µs.
std::int64_t random_time_us(std::mt19937_64& rng, std::int64_t from_us, std::int64_t span_us) {
    std::int64_t t = from_us + between(rng, 0, span_us);
    switch (between(rng, 0, 2)) {
        case 0:
            return t - t % kSecondUs;
        case 1:
            return t - t % 1000;
        default:
            return t;
    }
}

std::int64_t epoch_us_of(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>() * kSecondUs;
    if (value.is_number()) return std::llround(value.get<double>() * 1e6);
    return 0;
}

std::int64_t to_us(std::chrono::system_clock::time_point when) {
    return std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
}

std::string lengthen(std::string text, std::string_view filler) {
    for (int i = 1; text.size() < kMaxDescription - 80; ++i) {
        text += " Detail " + std::to_string(i) + ": " + std::string(filler);
    }
    if (text.size() > kMaxDescription) text.resize(kMaxDescription);
    return text;
}

json tags_for(std::size_t k, const std::string& name) {
    if (k % 6 == 3) return json::object();
    return {{"team", k % 2 == 0 ? "payments" : "platform"},
            {"env", k % 3 == 0 ? "prod" : "staging"},
            {"Name", name}};
}

// Builds one finding at a time; `of_type_` counts the findings of each type made so far,
// which drives the showcase and absent-member rotations.
class FindingBuilder {
  public:
    FindingBuilder(const InspectorGenerateOptions& options, std::uint64_t seed,
                   std::array<std::size_t, 3> of_type, std::unordered_set<std::string> arns)
        : options_(options), rng_(seed), of_type_(of_type), arns_(std::move(arns)) {}

    std::mt19937_64& rng() { return rng_; }

    Type pick_type(std::size_t index) {
        const std::array<double, 3> shares = {std::max(0.0, options_.types.code),
                                              std::max(0.0, options_.types.package),
                                              std::max(0.0, options_.types.network)};
        // The first finding of every type in the mix comes first.
        std::size_t present = 0;
        for (std::size_t t = 0; t < 3; ++t) {
            if (shares[t] <= 0.0) continue;
            if (present++ == index) return static_cast<Type>(t);
        }
        const double total = shares[0] + shares[1] + shares[2];
        if (total <= 0.0) return kCode;
        double roll = std::uniform_real_distribution<double>(0.0, total)(rng_);
        for (std::size_t t = 0; t < 3; ++t) {
            if (roll < shares[t]) return static_cast<Type>(t);
            roll -= shares[t];
        }
        return shares[kNetwork] > 0 ? kNetwork : shares[kPackage] > 0 ? kPackage : kCode;
    }

    json make(std::size_t index, Type type, std::int64_t first_us) {
        const std::size_t k = of_type_[type]++;
        const bool showcase = k == 0;
        const auto& regions = options_.regions;
        const auto& accounts = options_.accounts;
        region_ = regions.empty() ? "us-east-1" : regions[index % regions.size()];
        account_ =
            accounts.empty()
                ? "123456789012"
                : accounts[(index / std::max<std::size_t>(regions.size(), 1)) % accounts.size()];
        partition_ = partition_of(region_);

        json f;
        std::string arn;
        do {
            arn = "arn:" + partition_ + ":inspector2:" + region_ + ":" + account_ + ":finding/" +
                  hex(rng_, 32);
        } while (!arns_.insert(arn).second);
        f["findingArn"] = arn;
        f["awsAccountId"] = account_;
        f["type"] = kTypeNames[type];
        const std::int64_t last_us = random_time_us(rng_, first_us, 30 * kDayUs);
        f["firstObservedAt"] = epoch_seconds_json_us(first_us);
        f["lastObservedAt"] = epoch_seconds_json_us(std::max(first_us, last_us));
        f["updatedAt"] = epoch_seconds_json_us(random_time_us(rng_, last_us, 2 * kDayUs));
        f["severity"] = showcase ? "HIGH" : severity();
        f["status"] = showcase ? "ACTIVE" : status();

        switch (type) {
            case kCode:
                code_finding(f, k);
                break;
            case kPackage:
                package_finding(f, k);
                break;
            case kNetwork:
                network_finding(f, k);
                break;
        }
        if (k % 9 == 7 && f.contains("title")) {
            f["title"] = f["title"].get<std::string>() + " (" + std::string(kUnicodeSample) + ")";
        }
        const bool long_text = options_.full_text || k % 13 == 6;
        if (long_text) {
            f["description"] = lengthen(f["description"],
                                        "The affected code path was traced "
                                        "from its entry point to the sink.");
        }
        if (k % 5 == 4) without_members(f, type, (k / 5) % variant_count(type));
        return f;
    }

  private:
    std::string severity() {
        const auto roll = between(rng_, 0, 99);
        if (roll < 2) return "UNTRIAGED";
        if (roll < 8) return "CRITICAL";
        if (roll < 30) return "HIGH";
        if (roll < 65) return "MEDIUM";
        if (roll < 90) return "LOW";
        return "INFORMATIONAL";
    }

    std::string status() {
        const auto roll = between(rng_, 0, 99);
        if (roll < 80) return "ACTIVE";
        if (roll < 88) return "SUPPRESSED";
        return "CLOSED";
    }

    static double score_for(const std::string& severity) {
        if (severity == "CRITICAL") return 9.8;
        if (severity == "HIGH") return 7.5;
        if (severity == "MEDIUM") return 5.3;
        if (severity == "LOW") return 3.1;
        return 0.0;
    }

    json timestamp_recent() {
        return epoch_seconds_json_us(random_time_us(rng_, base_us() - 200 * kDayUs, 190 * kDayUs));
    }
    std::int64_t base_us() const { return to_us(options_.base_time); }

    json resource(const std::string& type, const std::string& id, std::size_t k,
                  const std::string& name, json details) {
        json r = {{"type", type},
                  {"id", id},
                  {"partition", partition_},
                  {"region", region_},
                  {"tags", tags_for(k, name)}};
        if (!details.is_null()) r["details"] = std::move(details);
        return r;
    }

    json code_repository(std::size_t k) {
        const std::string project = std::array{"payments-api", "web-frontend", "ingest-pipeline",
                                               "identity-service"}[k % 4];
        const std::string provider = k % 3 == 2 ? "GITLAB_SELF_MANAGED" : "GITHUB";
        return resource("CODE_REPOSITORY",
                        "arn:" + partition_ + ":inspector2:" + region_ + ":" + account_ +
                            ":codesecurity-project/" + hex(rng_, 12),
                        k, project,
                        {{"codeRepository",
                          {{"projectName", project},
                           {"integrationArn",
                            "arn:" + partition_ + ":inspector2:" + region_ + ":" + account_ +
                                ":codesecurity-integration/" + hex(rng_, 8) + "-" + hex(rng_, 4) +
                                "-" + hex(rng_, 4) + "-" + hex(rng_, 4) + "-" + hex(rng_, 12)},
                           {"providerType", provider}}}});
    }

    std::string lambda_layer_arn() {
        return "arn:" + partition_ + ":lambda:" + region_ + ":" + account_ +
               ":layer:shared-deps:" + std::to_string(between(rng_, 1, 40));
    }

    json lambda_function(std::size_t k) {
        const std::string name =
            std::array{"orders-handler", "thumbnailer", "report-export"}[k % 3];
        return resource("AWS_LAMBDA_FUNCTION",
                        "arn:" + partition_ + ":lambda:" + region_ + ":" + account_ +
                            ":function:" + name + ":$LATEST",
                        k, name,
                        {{"awsLambdaFunction",
                          {{"functionName", name},
                           {"runtime", std::array{"PYTHON_3_11", "NODEJS_18_X", "JAVA_17"}[k % 3]},
                           {"codeSha256", hex(rng_, 43) + "="},
                           {"version", "$LATEST"},
                           {"executionRoleArn",
                            "arn:" + partition_ + ":iam::" + account_ + ":role/" + name + "-role"},
                           {"layers", {lambda_layer_arn()}},
                           {"vpcConfig",
                            {{"subnetIds", {"subnet-" + hex(rng_, 17)}},
                             {"securityGroupIds", {"sg-" + hex(rng_, 17)}},
                             {"vpcId", "vpc-" + hex(rng_, 17)}}},
                           {"packageType", "ZIP"},
                           {"architectures", {k % 2 == 0 ? "X86_64" : "ARM64"}},
                           {"lastModifiedAt", timestamp_recent()}}}});
    }

    json ecr_image(std::size_t k, const std::string& repository, const std::string& digest) {
        return resource("AWS_ECR_CONTAINER_IMAGE",
                        "arn:" + partition_ + ":ecr:" + region_ + ":" + account_ + ":repository/" +
                            repository + "/sha256:" + digest,
                        k, repository,
                        {{"awsEcrContainerImage",
                          {{"repositoryName", repository},
                           {"imageTags", {"latest", "v1." + std::to_string(k % 20)}},
                           {"pushedAt", timestamp_recent()},
                           {"author", "ci@example.com"},
                           {"architecture", k % 2 == 0 ? "amd64" : "arm64"},
                           {"imageHash", "sha256:" + digest},
                           {"registry", account_},
                           {"platform", "DEBIAN_12"},
                           {"lastInUseAt", timestamp_recent()},
                           {"inUseCount", between(rng_, 0, 12)}}}});
    }

    json ec2_instance(std::size_t k) {
        const std::string id = "i-" + hex(rng_, 17);
        return resource(
            "AWS_EC2_INSTANCE", id, k, "web-" + std::to_string(k % 7),
            {{"awsEc2Instance",
              {{"type", std::array{"t3.medium", "m6i.large", "c7g.xlarge"}[k % 3]},
               {"imageId", "ami-" + hex(rng_, 17)},
               {"ipV4Addresses",
                {"10.0." + std::to_string(k % 250) + "." + std::to_string(between(rng_, 2, 250)),
                 "54.210." + std::to_string(between(rng_, 0, 255)) + "." +
                     std::to_string(between(rng_, 1, 254))}},
               {"ipV6Addresses", {"2600:1f18:" + hex(rng_, 4) + "::" + hex(rng_, 4)}},
               {"keyName", "ops-key"},
               {"iamInstanceProfileArn",
                "arn:" + partition_ + ":iam::" + account_ + ":instance-profile/web"},
               {"vpcId", "vpc-" + hex(rng_, 17)},
               {"subnetId", "subnet-" + hex(rng_, 17)},
               {"launchedAt", timestamp_recent()},
               {"platform", "AMAZON_LINUX_2023"}}}});
    }

    void code_finding(json& f, std::size_t k) {
        const bool showcase = k == 0;
        const CodeDetector& d = showcase ? code_detectors()[0] : pick(rng_, code_detectors());
        const std::string path(pick(rng_, d.paths));
        const std::string file_name = path.substr(path.rfind('/') + 1);
        const auto start_line = between(rng_, 10, 800);
        const auto fix_lines = std::count(d.fix_code.begin(), d.fix_code.end(), '\n');
        const bool lambda = showcase || k % 3 == 2;
        const std::string url = "https://docs.aws.amazon.com/codeguru/detector-library/" +
                                std::string(d.language) + "/" + std::string(d.slug) + "/";
        json tags = json::array();
        for (const auto& tag : d.tags) tags.push_back(tag);
        if (k % 4 == 1) tags.push_back(tags[0]);
        json cwes = json::array();
        for (const auto& cwe : d.cwes) cwes.push_back(cwe);
        json details = {
            {"filePath",
             {{"fileName", file_name},
              {"filePath", path},
              {"startLine", start_line},
              {"endLine", start_line + fix_lines}}},
            {"detectorId", std::string(d.language) + "/" + std::string(d.slug) + "@v1.0"},
            {"detectorName", d.name},
            {"detectorTags", tags},
            {"ruleId", d.rule_id},
            {"cwes", cwes},
            {"referenceUrls",
             {"https://cwe.mitre.org/data/definitions/" + std::string(d.cwes[0].substr(4)) +
                  ".html",
              url}}};
        if (lambda) details["sourceLambdaLayerArn"] = lambda_layer_arn();
        f["codeVulnerabilityDetails"] = details;
        f["title"] = std::string(d.cwes[0]) + " - " + std::string(d.name);
        f["description"] = d.summary;
        f["remediation"] = {{"recommendation", {{"text", d.recommendation}, {"Url", url}}}};
        f["inspectorScore"] = score_for(f["severity"]);
        json resources = json::array({code_repository(k)});
        if (lambda) resources.push_back(lambda_function(k));
        f["resources"] = resources;
    }

    void package_finding(json& f, std::size_t k) {
        const bool showcase = k == 0;
        const VulnerablePackage& p =
            showcase ? vulnerable_packages()[0] : pick(rng_, vulnerable_packages());
        const std::size_t where = showcase ? 0 : k % 3;  // 0: ECR image, 1: Lambda, 2: EC2
        const std::string repository = std::array{"shop/api", "shop/worker", "data/etl"}[k % 3];
        const std::string digest = hex(rng_, 64);
        json resources = json::array();
        if (where == 0) {
            resources.push_back(ecr_image(k, repository, digest));
            if (showcase || k % 4 == 1) {
                resources.push_back(resource("AWS_ECR_REPOSITORY",
                                             "arn:" + partition_ + ":ecr:" + region_ + ":" +
                                                 account_ + ":repository/" + repository,
                                             k + 3, repository, json()));
            }
        } else if (where == 1) {
            resources.push_back(lambda_function(k));
        } else {
            resources.push_back(ec2_instance(k));
        }
        f["resources"] = resources;

        const std::size_t package_count =
            showcase ? 2 : static_cast<std::size_t>(between(rng_, 1, 3));
        json packages = json::array();
        std::string names;
        for (std::size_t i = 0; i < package_count; ++i) {
            std::string name(p.name);
            if (i > 0) name += i == 1 ? "-libs" : "-devel";
            json entry = {{"name", name},
                          {"version", p.version},
                          {"epoch", i == 0 && p.manager == "OS" ? 1 : 0},
                          {"packageManager", p.manager},
                          {"fixedInVersion", p.fixed_in},
                          {"remediation", "Upgrade " + name + " to " + std::string(p.fixed_in)},
                          {"arch", k % 2 == 0 ? "x86_64" : "aarch64"}};
            if (!p.release.empty() || showcase) {
                entry["release"] = p.release.empty() ? "1" : std::string(p.release);
            }
            if (!p.file_path.empty() || showcase) {
                entry["filePath"] =
                    p.file_path.empty() ? "var/lib/dpkg/status" : std::string(p.file_path);
            }
            if (where == 0) entry["sourceLayerHash"] = "sha256:" + hex(rng_, 64);
            if (where == 1 || showcase) entry["sourceLambdaLayerArn"] = lambda_layer_arn();
            packages.push_back(entry);
            names += (i > 0 ? ", " : "") + name;
        }
        const std::string source_url = "https://nvd.nist.gov/vuln/detail/" + std::string(p.cve);
        const std::int64_t vendor_created =
            random_time_us(rng_, base_us() - 900 * kDayUs, 600 * kDayUs);
        f["packageVulnerabilityDetails"] = {
            {"vulnerabilityId", p.cve},
            {"source", "NVD"},
            {"sourceUrl", source_url},
            {"vendorSeverity", p.vendor_severity},
            {"vendorCreatedAt", epoch_seconds_json_us(vendor_created)},
            {"vendorUpdatedAt",
             epoch_seconds_json_us(random_time_us(rng_, vendor_created, 200 * kDayUs))},
            {"referenceUrls",
             {source_url, "https://www.cve.org/CVERecord?id=" + std::string(p.cve)}},
            {"relatedVulnerabilities",
             {"GHSA-" + hex(rng_, 4) + "-" + hex(rng_, 4) + "-" + hex(rng_, 4)}},
            {"cvss",
             {{{"baseScore", p.score},
               {"scoringVector", p.vector},
               {"version", "3.1"},
               {"source", "NVD"}},
              {{"baseScore", std::round(p.score * 7.0) / 10.0},
               {"scoringVector", "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
               {"version", "2.0"},
               {"source", "NVD"}}}},
            {"vulnerablePackages", packages}};
        f["title"] = std::string(p.cve) + " - " + names;
        f["description"] = p.description;
        json recommendation = {{"text", "Upgrade " + std::string(p.name) + " to " +
                                            std::string(p.fixed_in) + " or later."}};
        if (showcase || k % 2 == 0) recommendation["Url"] = source_url;
        f["remediation"] = {{"recommendation", recommendation}};
        f["inspectorScore"] = p.score;
        f["inspectorScoreDetails"] = {
            {"adjustedCvss",
             {{"scoreSource", "NVD"},
              {"cvssSource", "NVD"},
              {"version", "3.1"},
              {"score", p.score},
              {"scoringVector", p.vector},
              {"adjustments", {{{"metric", "attackVector"}, {"reason", "network exposure"}}}}}}};
        f["epss"] = {{"score", static_cast<double>(between(rng_, 1, 97000)) / 100000.0}};
        f["fixAvailable"] = std::array{"YES", "NO", "PARTIAL"}[showcase ? 0 : k % 3];
        const bool exploit = showcase || k % 3 == 1;
        f["exploitAvailable"] = exploit ? "YES" : "NO";
        if (exploit) {
            f["exploitabilityDetails"] = {{"lastKnownExploitAt", timestamp_recent()}};
        }
    }

    void network_finding(json& f, std::size_t k) {
        const bool showcase = k == 0;
        json instance = ec2_instance(k);
        const std::string instance_id = instance["id"];
        f["resources"] = json::array({instance});
        const int port = std::array{22, 3389, 443, 5432, 8080}[k % 5];
        const int end = k % 4 == 3 ? port + 100 : port;
        const std::string protocol = k % 6 == 5 ? "UDP" : "TCP";
        const std::string igw = "igw-" + hex(rng_, 17);
        const std::string vpc_arn = "arn:" + partition_ + ":ec2:" + region_ + ":" + account_;
        json steps = {{{"componentId", igw},
                       {"componentType", "AWS::EC2::InternetGateway"},
                       {"componentArn", vpc_arn + ":internet-gateway/" + igw}},
                      {{"componentId", "acl-" + hex(rng_, 17)},
                       {"componentType", "AWS::EC2::NetworkAcl"},
                       {"componentArn", vpc_arn + ":network-acl/acl-" + hex(rng_, 17)}},
                      {{"componentId", "sg-" + hex(rng_, 17)},
                       {"componentType", "AWS::EC2::SecurityGroup"},
                       {"componentArn", vpc_arn + ":security-group/sg-" + hex(rng_, 17)}},
                      {{"componentId", instance_id},
                       {"componentType", "AWS::EC2::Instance"},
                       {"componentArn", vpc_arn + ":instance/" + instance_id}}};
        f["networkReachabilityDetails"] = {{"protocol", protocol},
                                           {"openPortRange", {{"begin", port}, {"end", end}}},
                                           {"networkPath", {{"steps", steps}}}};
        f["title"] = "Port " + std::to_string(port) +
                     (end != port ? "-" + std::to_string(end) : "") +
                     " is reachable from an Internet Gateway - " + protocol;
        f["description"] = "On the instance " + instance_id + ", the port range " +
                           std::to_string(port) + " to " + std::to_string(end) +
                           " is reachable from the InternetGateway " + igw +
                           " from an attached ENI.";
        json recommendation = {{"text",
                                "You can restrict access to your instance by modifying the "
                                "Security Groups or ACLs in the network path."}};
        if (showcase || k % 2 == 1) {
            recommendation["Url"] =
                "https://docs.aws.amazon.com/inspector/latest/user/findings-types.html";
        }
        f["remediation"] = {{"recommendation", recommendation}};
    }

    static std::size_t variant_count(Type type) { return type == kPackage ? 5 : 4; }

    // Removes members as some real findings lack them; `variant` < variant_count(type).
    static void without_members(json& f, Type type, std::size_t variant) {
        switch (variant) {
            case 0:
                f.erase("title");
                f.erase("updatedAt");
                return;
            case 1:
                for (const char* key :
                     {"inspectorScore", "inspectorScoreDetails", "epss", "fixAvailable",
                      "exploitAvailable", "exploitabilityDetails"}) {
                    f.erase(key);
                }
                f["remediation"] = json::object();
                return;
            case 2:
                for (const char* key : {"partition", "region", "tags", "details"})
                    f["resources"][0].erase(key);
                return;
            default:
                break;
        }
        if (type == kCode) {
            for (const char* key :
                 {"ruleId", "detectorTags", "referenceUrls", "sourceLambdaLayerArn"}) {
                f["codeVulnerabilityDetails"].erase(key);
            }
        } else if (type == kNetwork) {
            for (auto& step : f["networkReachabilityDetails"]["networkPath"]["steps"])
                step.erase("componentArn");
            f["remediation"]["recommendation"].erase("Url");
        } else if (variant == 3) {
            json& details = f["packageVulnerabilityDetails"];
            details = {{"vulnerabilityId", details["vulnerabilityId"]},
                       {"source", details["source"]}};
        } else {
            for (auto& package : f["packageVulnerabilityDetails"]["vulnerablePackages"]) {
                package = {{"name", package["name"]}, {"version", package["version"]}};
            }
        }
    }

    const InspectorGenerateOptions& options_;
    std::mt19937_64 rng_;
    std::array<std::size_t, 3> of_type_;
    std::unordered_set<std::string> arns_;
    std::string region_;
    std::string account_;
    std::string partition_;
};

std::size_t share(double fraction, std::size_t of) {
    if (fraction <= 0.0 || of == 0) return 0;
    const auto n = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(of)));
    return std::clamp<std::size_t>(n, 1, of);
}

const CodeDetector* detector_of(const std::string& detector_id) {
    for (const auto& d : code_detectors()) {
        const std::string id = std::string(d.language) + "/" + std::string(d.slug) + "@";
        if (detector_id.rfind(id, 0) == 0) return &d;
    }
    return nullptr;
}

}  // namespace

json epoch_seconds_json_us(std::int64_t epoch_us) {
    if (epoch_us % kSecondUs == 0) return epoch_us / kSecondUs;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(epoch_us / kSecondUs),
                  static_cast<long long>(epoch_us % kSecondUs));
    return std::strtod(buf, nullptr);
}

std::string arn_region(const std::string& arn) {
    // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
    if (arn.rfind("arn:", 0) != 0) return "";
    std::size_t start = 0;
    for (int field = 0; field < 3; ++field) {
        start = arn.find(':', start);
        if (start == std::string::npos) return "";
        ++start;
    }
    const auto end = arn.find(':', start);
    if (end == std::string::npos) return "";
    return arn.substr(start, end - start);
}

std::vector<json> generate_inspector_findings(const InspectorGenerateOptions& options) {
    FindingBuilder builder(options, options.seed ^ 0x1f2e3d4c5b6a7988ULL, {0, 0, 0}, {});
    const std::int64_t base_us = to_us(options.base_time);
    std::vector<json> findings;
    findings.reserve(options.count);
    for (std::size_t i = 0; i < options.count; ++i) {
        const Type type = builder.pick_type(i);
        const std::int64_t first =
            random_time_us(builder.rng(), base_us - 90 * kDayUs, 60 * kDayUs);
        findings.push_back(builder.make(i, type, first));
    }
    return findings;
}

std::optional<json> generate_code_snippet(const json& finding, std::uint64_t seed) {
    if (!finding.is_object()) return std::nullopt;
    const auto code = finding.find("codeVulnerabilityDetails");
    if (code == finding.end() || !code->is_object()) return std::nullopt;
    const std::string arn = finding.value("findingArn", "");
    const std::string version = finding.contains("updatedAt") ? finding["updatedAt"].dump() : "";
    std::mt19937_64 rng(seed ^ fnv1a(arn) ^ (fnv1a(version) * 31));

    const CodeDetector& d = [&]() -> const CodeDetector& {
        const CodeDetector* found = detector_of(code->value("detectorId", ""));
        return found != nullptr ? *found : code_detectors()[fnv1a(arn) % code_detectors().size()];
    }();
    std::int64_t flagged_line = 1;
    std::string file_name = "source";
    if (const auto path = code->find("filePath"); path != code->end() && path->is_object()) {
        if (path->contains("startLine") && (*path)["startLine"].is_number_integer()) {
            flagged_line = (*path)["startLine"].get<std::int64_t>();
        }
        file_name = path->value("fileName", file_name);
    }
    // A header comment, then the template with the flagged statement at flagged_line.
    const std::int64_t first =
        std::max<std::int64_t>(1, flagged_line - 1 - static_cast<std::int64_t>(d.flagged));
    const std::string comment = d.language == "python" ? "# " : "// ";
    json lines = json::array();
    lines.push_back(
        {{"lineNumber", first}, {"content", comment + file_name + " @ " + hex(rng, 7)}});
    const bool repeat = chance(rng, 0.2);
    for (std::size_t i = 0; i < d.lines.size(); ++i) {
        const std::int64_t number = first + 1 + static_cast<std::int64_t>(i);
        lines.push_back({{"lineNumber", number}, {"content", d.lines[i]}});
        if (repeat && i == d.flagged) {
            lines.push_back({{"lineNumber", number},
                             {"content", std::string(d.lines[i]) + "  " + comment + "repeated"}});
        }
    }
    json fixes = json::array({{{"description", d.fix_description}, {"code", d.fix_code}}});
    if (chance(rng, 0.3)) {
        fixes.push_back({{"description", "Alternatively, validate the input first"},
                         {"code", comment + "reject values that fail validation"}});
    }
    return json{{"findingArn", arn},
                {"startLine", first},
                {"endLine", first + static_cast<std::int64_t>(d.lines.size())},
                {"codeSnippet", lines},
                {"suggestedFixes", fixes}};
}

InspectorEvolveSummary evolve_inspector_findings(std::vector<json>& findings, std::uint64_t seed,
                                                 const InspectorEvolveOptions& options,
                                                 std::chrono::system_clock::time_point now) {
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
    const std::int64_t now_us = to_us(now);
    InspectorEvolveSummary summary;
    const std::size_t before = findings.size();
    const auto arn_of = [&](std::size_t i) {
        return findings[i].value("findingArn", std::string());
    };
    const auto bump = [&](json& f) {
        std::int64_t when = now_us;
        if (f.contains("updatedAt") && f["updatedAt"].is_number()) {
            when = std::max(when, epoch_us_of(f["updatedAt"]) + 1000);
        }
        f["updatedAt"] = epoch_seconds_json_us(when);
        f["lastObservedAt"] = epoch_seconds_json_us(when);
    };

    std::vector<std::size_t> order(before);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<bool> touched(before, false);

    std::size_t to_close = share(options.closed, before);
    for (const std::size_t i : order) {
        if (to_close == 0) break;
        if (findings[i].value("status", "") == "CLOSED") continue;
        bump(findings[i]);
        findings[i]["status"] = "CLOSED";
        touched[i] = true;
        summary.closed_arns.push_back(arn_of(i));
        --to_close;
    }

    static const std::vector<std::string> kSeverities = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH",
                                                         "CRITICAL"};
    constexpr std::string_view kUpdated = " (updated)";
    std::size_t to_change = share(options.changed, before);
    for (const std::size_t i : order) {
        if (to_change == 0) break;
        if (touched[i]) continue;
        json& f = findings[i];
        bump(f);
        const std::string old_severity = f.value("severity", "");
        std::string severity = old_severity;
        while (severity == old_severity) severity = pick(rng, kSeverities);
        f["severity"] = severity;
        std::string title = f.value("title", std::string("Finding"));
        if (title.size() >= kUpdated.size() &&
            title.compare(title.size() - kUpdated.size(), kUpdated.size(), kUpdated) == 0) {
            title.resize(title.size() - kUpdated.size());
        } else {
            title += kUpdated;
        }
        f["title"] = title;
        touched[i] = true;
        summary.changed_arns.push_back(arn_of(i));
        --to_change;
    }

    std::size_t to_remove = share(options.removed, before);
    std::vector<bool> removed(before, false);
    for (const std::size_t i : order) {
        if (to_remove == 0) break;
        if (touched[i]) continue;
        removed[i] = true;
        summary.removed_arns.push_back(arn_of(i));
        --to_remove;
    }

    // New findings look like the present ones: same regions, accounts and type mix.
    InspectorGenerateOptions like;
    like.regions.clear();
    like.accounts.clear();
    like.types = {0, 0, 0};
    like.base_time = now;
    std::array<std::size_t, 3> of_type{0, 0, 0};
    std::unordered_set<std::string> arns;
    for (const auto& f : findings) {
        const std::string arn = f.value("findingArn", "");
        arns.insert(arn);
        const std::string region = arn_region(arn);
        if (!region.empty() &&
            std::find(like.regions.begin(), like.regions.end(), region) == like.regions.end()) {
            like.regions.push_back(region);
        }
        const std::string account = f.value("awsAccountId", "");
        if (!account.empty() &&
            std::find(like.accounts.begin(), like.accounts.end(), account) == like.accounts.end()) {
            like.accounts.push_back(account);
        }
        const std::string type = f.value("type", "");
        for (std::size_t t = 0; t < 3; ++t) {
            if (type == kTypeNames[t]) ++of_type[t];
        }
    }
    like.types = {static_cast<double>(of_type[kCode]), static_cast<double>(of_type[kPackage]),
                  static_cast<double>(of_type[kNetwork])};
    if (of_type[kCode] + of_type[kPackage] + of_type[kNetwork] == 0) like.types = {};
    if (like.regions.empty()) like.regions = {"us-east-1"};
    if (like.accounts.empty()) like.accounts = {"123456789012"};

    if (!summary.removed_arns.empty()) {
        std::vector<json> kept;
        kept.reserve(before);
        for (std::size_t i = 0; i < before; ++i) {
            if (!removed[i]) kept.push_back(std::move(findings[i]));
        }
        findings = std::move(kept);
    }

    FindingBuilder builder(like, rng(), of_type, std::move(arns));
    const std::size_t to_add = share(options.added, std::max<std::size_t>(before, 1));
    for (std::size_t n = 0; n < to_add; ++n) {
        // Past the showcase rotation: a new finding is an ordinary one.
        const Type type = builder.pick_type(3 + n);
        json f = builder.make(before + n, type, now_us);
        f["status"] = "ACTIVE";
        for (const char* key : {"firstObservedAt", "lastObservedAt", "updatedAt"}) {
            f[key] = epoch_seconds_json_us(now_us);
        }
        summary.added_arns.push_back(f["findingArn"]);
        findings.push_back(std::move(f));
    }
    return summary;
}

json to_json(const InspectorEvolveSummary& summary) {
    return {{"changed", summary.changed_arns.size()}, {"closed", summary.closed_arns.size()},
            {"removed", summary.removed_arns.size()}, {"added", summary.added_arns.size()},
            {"changedArns", summary.changed_arns},    {"closedArns", summary.closed_arns},
            {"removedArns", summary.removed_arns},    {"addedArns", summary.added_arns}};
}

}  // namespace codeguru::test
