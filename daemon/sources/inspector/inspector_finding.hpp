#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/timestamp.hpp"

namespace codeguru::inspector {

// The Amazon Inspector `Finding` shape (inspector2 ListFindings, SPEC §10.1), as far as the
// tables hold it. Every member is optional on the wire; an absent member stays std::nullopt
// and is never invented. Nested structures the tables flatten (remediation, epss,
// exploitabilityDetails, openPortRange) are flattened here too. The model depends on nothing.

struct CodeRepository {
    std::optional<std::string> project_name;
    std::optional<std::string> integration_arn;
    std::optional<std::string> provider_type;
};

struct Resource {
    std::optional<std::string> type;
    std::optional<std::string> id;
    std::optional<std::string> partition;
    std::optional<std::string> region;
    std::optional<std::string> tags_json;     // the `tags` object, serialized (valid UTF-8)
    std::optional<std::string> details_json;  // the `details` object, serialized (valid UTF-8)
    std::optional<CodeRepository> code_repository;  // details.codeRepository
};

struct CodeVulnerabilityDetails {
    // filePath{fileName, filePath, startLine, endLine}
    std::optional<std::string> file_name;
    std::optional<std::string> file_path;
    std::optional<std::int64_t> start_line;
    std::optional<std::int64_t> end_line;
    std::optional<std::string> detector_id;
    std::optional<std::string> detector_name;
    std::optional<std::vector<std::string>> detector_tags;
    std::optional<std::string> rule_id;
    std::optional<std::vector<std::string>> cwes;
    std::optional<std::vector<std::string>> reference_urls;
    std::optional<std::string> source_lambda_layer_arn;
};

struct Cvss {
    std::optional<double> base_score;
    std::optional<std::string> scoring_vector;
    std::optional<std::string> version;
    std::optional<std::string> source;
};

struct VulnerablePackage {
    std::optional<std::string> name;
    std::optional<std::string> version;
    std::optional<std::int64_t> epoch;
    std::optional<std::string> release;
    std::optional<std::string> arch;
    std::optional<std::string> package_manager;
    std::optional<std::string> file_path;
    std::optional<std::string> fixed_in_version;
    std::optional<std::string> remediation;
    std::optional<std::string> source_layer_hash;
    std::optional<std::string> source_lambda_layer_arn;
};

struct PackageVulnerabilityDetails {
    std::optional<std::string> vulnerability_id;
    std::optional<std::string> source;
    std::optional<std::string> source_url;
    std::optional<std::string> vendor_severity;
    std::optional<Timestamp> vendor_created_at;
    std::optional<Timestamp> vendor_updated_at;
    std::optional<std::vector<std::string>> reference_urls;
    std::optional<std::vector<std::string>> related_vulnerabilities;
    std::optional<std::vector<Cvss>> cvss;
    std::optional<std::vector<VulnerablePackage>> vulnerable_packages;
};

struct NetworkPathStep {
    std::optional<std::string> component_id;
    std::optional<std::string> component_type;
    std::optional<std::string> component_arn;
};

struct NetworkReachabilityDetails {
    std::optional<std::string> protocol;
    std::optional<std::int64_t> open_port_begin;        // openPortRange.begin
    std::optional<std::int64_t> open_port_end;          // openPortRange.end
    std::optional<std::vector<NetworkPathStep>> steps;  // networkPath.steps
};

struct Finding {
    std::optional<std::string> finding_arn;  // the key
    std::optional<std::string> aws_account_id;
    std::optional<std::string>
        type;  // CODE_VULNERABILITY | PACKAGE_VULNERABILITY | NETWORK_REACHABILITY
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> severity;
    std::optional<std::string> status;
    std::optional<Timestamp> first_observed_at;
    std::optional<Timestamp> last_observed_at;
    std::optional<Timestamp> updated_at;
    std::optional<double> inspector_score;
    std::optional<double> epss_score;  // epss.score
    std::optional<std::string> fix_available;
    std::optional<std::string> exploit_available;
    std::optional<Timestamp> last_known_exploit_at;  // exploitabilityDetails.lastKnownExploitAt
    std::optional<std::string> recommendation_text;  // remediation.recommendation.text
    std::optional<std::string> recommendation_url;   // remediation.recommendation.Url
    std::optional<std::vector<Resource>> resources;
    std::optional<CodeVulnerabilityDetails> code;        // codeVulnerabilityDetails
    std::optional<PackageVulnerabilityDetails> package;  // packageVulnerabilityDetails
    std::optional<NetworkReachabilityDetails> network;   // networkReachabilityDetails
};

// One ListFindings answer. No next_token on the last page; a page may be empty while a
// next_token follows.
struct FindingsPage {
    std::vector<Finding> findings;
    std::optional<std::string> next_token;
};

// BatchGetCodeSnippet: one finding's code lines and suggested fixes.
struct SnippetLine {
    std::optional<std::int64_t> line_number;
    std::optional<std::string> content;
};

struct SnippetFix {
    std::optional<std::string> description;
    std::optional<std::string> code;
};

struct CodeSnippet {
    std::string finding_arn;
    std::optional<std::int64_t> start_line;
    std::optional<std::int64_t> end_line;
    std::vector<SnippetLine> lines;
    std::vector<SnippetFix> suggested_fixes;
};

// A per-ARN error inside a 200 answer. error_code: CODE_SNIPPET_NOT_FOUND | ACCESS_DENIED |
// INTERNAL_ERROR | INVALID_INPUT (or anything newer the API sends).
struct SnippetError {
    std::string finding_arn;
    std::string error_code;
    std::string message;
};

struct SnippetBatch {
    std::vector<CodeSnippet> results;
    std::vector<SnippetError> errors;
};

}  // namespace codeguru::inspector
