#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "sources/inspector/finding_json.hpp"
#include "util/timestamp.hpp"

using namespace codeguru;
using namespace codeguru::inspector;
using nlohmann::json;

namespace {

constexpr char kFffd[] = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// Every member of the inspector2 Finding shape the model holds, plus members it does not
// (inspectorScoreDetails, awsLambdaFunction) that must be skipped. Members of `tags` and
// `details` are in alphabetical order, so that finding_from_json (whose nlohmann DOM sorts
// them) serializes them as a page does.
const char* const kFullFinding = R"json({
  "findingArn": "arn:aws:inspector2:us-east-1:123456789012:finding/0123abcd",
  "awsAccountId": "123456789012",
  "type": "CODE_VULNERABILITY",
  "title": "CWE-89 - SQL injection ☠",
  "description": "Untrusted input flows into a query",
  "severity": "HIGH",
  "status": "ACTIVE",
  "firstObservedAt": 1758000000.872,
  "lastObservedAt": "2025-09-17T10:00:00.25Z",
  "updatedAt": 1758100000,
  "inspectorScore": 8.8,
  "inspectorScoreDetails": {"adjustedCvss": {"score": "not read", "adjustments": []}},
  "epss": {"score": 0.00043},
  "fixAvailable": "YES",
  "exploitAvailable": "NO",
  "exploitabilityDetails": {"lastKnownExploitAt": "2025-01-02T03:04:05Z"},
  "remediation": {"recommendation": {"text": "Use parameters", "Url": "https://example.com/r"}},
  "resources": [
    {"type": "CODE_REPOSITORY", "id": "repo-1", "partition": "aws", "region": "us-east-1",
     "tags": {"env": "prod", "team": "sec"},
     "details": {"codeRepository": {"integrationArn": "arn:aws:inspector2:us-east-1:123456789012:codesecurity-integration/abc",
                                    "projectName": "shop", "providerType": "GITHUB"}}},
    {"type": "AWS_LAMBDA_FUNCTION", "id": "fn-1",
     "details": {"awsLambdaFunction": {"codeSha256": "x", "functionName": "f", "layers": ["l1"]}}}],
  "codeVulnerabilityDetails": {
    "filePath": {"fileName": "db.py", "filePath": "src/app/db.py", "startLine": 10, "endLine": 12},
    "detectorId": "python/sql-injection@v1.0", "detectorName": "SQL injection",
    "detectorTags": ["injection", "cwe-89"], "ruleId": "python-sqli",
    "cwes": ["CWE-89", "CWE-20"], "referenceUrls": ["https://cwe.mitre.org/89"],
    "sourceLambdaLayerArn": "arn:aws:lambda:us-east-1:123456789012:layer:l:1"},
  "packageVulnerabilityDetails": {
    "vulnerabilityId": "CVE-2024-0001", "source": "NVD", "sourceUrl": "https://nvd.nist.gov/x",
    "vendorSeverity": "HIGH", "vendorCreatedAt": 1700000000,
    "vendorUpdatedAt": "2024-01-01T00:00:00Z",
    "referenceUrls": ["https://a", "https://b"], "relatedVulnerabilities": ["GHSA-1"],
    "cvss": [{"baseScore": 9, "scoringVector": "CVSS:3.1/AV:N", "version": "3.1", "source": "NVD"},
             {"baseScore": 7.5, "scoringVector": "CVSS:2.0/AV:N", "version": "2.0", "source": "GHSA"}],
    "vulnerablePackages": [{"name": "openssl", "version": "1.1.1", "epoch": 1, "release": "1.el8",
                            "arch": "x86_64", "packageManager": "OS", "filePath": "/usr/lib64",
                            "fixedInVersion": "1.1.1k", "remediation": "yum update openssl",
                            "sourceLayerHash": "sha256:1", "sourceLambdaLayerArn": "arn:layer"}]},
  "networkReachabilityDetails": {
    "protocol": "TCP", "openPortRange": {"begin": 22, "end": 23},
    "networkPath": {"steps": [{"componentId": "igw-1", "componentType": "AWS::EC2::InternetGateway",
                               "componentArn": "arn:igw"},
                              {"componentId": "sg-1", "componentType": "AWS::EC2::SecurityGroup"}]}},
  "somethingNew": {"findingArn": "not this one"}
})json";

void check_full_finding(const Finding& f) {
    CHECK(f.finding_arn == "arn:aws:inspector2:us-east-1:123456789012:finding/0123abcd");
    CHECK(f.aws_account_id == "123456789012");
    CHECK(f.type == "CODE_VULNERABILITY");
    CHECK(f.title == "CWE-89 - SQL injection ☠");
    CHECK(f.description == "Untrusted input flows into a query");
    CHECK(f.severity == "HIGH");
    CHECK(f.status == "ACTIVE");
    CHECK(format_timestamp(*f.first_observed_at) == "2025-09-16 05:20:00.872000+00");
    CHECK(format_timestamp(*f.last_observed_at) == "2025-09-17 10:00:00.250000+00");
    CHECK(format_timestamp(*f.updated_at) == "2025-09-17 09:06:40.000000+00");
    CHECK(f.inspector_score == 8.8);
    CHECK(f.epss_score == 0.00043);
    CHECK(f.fix_available == "YES");
    CHECK(f.exploit_available == "NO");
    CHECK(format_timestamp(*f.last_known_exploit_at) == "2025-01-02 03:04:05.000000+00");
    CHECK(f.recommendation_text == "Use parameters");
    CHECK(f.recommendation_url == "https://example.com/r");

    REQUIRE(f.resources);
    REQUIRE(f.resources->size() == 2);
    const Resource& repo = (*f.resources)[0];
    CHECK(repo.type == "CODE_REPOSITORY");
    CHECK(repo.id == "repo-1");
    CHECK(repo.partition == "aws");
    CHECK(repo.region == "us-east-1");
    CHECK(repo.tags_json == R"({"env":"prod","team":"sec"})");
    CHECK(repo.details_json ==
          R"({"codeRepository":{"integrationArn":"arn:aws:inspector2:us-east-1:123456789012:)"
          R"(codesecurity-integration/abc","projectName":"shop","providerType":"GITHUB"}})");
    REQUIRE(repo.code_repository);
    CHECK(repo.code_repository->project_name == "shop");
    CHECK(repo.code_repository->integration_arn ==
          "arn:aws:inspector2:us-east-1:123456789012:codesecurity-integration/abc");
    CHECK(repo.code_repository->provider_type == "GITHUB");
    const Resource& lambda = (*f.resources)[1];
    CHECK(lambda.type == "AWS_LAMBDA_FUNCTION");
    CHECK(lambda.id == "fn-1");
    CHECK_FALSE(lambda.partition);
    CHECK_FALSE(lambda.tags_json);
    CHECK(lambda.details_json ==
          R"({"awsLambdaFunction":{"codeSha256":"x","functionName":"f","layers":["l1"]}})");
    CHECK_FALSE(lambda.code_repository);

    REQUIRE(f.code);
    const CodeVulnerabilityDetails& code = *f.code;
    CHECK(code.file_name == "db.py");
    CHECK(code.file_path == "src/app/db.py");
    CHECK(code.start_line == 10);
    CHECK(code.end_line == 12);
    CHECK(code.detector_id == "python/sql-injection@v1.0");
    CHECK(code.detector_name == "SQL injection");
    CHECK(code.detector_tags == std::vector<std::string>{"injection", "cwe-89"});
    CHECK(code.rule_id == "python-sqli");
    CHECK(code.cwes == std::vector<std::string>{"CWE-89", "CWE-20"});
    CHECK(code.reference_urls == std::vector<std::string>{"https://cwe.mitre.org/89"});
    CHECK(code.source_lambda_layer_arn == "arn:aws:lambda:us-east-1:123456789012:layer:l:1");

    REQUIRE(f.package);
    const PackageVulnerabilityDetails& package = *f.package;
    CHECK(package.vulnerability_id == "CVE-2024-0001");
    CHECK(package.source == "NVD");
    CHECK(package.source_url == "https://nvd.nist.gov/x");
    CHECK(package.vendor_severity == "HIGH");
    CHECK(format_timestamp(*package.vendor_created_at) == "2023-11-14 22:13:20.000000+00");
    CHECK(format_timestamp(*package.vendor_updated_at) == "2024-01-01 00:00:00.000000+00");
    CHECK(package.reference_urls == std::vector<std::string>{"https://a", "https://b"});
    CHECK(package.related_vulnerabilities == std::vector<std::string>{"GHSA-1"});
    REQUIRE(package.cvss);
    REQUIRE(package.cvss->size() == 2);
    CHECK((*package.cvss)[0].base_score == 9.0);
    CHECK((*package.cvss)[0].scoring_vector == "CVSS:3.1/AV:N");
    CHECK((*package.cvss)[0].version == "3.1");
    CHECK((*package.cvss)[0].source == "NVD");
    CHECK((*package.cvss)[1].base_score == 7.5);
    CHECK((*package.cvss)[1].source == "GHSA");
    REQUIRE(package.vulnerable_packages);
    REQUIRE(package.vulnerable_packages->size() == 1);
    const VulnerablePackage& p = (*package.vulnerable_packages)[0];
    CHECK(p.name == "openssl");
    CHECK(p.version == "1.1.1");
    CHECK(p.epoch == 1);
    CHECK(p.release == "1.el8");
    CHECK(p.arch == "x86_64");
    CHECK(p.package_manager == "OS");
    CHECK(p.file_path == "/usr/lib64");
    CHECK(p.fixed_in_version == "1.1.1k");
    CHECK(p.remediation == "yum update openssl");
    CHECK(p.source_layer_hash == "sha256:1");
    CHECK(p.source_lambda_layer_arn == "arn:layer");

    REQUIRE(f.network);
    const NetworkReachabilityDetails& network = *f.network;
    CHECK(network.protocol == "TCP");
    CHECK(network.open_port_begin == 22);
    CHECK(network.open_port_end == 23);
    REQUIRE(network.steps);
    REQUIRE(network.steps->size() == 2);
    CHECK((*network.steps)[0].component_id == "igw-1");
    CHECK((*network.steps)[0].component_type == "AWS::EC2::InternetGateway");
    CHECK((*network.steps)[0].component_arn == "arn:igw");
    CHECK((*network.steps)[1].component_id == "sg-1");
    CHECK((*network.steps)[1].component_type == "AWS::EC2::SecurityGroup");
    CHECK_FALSE((*network.steps)[1].component_arn);
}

// The one finding of a page whose only finding has `members`.
Finding one_finding(const std::string& members, std::vector<std::string>* warnings = nullptr) {
    const auto parsed = parse_findings_page("{\"findings\":[{" + members + "}]}");
    REQUIRE(parsed.page.findings.size() == 1);
    if (warnings != nullptr) *warnings = parsed.warnings;
    return parsed.page.findings[0];
}

// {"findings":[ENTRY,ENTRY,...] + `tail`: `count` copies of `entry`.
std::string findings_body(std::size_t count, const std::string& entry, const std::string& tail) {
    std::string body = "{\"findings\":[";
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) body += ',';
        body += entry;
    }
    return body + tail;
}

}  // namespace

TEST_CASE("Inspector JSON: every member of a finding is mapped, from a page and from one object") {
    const auto parsed = parse_findings_page(std::string("{\"findings\":[") + kFullFinding +
                                            "],\"nextToken\":\"tok\"}");
    CHECK(parsed.warnings.empty());
    CHECK(parsed.more_warnings == 0);
    CHECK(parsed.invalid_utf8_replaced == 0);
    CHECK(parsed.page.next_token == "tok");
    REQUIRE(parsed.page.findings.size() == 1);
    check_full_finding(parsed.page.findings[0]);

    std::vector<std::string> warnings;
    check_full_finding(finding_from_json(json::parse(kFullFinding), warnings));
    CHECK(warnings.empty());
}

TEST_CASE(
    "Inspector JSON: absent members stay absent, and present empty objects and lists stay empty") {
    std::vector<std::string> warnings;
    const Finding none = one_finding("", &warnings);
    CHECK(warnings.empty());
    CHECK_FALSE(none.finding_arn);
    CHECK_FALSE(none.aws_account_id);
    CHECK_FALSE(none.type);
    CHECK_FALSE(none.title);
    CHECK_FALSE(none.description);
    CHECK_FALSE(none.severity);
    CHECK_FALSE(none.status);
    CHECK_FALSE(none.first_observed_at);
    CHECK_FALSE(none.last_observed_at);
    CHECK_FALSE(none.updated_at);
    CHECK_FALSE(none.inspector_score);
    CHECK_FALSE(none.epss_score);
    CHECK_FALSE(none.fix_available);
    CHECK_FALSE(none.exploit_available);
    CHECK_FALSE(none.last_known_exploit_at);
    CHECK_FALSE(none.recommendation_text);
    CHECK_FALSE(none.recommendation_url);
    CHECK_FALSE(none.resources);
    CHECK_FALSE(none.code);
    CHECK_FALSE(none.package);
    CHECK_FALSE(none.network);

    const Finding empty = one_finding(
        R"("findingArn": "a", "resources": [{}, {"tags": {}, "details": {}}],
           "codeVulnerabilityDetails": {"filePath": {}, "cwes": []},
           "packageVulnerabilityDetails": {"cvss": [{}], "vulnerablePackages": []},
           "networkReachabilityDetails": {"openPortRange": {}, "networkPath": {}},
           "remediation": {"recommendation": {}}, "epss": {})",
        &warnings);
    CHECK(warnings.empty());
    REQUIRE(empty.resources->size() == 2);
    const Resource& bare = (*empty.resources)[0];
    CHECK_FALSE(bare.type);
    CHECK_FALSE(bare.id);
    CHECK_FALSE(bare.partition);
    CHECK_FALSE(bare.region);
    CHECK_FALSE(bare.tags_json);
    CHECK_FALSE(bare.details_json);
    CHECK_FALSE(bare.code_repository);
    CHECK((*empty.resources)[1].tags_json == "{}");
    CHECK((*empty.resources)[1].details_json == "{}");
    CHECK_FALSE((*empty.resources)[1].code_repository);
    REQUIRE(empty.code);
    CHECK_FALSE(empty.code->file_name);
    CHECK_FALSE(empty.code->start_line);
    CHECK_FALSE(empty.code->detector_tags);
    CHECK(empty.code->cwes == std::vector<std::string>{});
    REQUIRE(empty.package);
    REQUIRE(empty.package->cvss->size() == 1);
    CHECK_FALSE((*empty.package->cvss)[0].base_score);
    CHECK(empty.package->vulnerable_packages->empty());
    REQUIRE(empty.network);
    CHECK_FALSE(empty.network->open_port_begin);
    CHECK_FALSE(empty.network->steps);
    CHECK_FALSE(empty.recommendation_text);
    CHECK_FALSE(empty.epss_score);

    const Finding from_empty_object = finding_from_json(json::object(), warnings);
    CHECK_FALSE(from_empty_object.finding_arn);
    const Finding from_non_object = finding_from_json(json::array({1}), warnings);
    CHECK_FALSE(from_non_object.finding_arn);
    CHECK(warnings.empty());
}

TEST_CASE(
    "Inspector JSON: each member of the wrong type is left out with a warning naming its path") {
    struct Case {
        const char* members;  // beside "findingArn": "arn:f"
        const char* warning;  // after `finding "arn:f": `
        std::function<bool(const Finding&)> as_expected;
    };
    const std::vector<Case> cases = {
        {R"("title": ["x"])", "title is array, expected a string",
         [](const Finding& f) { return !f.title; }},
        {R"("awsAccountId": {"id": 1})", "awsAccountId is object, expected a string",
         [](const Finding& f) { return !f.aws_account_id; }},
        {R"("firstObservedAt": "yesterday")", "firstObservedAt is string, expected a timestamp",
         [](const Finding& f) { return !f.first_observed_at; }},
        {R"("lastObservedAt": true)", "lastObservedAt is boolean, expected a timestamp",
         [](const Finding& f) { return !f.last_observed_at; }},
        {R"("updatedAt": [1758000000])", "updatedAt is array, expected a timestamp",
         [](const Finding& f) { return !f.updated_at; }},
        {R"("inspectorScore": "high")", "inspectorScore is string, expected a number",
         [](const Finding& f) { return !f.inspector_score; }},
        {R"("inspectorScore": false)", "inspectorScore is boolean, expected a number",
         [](const Finding& f) { return !f.inspector_score; }},
        {R"("epss": 0.5)", "epss is number, expected an object",
         [](const Finding& f) { return !f.epss_score; }},
        {R"("epss": {"score": {}})", "epss.score is object, expected a number",
         [](const Finding& f) { return !f.epss_score; }},
        {R"("exploitabilityDetails": {"lastKnownExploitAt": "soon"})",
         "exploitabilityDetails.lastKnownExploitAt is string, expected a timestamp",
         [](const Finding& f) { return !f.last_known_exploit_at; }},
        {R"("remediation": [])", "remediation is array, expected an object",
         [](const Finding& f) { return !f.recommendation_text && !f.recommendation_url; }},
        {R"("remediation": {"recommendation": "use parameters"})",
         "remediation.recommendation is string, expected an object",
         [](const Finding& f) { return !f.recommendation_text; }},
        {R"("remediation": {"recommendation": {"text": "t", "Url": ["u"]}})",
         "remediation.recommendation.Url is array, expected a string",
         [](const Finding& f) { return !f.recommendation_url && f.recommendation_text == "t"; }},
        {R"("resources": {"type": "x"})", "resources is object, expected a list",
         [](const Finding& f) { return !f.resources; }},
        {R"("resources": [7, {"id": "r"}])", "resources[0] is number, expected an object",
         [](const Finding& f) { return f.resources->size() == 1 && (*f.resources)[0].id == "r"; }},
        {R"("resources": [{"id": "r", "tags": "team=sec"}])",
         "resources[0].tags is string, expected an object",
         [](const Finding& f) { return !(*f.resources)[0].tags_json && (*f.resources)[0].id; }},
        {R"("resources": [{"tags": ["team"]}])", "resources[0].tags is array, expected an object",
         [](const Finding& f) { return !(*f.resources)[0].tags_json; }},
        {R"("resources": [{"details": 3}])", "resources[0].details is number, expected an object",
         [](const Finding& f) {
             return !(*f.resources)[0].details_json && !(*f.resources)[0].code_repository;
         }},
        {R"("resources": [{"details": {"codeRepository": "shop"}}])",
         "resources[0].details.codeRepository is string, expected an object",
         [](const Finding& f) {
             const Resource& r = (*f.resources)[0];
             return !r.code_repository && r.details_json == R"({"codeRepository":"shop"})";
         }},
        {R"("resources": [{"details": {"codeRepository": {"projectName": 7, "providerType": {}}}}])",
         "resources[0].details.codeRepository.providerType is object, expected a string",
         [](const Finding& f) {
             const auto& repo = *(*f.resources)[0].code_repository;
             return repo.project_name == "7" && !repo.provider_type;
         }},
        {R"("codeVulnerabilityDetails": "x")",
         "codeVulnerabilityDetails is string, expected an object",
         [](const Finding& f) { return !f.code; }},
        {R"("codeVulnerabilityDetails": {"filePath": {"startLine": "ten", "endLine": 12}})",
         "codeVulnerabilityDetails.filePath.startLine is string, expected an integer",
         [](const Finding& f) { return !f.code->start_line && f.code->end_line == 12; }},
        {R"("codeVulnerabilityDetails": {"filePath": {"endLine": 12.5}})",
         "codeVulnerabilityDetails.filePath.endLine is number, expected an integer",
         [](const Finding& f) { return !f.code->end_line; }},
        {R"("codeVulnerabilityDetails": {"filePath": ["db.py"]})",
         "codeVulnerabilityDetails.filePath is array, expected an object",
         [](const Finding& f) { return f.code && !f.code->file_name; }},
        {R"("codeVulnerabilityDetails": {"filePath": {"fileName": null, "filePath": {}}})",
         "codeVulnerabilityDetails.filePath.filePath is object, expected a string",
         [](const Finding& f) { return !f.code->file_path && !f.code->file_name; }},
        {R"("codeVulnerabilityDetails": {"cwes": "CWE-89"})",
         "codeVulnerabilityDetails.cwes is string, expected a list",
         [](const Finding& f) { return !f.code->cwes; }},
        {R"("codeVulnerabilityDetails": {"detectorTags": ["a", 1]})",
         "codeVulnerabilityDetails.detectorTags[1] is number, expected a string",
         [](const Finding& f) { return f.code->detector_tags == std::vector<std::string>{"a"}; }},
        {R"("codeVulnerabilityDetails": {"referenceUrls": [["u"]]})",
         "codeVulnerabilityDetails.referenceUrls[0] is array, expected a string",
         [](const Finding& f) { return f.code->reference_urls == std::vector<std::string>{}; }},
        {R"("packageVulnerabilityDetails": {"vendorCreatedAt": {}})",
         "packageVulnerabilityDetails.vendorCreatedAt is object, expected a timestamp",
         [](const Finding& f) { return !f.package->vendor_created_at; }},
        {R"("packageVulnerabilityDetails": {"cvss": {"baseScore": 9}})",
         "packageVulnerabilityDetails.cvss is object, expected a list",
         [](const Finding& f) { return !f.package->cvss; }},
        {R"("packageVulnerabilityDetails": {"cvss": [{"baseScore": "critical", "version": "3.1"}]})",
         "packageVulnerabilityDetails.cvss[0].baseScore is string, expected a number",
         [](const Finding& f) {
             const Cvss& c = (*f.package->cvss)[0];
             return !c.base_score && c.version == "3.1";
         }},
        {R"("packageVulnerabilityDetails": {"vulnerablePackages": [{"name": "a", "epoch": 0.5}]})",
         "packageVulnerabilityDetails.vulnerablePackages[0].epoch is number, expected an integer",
         [](const Finding& f) {
             const VulnerablePackage& p = (*f.package->vulnerable_packages)[0];
             return !p.epoch && p.name == "a";
         }},
        {R"("packageVulnerabilityDetails": {"vulnerablePackages": [{"epoch": 9223372036854775808}]})",
         "packageVulnerabilityDetails.vulnerablePackages[0].epoch is number, expected a 64-bit "
         "integer",
         [](const Finding& f) { return !(*f.package->vulnerable_packages)[0].epoch; }},
        {R"("packageVulnerabilityDetails": {"relatedVulnerabilities": [null, "CVE-1"]})",
         "packageVulnerabilityDetails.relatedVulnerabilities[0] is null, expected a string",
         [](const Finding& f) {
             return f.package->related_vulnerabilities == std::vector<std::string>{"CVE-1"};
         }},
        {R"("networkReachabilityDetails": {"openPortRange": "22-23"})",
         "networkReachabilityDetails.openPortRange is string, expected an object",
         [](const Finding& f) { return !f.network->open_port_begin && !f.network->open_port_end; }},
        {R"("networkReachabilityDetails": {"openPortRange": {"begin": 22, "end": true}})",
         "networkReachabilityDetails.openPortRange.end is boolean, expected an integer",
         [](const Finding& f) {
             return f.network->open_port_begin == 22 && !f.network->open_port_end;
         }},
        {R"("networkReachabilityDetails": {"networkPath": 1})",
         "networkReachabilityDetails.networkPath is number, expected an object",
         [](const Finding& f) { return !f.network->steps; }},
        {R"("networkReachabilityDetails": {"networkPath": {"steps": {}}})",
         "networkReachabilityDetails.networkPath.steps is object, expected a list",
         [](const Finding& f) { return !f.network->steps; }},
        {R"("networkReachabilityDetails": {"networkPath": {"steps": [{"componentId": []}]}})",
         "networkReachabilityDetails.networkPath.steps[0].componentId is array, expected a string",
         [](const Finding& f) { return !(*f.network->steps)[0].component_id; }},
    };
    for (const Case& c : cases) {
        INFO(c.members);
        std::vector<std::string> warnings;
        const Finding f =
            one_finding(std::string(R"("findingArn": "arn:f", )") + c.members, &warnings);
        CHECK(f.finding_arn == "arn:f");
        CHECK(warnings == std::vector<std::string>{std::string("finding \"arn:f\": ") + c.warning +
                                                   "; left out"});
        CHECK(c.as_expected(f));
    }

    // A finding whose key is unreadable is named without it.
    std::vector<std::string> warnings;
    const Finding keyless = one_finding(R"("findingArn": {"a": 1}, "title": 5)", &warnings);
    CHECK_FALSE(keyless.finding_arn);
    CHECK(keyless.title == "5");  // a number where text belongs keeps its text
    CHECK(warnings == std::vector<std::string>{"finding without findingArn: findingArn is object, "
                                               "expected a string; left out"});
}

TEST_CASE("Inspector JSON: numbers and timestamps are read in every form the wire may use") {
    std::vector<std::string> warnings;
    const Finding f = one_finding(
        R"("inspectorScore": 7, "epss": {"score": "0.25"}, "fixAvailable": true,
           "firstObservedAt": "2025-09-16T07:20:00+02:00", "lastObservedAt": 1758000000,
           "updatedAt": "1758000000.5",
           "codeVulnerabilityDetails": {"filePath": {"startLine": 4.0, "endLine": "12"}},
           "packageVulnerabilityDetails": {"cvss": [{"baseScore": 10}],
                                           "vulnerablePackages": [{"epoch": -1}]},
           "networkReachabilityDetails": {"openPortRange": {"begin": 0, "end": 65535}})",
        &warnings);
    CHECK(f.inspector_score == 7.0);
    CHECK(f.epss_score == 0.25);
    CHECK(f.fix_available == "true");
    CHECK(format_timestamp(*f.first_observed_at) == "2025-09-16 05:20:00.000000+00");
    CHECK(format_timestamp(*f.last_observed_at) == "2025-09-16 05:20:00.000000+00");
    CHECK_FALSE(f.updated_at);  // a string is read as ISO-8601, not as epoch seconds
    CHECK(f.code->start_line == 4);
    CHECK(f.code->end_line == 12);
    CHECK((*f.package->cvss)[0].base_score == 10.0);
    CHECK((*f.package->vulnerable_packages)[0].epoch == -1);
    CHECK(f.network->open_port_begin == 0);
    CHECK(f.network->open_port_end == 65535);
    CHECK(warnings == std::vector<std::string>{"finding without findingArn: updatedAt is string, "
                                               "expected a timestamp; left out"});
}

TEST_CASE(
    "Inspector JSON: null is the same as absent, also after a value and for flattened objects") {
    std::vector<std::string> warnings;
    const Finding all_null = one_finding(
        R"("findingArn": null, "awsAccountId": null, "type": null, "title": null,
           "description": null, "severity": null, "status": null, "firstObservedAt": null,
           "lastObservedAt": null, "updatedAt": null, "inspectorScore": null, "epss": null,
           "fixAvailable": null, "exploitAvailable": null, "exploitabilityDetails": null,
           "remediation": null, "resources": null, "codeVulnerabilityDetails": null,
           "packageVulnerabilityDetails": null, "networkReachabilityDetails": null)",
        &warnings);
    CHECK(warnings.empty());
    CHECK_FALSE(all_null.finding_arn);
    CHECK_FALSE(all_null.title);
    CHECK_FALSE(all_null.first_observed_at);
    CHECK_FALSE(all_null.inspector_score);
    CHECK_FALSE(all_null.epss_score);
    CHECK_FALSE(all_null.last_known_exploit_at);
    CHECK_FALSE(all_null.recommendation_text);
    CHECK_FALSE(all_null.resources);
    CHECK_FALSE(all_null.code);
    CHECK_FALSE(all_null.package);
    CHECK_FALSE(all_null.network);

    const Finding nested_null = one_finding(
        R"("findingArn": "a", "epss": {"score": null}, "remediation": {"recommendation": null},
           "resources": [{"type": null, "tags": null, "details": null},
                         {"details": {"codeRepository": null}}],
           "codeVulnerabilityDetails": {"filePath": null, "cwes": null, "detectorTags": null},
           "packageVulnerabilityDetails": {"cvss": null, "vulnerablePackages": [{"epoch": null}]},
           "networkReachabilityDetails": {"openPortRange": null, "networkPath": {"steps": null}})",
        &warnings);
    CHECK(warnings.empty());
    CHECK_FALSE(nested_null.epss_score);
    CHECK_FALSE(nested_null.recommendation_text);
    CHECK_FALSE((*nested_null.resources)[0].type);
    CHECK_FALSE((*nested_null.resources)[0].tags_json);
    CHECK_FALSE((*nested_null.resources)[0].details_json);
    CHECK((*nested_null.resources)[1].details_json == R"({"codeRepository":null})");
    CHECK_FALSE((*nested_null.resources)[1].code_repository);
    CHECK_FALSE(nested_null.code->file_name);
    CHECK_FALSE(nested_null.code->cwes);
    CHECK_FALSE(nested_null.package->cvss);
    CHECK_FALSE((*nested_null.package->vulnerable_packages)[0].epoch);
    CHECK_FALSE(nested_null.network->open_port_begin);
    CHECK_FALSE(nested_null.network->steps);

    // A null after a value takes the value away, with everything a flattened object set.
    const Finding cleared = one_finding(
        R"("findingArn": "a", "title": "x", "title": null,
           "remediation": {"recommendation": {"text": "t", "Url": "u"}}, "remediation": null,
           "epss": {"score": 0.5}, "epss": null,
           "resources": [{"tags": {"a": "b"}, "tags": null,
                          "details": {"codeRepository": {"projectName": "p"}}, "details": null}],
           "networkReachabilityDetails": {"openPortRange": {"begin": 1, "end": 2},
                                          "openPortRange": null,
                                          "networkPath": {"steps": [{}]}, "networkPath": null})",
        &warnings);
    CHECK(warnings.empty());
    CHECK_FALSE(cleared.title);
    CHECK_FALSE(cleared.recommendation_text);
    CHECK_FALSE(cleared.recommendation_url);
    CHECK_FALSE(cleared.epss_score);
    CHECK_FALSE((*cleared.resources)[0].tags_json);
    CHECK_FALSE((*cleared.resources)[0].details_json);
    CHECK_FALSE((*cleared.resources)[0].code_repository);
    CHECK_FALSE(cleared.network->open_port_begin);
    CHECK_FALSE(cleared.network->open_port_end);
    CHECK_FALSE(cleared.network->steps);
}

TEST_CASE("Inspector JSON: a repeated member's last value wins, whole") {
    std::vector<std::string> warnings;
    const Finding f = one_finding(
        R"("findingArn": "a", "title": "first", "title": "second",
           "epss": {"score": 0.1}, "epss": {},
           "remediation": {"recommendation": {"text": "t", "Url": "u"}},
           "remediation": {"recommendation": {"text": "t2"}},
           "resources": [{"id": "r1"}], "resources": [{"id": "r2"}, {"id": "r3",
               "tags": {"x": "1"}, "tags": {"y": "2"},
               "details": {"codeRepository": {"projectName": "p1"}}, "details": {"other": 1}}],
           "codeVulnerabilityDetails": {"filePath": {"fileName": "a.py", "startLine": 1},
                                        "filePath": {"fileName": "b.py"},
                                        "cwes": ["CWE-1"], "cwes": ["CWE-2", "CWE-3"]},
           "codeVulnerabilityDetails": {"filePath": {"fileName": "c.py"}, "ruleId": "r"},
           "findingArn": "b")",
        &warnings);
    CHECK(warnings.empty());
    CHECK(f.finding_arn == "b");
    CHECK(f.title == "second");
    CHECK_FALSE(f.epss_score);
    CHECK(f.recommendation_text == "t2");
    CHECK_FALSE(f.recommendation_url);
    REQUIRE(f.resources->size() == 2);
    CHECK((*f.resources)[0].id == "r2");
    const Resource& r3 = (*f.resources)[1];
    CHECK(r3.tags_json == R"({"y":"2"})");
    CHECK(r3.details_json == R"({"other":1})");
    CHECK_FALSE(r3.code_repository);
    CHECK(f.code->file_name == "c.py");  // the second codeVulnerabilityDetails replaced the first
    CHECK_FALSE(f.code->cwes);
    CHECK(f.code->rule_id == "r");

    const Finding within = one_finding(
        R"("codeVulnerabilityDetails": {"filePath": {"fileName": "a.py", "startLine": 1},
                                        "filePath": {"fileName": "b.py"},
                                        "cwes": ["CWE-1"], "cwes": ["CWE-2", "CWE-3"]})");
    CHECK(within.code->file_name == "b.py");
    CHECK_FALSE(within.code->start_line);
    CHECK(within.code->cwes == std::vector<std::string>{"CWE-2", "CWE-3"});

    const auto page = parse_findings_page(
        R"({"findings": [{"findingArn": "x"}], "nextToken": "n1",
            "findings": [{"findingArn": "y"}, {"findingArn": "z"}], "nextToken": "n2"})");
    REQUIRE(page.page.findings.size() == 2);
    CHECK(page.page.findings[0].finding_arn == "y");
    CHECK(page.page.findings[1].finding_arn == "z");
    CHECK(page.page.next_token == "n2");
}

TEST_CASE(
    "Inspector JSON: unknown members are skipped whole, and entries that are not objects left "
    "out") {
    const auto parsed = parse_findings_page(R"({"extra": {"findings": [{"findingArn": "no"}]},
        "findings": [
            {"findingArn": "a", "unknown": {"findingArn": "inner", "list": [1, {"title": [2]}]},
             "inspectorScoreDetails": {"adjustedCvss": {"score": "x"}},
             "resources": [{"id": "r", "future": [{"id": "no"}],
                            "details": {"codeRepository": {"projectName": "p", "branch": {"x": 1}},
                                        "awsEc2Instance": {"platform": "LINUX"}}}],
             "codeVulnerabilityDetails": {"filePath": {"fileName": "f", "column": 3}}},
            7, [1], null, "s"],
        "nextToken": "n", "moreUnknown": null})");
    REQUIRE(parsed.page.findings.size() == 1);
    const Finding& f = parsed.page.findings[0];
    CHECK(f.finding_arn == "a");
    CHECK_FALSE(f.title);
    CHECK_FALSE(f.inspector_score);
    REQUIRE(f.resources->size() == 1);
    CHECK((*f.resources)[0].id == "r");
    CHECK((*f.resources)[0].code_repository->project_name == "p");
    // The details are kept as sent, members the model does not read included.
    CHECK((*f.resources)[0].details_json ==
          R"({"codeRepository":{"projectName":"p","branch":{"x":1}},)"
          R"("awsEc2Instance":{"platform":"LINUX"}})");
    CHECK(f.code->file_name == "f");
    CHECK(parsed.page.next_token == "n");
    CHECK(parsed.warnings == std::vector<std::string>{
                                 "findings[1] is number, not an object; left out",
                                 "findings[2] is array, not an object; left out",
                                 "findings[3] is null, not an object; left out",
                                 "findings[4] is string, not an object; left out",
                             });
}

TEST_CASE(
    "Inspector JSON: tags and details are kept as compact JSON, as sent, escaped as JSON "
    "requires") {
    const auto parsed = parse_findings_page(
        R"({"findings": [{"findingArn": "a", "resources": [{"tags": {
            "b": "q\"uote \\ back\nline\ttab\u0001ctl\u001f \/ \u00e9 \ud83d\ude00",
            "a": [1, -2, 1.50, 1e3, 18446744073709551615, true, false, null, {"x": {}}, []],
            "e": {}, "b": "again"}}]}]})");
    REQUIRE(parsed.warnings.empty());
    const std::string& tags = *(*parsed.page.findings[0].resources)[0].tags_json;
    CHECK(
        tags ==
        "{\"b\":\"q\\\"uote \\\\ back\\nline\\ttab\\u0001ctl\\u001f / \xC3\xA9 \xF0\x9F\x98\x80\","
        "\"a\":[1,-2,1.50,1e3,18446744073709551615,true,false,null,{\"x\":{}},[]],"
        "\"e\":{},\"b\":\"again\"}");
}

TEST_CASE(
    "Inspector JSON: invalid UTF-8 and NUL become U+FFFD where PostgreSQL would refuse them") {
    SECTION("invalid UTF-8 anywhere costs a character, not the page") {
        const auto parsed = parse_findings_page(
            "{\"findings\":[{\"findingArn\":\"a\",\"title\":\"bad \xFF byte\","
            "\"resources\":[{\"tags\":{\"k\xC0\":\"v\xC3\"}}]}]}");
        CHECK(parsed.invalid_utf8_replaced == 3);
        REQUIRE(parsed.page.findings.size() == 1);
        const Finding& f = parsed.page.findings[0];
        CHECK(f.title == std::string("bad ") + kFffd + " byte");
        CHECK((*f.resources)[0].tags_json ==
              std::string("{\"k") + kFffd + "\":\"v" + kFffd + "\"}");
        CHECK(parsed.warnings.empty());
    }
    SECTION("NUL stays in text for the store, and becomes U+FFFD in tags and details") {
        const auto parsed = parse_findings_page(
            R"({"findings":[{"findingArn":"a","title":"x\u0000y",
                "resources":[{"tags":{"k\u0000":"v\u0000w"},
                              "details":{"codeRepository":{"projectName":"p\u0000"}}}]}]})");
        CHECK(parsed.invalid_utf8_replaced == 0);
        const Finding& f = parsed.page.findings[0];
        CHECK(f.title == std::string("x\0y", 3));
        const Resource& r = (*f.resources)[0];
        CHECK(r.tags_json == std::string("{\"k") + kFffd + "\":\"v" + kFffd + "w\"}");
        CHECK(r.details_json ==
              std::string("{\"codeRepository\":{\"projectName\":\"p") + kFffd + "\"}}");
        CHECK(r.code_repository->project_name == std::string("p\0", 2));
        CHECK(parsed.warnings ==
              std::vector<std::string>{
                  "finding \"a\": resources[0].tags: replaced 2 NUL character(s) with U+FFFD",
                  "finding \"a\": resources[0].details: replaced 1 NUL character(s) with U+FFFD"});
    }
}

TEST_CASE(
    "Inspector JSON: a page may be empty while a next token follows, and the last page has none") {
    struct Case {
        const char* body;
        std::optional<std::string> next_token;
    };
    const std::vector<Case> cases = {
        {R"({"findings":[],"nextToken":"t+/="})", "t+/="},
        {R"({"nextToken":"t"})", "t"},
        {R"({"findings":null,"nextToken":"t"})", "t"},
        {R"({"findings":[]})", std::nullopt},
        {R"({"findings":[],"nextToken":""})", std::nullopt},
        {R"({"findings":[],"nextToken":null})", std::nullopt},
        {R"({})", std::nullopt},
    };
    for (const Case& c : cases) {
        INFO(c.body);
        const auto parsed = parse_findings_page(c.body, 100);
        CHECK(parsed.page.findings.empty());
        CHECK(parsed.page.next_token == c.next_token);
        CHECK(parsed.warnings.empty());
    }
}

TEST_CASE("Inspector JSON: malformed or truncated ListFindings answers are malformed responses") {
    struct Case {
        const char* body;
        const char* message;
    };
    const std::vector<Case> cases = {
        {"", "ListFindings answer is not valid JSON (0 bytes)"},
        {R"({"findings": [ {"findingArn": )", "ListFindings answer is not valid JSON (30 bytes)"},
        {R"({"findings": []} {})", "ListFindings answer is not valid JSON (19 bytes)"},
        {R"({"findings": [{"inspectorScore": 1e999}]})",
         "ListFindings answer is not valid JSON (41 bytes)"},
        {R"([{"findingArn": "a"}])", "ListFindings answer is not a JSON object"},
        {R"("findings")", "ListFindings answer is not a JSON object"},
        {R"({"findings": 3})", "ListFindings answer: `findings` is not a list"},
        {R"({"findings": {"findingArn": "a"}})", "ListFindings answer: `findings` is not a list"},
        {R"({"findings": [], "nextToken": 5})", "ListFindings answer: `nextToken` is not a string"},
        {R"({"findings": [], "nextToken": ["t"]})",
         "ListFindings answer: `nextToken` is not a string"},
    };
    for (const Case& c : cases) {
        INFO(c.body);
        CHECK_THROWS_MATCHES(parse_findings_page(c.body), aws::MalformedResponseError,
                             Catch::Message(c.message));
    }
}

TEST_CASE(
    "Inspector JSON: a page of exactly maxResults findings is whole, one more stops the parse "
    "there") {
    const auto full = parse_findings_page(findings_body(100, R"({"findingArn":"a"})", "]}"), 100);
    CHECK(full.page.findings.size() == 100);
    for (const char* extra : {R"(,{"findingArn":"b"}]})", ",7]}", ",[]]}", ",null]}"}) {
        INFO(extra);
        CHECK_THROWS_MATCHES(parse_findings_page(findings_body(100, "{}", extra), 100),
                             OversizedPageError,
                             Catch::Message("ListFindings returned more than 100 findings "
                                            "(maxResults=100)"));
    }
    // What follows entry 11 is not JSON: only a parse that stopped there says "oversized".
    const std::string body = findings_body(11, "{}", ", this is never read");
    CHECK_THROWS_AS(parse_findings_page(body, 10), OversizedPageError);
    CHECK_THROWS_AS(parse_findings_page(body, 11), aws::MalformedResponseError);
    // Without a limit (0) a long page is parsed whole.
    CHECK(parse_findings_page(findings_body(101, "{}", "]}")).page.findings.size() == 101);
}

TEST_CASE("Inspector JSON: a page keeps its first 20 warnings and counts the rest") {
    std::string cwes;
    for (int i = 0; i < 30; ++i) cwes += std::string(i > 0 ? "," : "") + std::to_string(i);
    const std::string finding =
        R"({"findingArn":"w","codeVulnerabilityDetails":{"cwes":[)" + cwes + "]}}";
    const auto parsed = parse_findings_page(findings_body(5, "1", "," + finding + "]}"), 100);
    REQUIRE(parsed.warnings.size() == 20);
    CHECK(parsed.more_warnings == 15);
    CHECK(parsed.warnings[4] == "findings[4] is number, not an object; left out");
    CHECK(parsed.warnings[5] ==
          "finding \"w\": codeVulnerabilityDetails.cwes[0] is number, expected a string; left out");
    CHECK(parsed.warnings[19] ==
          "finding \"w\": codeVulnerabilityDetails.cwes[14] is number, expected a string; "
          "left out");

    std::vector<std::string> warnings;
    finding_from_json(json::parse(finding), warnings);
    REQUIRE(warnings.size() == 21);
    CHECK(warnings.back() == "... and 10 more warning(s)");
}

TEST_CASE(
    "Inspector JSON: a snippet batch yields its results and every kind of per-finding error") {
    const auto parsed = parse_snippet_batch(R"json({"codeSnippetResults": [
        {"findingArn": "arn:1", "startLine": 10, "endLine": 12,
         "codeSnippet": [{"lineNumber": 10, "content": "q = f'SELECT {x}'"},
                         {"lineNumber": 11, "content": "cur.execute(q)"}],
         "suggestedFixes": [{"description": "bind", "code": "cur.execute(q, (x,))"}]},
        {"startLine": 1, "codeSnippet": [{"lineNumber": 1, "content": "whose?"}]},
        {"findingArn": "arn:2", "codeSnippet": [{"lineNumber": "x", "content": "c"}, 5],
         "suggestedFixes": null, "future": {}},
        {"findingArn": "", "startLine": 3}],
      "errors": [
        {"findingArn": "arn:3", "errorCode": "CODE_SNIPPET_NOT_FOUND", "errorMessage": "none"},
        {"findingArn": "arn:4", "errorCode": "ACCESS_DENIED", "errorMessage": "denied"},
        {"findingArn": "arn:5", "errorCode": "INTERNAL_ERROR", "errorMessage": "oops"},
        {"findingArn": "arn:6", "errorCode": "INVALID_INPUT", "errorMessage": "bad arn"},
        {"errorCode": "ACCESS_DENIED", "errorMessage": "whose?"},
        {"findingArn": "arn:7"}]})json");

    REQUIRE(parsed.batch.results.size() == 2);
    const CodeSnippet& first = parsed.batch.results[0];
    CHECK(first.finding_arn == "arn:1");
    CHECK(first.start_line == 10);
    CHECK(first.end_line == 12);
    REQUIRE(first.lines.size() == 2);
    CHECK(first.lines[0].line_number == 10);
    CHECK(first.lines[0].content == "q = f'SELECT {x}'");
    CHECK(first.lines[1].line_number == 11);
    CHECK(first.lines[1].content == "cur.execute(q)");
    REQUIRE(first.suggested_fixes.size() == 1);
    CHECK(first.suggested_fixes[0].description == "bind");
    CHECK(first.suggested_fixes[0].code == "cur.execute(q, (x,))");
    const CodeSnippet& second = parsed.batch.results[1];
    CHECK(second.finding_arn == "arn:2");
    CHECK_FALSE(second.start_line);
    REQUIRE(second.lines.size() == 1);
    CHECK_FALSE(second.lines[0].line_number);
    CHECK(second.lines[0].content == "c");
    CHECK(second.suggested_fixes.empty());

    struct Expected {
        const char* arn;
        const char* code;
        const char* message;
    };
    const std::vector<Expected> errors = {
        {"arn:3", "CODE_SNIPPET_NOT_FOUND", "none"},
        {"arn:4", "ACCESS_DENIED", "denied"},
        {"arn:5", "INTERNAL_ERROR", "oops"},
        {"arn:6", "INVALID_INPUT", "bad arn"},
        {"arn:7", "", ""},
    };
    REQUIRE(parsed.batch.errors.size() == errors.size());
    for (std::size_t i = 0; i < errors.size(); ++i) {
        INFO(i);
        CHECK(parsed.batch.errors[i].finding_arn == errors[i].arn);
        CHECK(parsed.batch.errors[i].error_code == errors[i].code);
        CHECK(parsed.batch.errors[i].message == errors[i].message);
    }

    CHECK(parsed.warnings ==
          std::vector<std::string>{
              "codeSnippetResults[1] has no findingArn; left out",
              "code snippet of finding \"arn:2\": codeSnippet[0].lineNumber is string, expected "
              "an integer; left out",
              "code snippet of finding \"arn:2\": codeSnippet[1] is number, expected an object; "
              "left out",
              "codeSnippetResults[3] has no findingArn; left out",
              "errors[4] has no findingArn; left out",
          });
}

TEST_CASE(
    "Inspector JSON: a snippet entry without a readable findingArn is left out with what was "
    "wrong") {
    const auto parsed = parse_snippet_batch(
        R"({"codeSnippetResults": [7, {"findingArn": {"a": 1}, "startLine": "x"}, {"findingArn": "ok"}],
            "errors": [[], {"findingArn": null, "errorCode": "ACCESS_DENIED"}]})");
    REQUIRE(parsed.batch.results.size() == 1);
    CHECK(parsed.batch.results[0].finding_arn == "ok");
    CHECK(parsed.batch.errors.empty());
    CHECK(parsed.warnings ==
          std::vector<std::string>{
              "codeSnippetResults[0] is number, not an object; left out",
              "code snippet of finding without findingArn: findingArn is object, expected a "
              "string; left out",
              "code snippet of finding without findingArn: startLine is string, expected an "
              "integer; left out",
              "codeSnippetResults[1] has no findingArn; left out",
              "errors[0] is array, not an object; left out",
              "errors[1] has no findingArn; left out",
          });
}

TEST_CASE("Inspector JSON: snippet batches: empty answers are empty, misshapen ones malformed") {
    for (const char* body : {"{}", R"({"codeSnippetResults": null, "errors": []})",
                             R"({"codeSnippetResults": [], "unknown": [1]})"}) {
        INFO(body);
        const auto parsed = parse_snippet_batch(body);
        CHECK(parsed.batch.results.empty());
        CHECK(parsed.batch.errors.empty());
        CHECK(parsed.warnings.empty());
    }
    struct Case {
        const char* body;
        const char* message;
    };
    const std::vector<Case> cases = {
        {"", "BatchGetCodeSnippet answer is not valid JSON (0 bytes)"},
        {R"({"codeSnippetResults": [{"findingArn": "a")",
         "BatchGetCodeSnippet answer is not valid JSON (42 bytes)"},
        {"[]", "BatchGetCodeSnippet answer is not a JSON object"},
        {R"({"codeSnippetResults": {}})",
         "BatchGetCodeSnippet answer: `codeSnippetResults` is not a list"},
        {R"({"errors": "none"})", "BatchGetCodeSnippet answer: `errors` is not a list"},
    };
    for (const Case& c : cases) {
        INFO(c.body);
        CHECK_THROWS_MATCHES(parse_snippet_batch(c.body), aws::MalformedResponseError,
                             Catch::Message(c.message));
    }
    const auto repaired = parse_snippet_batch(
        "{\"codeSnippetResults\":[{\"findingArn\":\"a\",\"codeSnippet\":"
        "[{\"lineNumber\":1,\"content\":\"x\xFFy\"}]}]}");
    CHECK(repaired.invalid_utf8_replaced == 1);
    CHECK(repaired.batch.results[0].lines[0].content == std::string("x") + kFffd + "y");
}
