#include "sources/inspector/finding_json.hpp"

#include "sources/json_mapping/entry_pool.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/ondemand_mapper.hpp"

namespace codeguru::inspector {
namespace {

using json_mapping::AnswerSpec;
using json_mapping::entries;
using json_mapping::entry;
using json_mapping::json_text;
using json_mapping::member;
using json_mapping::MemberSpec;
using json_mapping::nested;
using json_mapping::ObjectSpec;
using json_mapping::token;

// The inspector2 shapes (SPEC §10.1, botocore's service model), member by member, as
// ondemand_mapper.hpp reads them. Objects the model flattens are `nested`: their members
// fill the enclosing model object.

// resources[]: `details.codeRepository` is read into the Resource beside the whole
// `details` kept as JSON.
constexpr MemberSpec kCodeRepositoryMembers[] = {
    member<&CodeRepository::project_name>("projectName"),
    member<&CodeRepository::integration_arn>("integrationArn"),
    member<&CodeRepository::provider_type>("providerType"),
};
constexpr ObjectSpec kCodeRepository{kCodeRepositoryMembers};

constexpr MemberSpec kResourceDetailsMembers[] = {
    member<&Resource::code_repository>("codeRepository", &kCodeRepository),
};
constexpr ObjectSpec kResourceDetails{kResourceDetailsMembers};

constexpr MemberSpec kResourceMembers[] = {
    member<&Resource::type>("type"),
    member<&Resource::id>("id"),
    member<&Resource::partition>("partition"),
    member<&Resource::region>("region"),
    json_text<&Resource::tags_json>("tags"),
    json_text<&Resource::details_json>("details", &kResourceDetails),
};
constexpr ObjectSpec kResource{kResourceMembers};

// codeVulnerabilityDetails
constexpr MemberSpec kCodeFilePathMembers[] = {
    member<&CodeVulnerabilityDetails::file_name>("fileName"),
    member<&CodeVulnerabilityDetails::file_path>("filePath"),
    member<&CodeVulnerabilityDetails::start_line>("startLine"),
    member<&CodeVulnerabilityDetails::end_line>("endLine"),
};
constexpr ObjectSpec kCodeFilePath{kCodeFilePathMembers};

constexpr MemberSpec kCodeVulnerabilityMembers[] = {
    nested("filePath", kCodeFilePath),
    member<&CodeVulnerabilityDetails::detector_id>("detectorId"),
    member<&CodeVulnerabilityDetails::detector_name>("detectorName"),
    member<&CodeVulnerabilityDetails::detector_tags>("detectorTags"),
    member<&CodeVulnerabilityDetails::rule_id>("ruleId"),
    member<&CodeVulnerabilityDetails::cwes>("cwes"),
    member<&CodeVulnerabilityDetails::reference_urls>("referenceUrls"),
    member<&CodeVulnerabilityDetails::source_lambda_layer_arn>("sourceLambdaLayerArn"),
};
constexpr ObjectSpec kCodeVulnerability{kCodeVulnerabilityMembers};

// packageVulnerabilityDetails
constexpr MemberSpec kCvssMembers[] = {
    member<&Cvss::base_score>("baseScore"),
    member<&Cvss::scoring_vector>("scoringVector"),
    member<&Cvss::version>("version"),
    member<&Cvss::source>("source"),
};
constexpr ObjectSpec kCvss{kCvssMembers};

constexpr MemberSpec kVulnerablePackageMembers[] = {
    member<&VulnerablePackage::name>("name"),
    member<&VulnerablePackage::version>("version"),
    member<&VulnerablePackage::epoch>("epoch"),
    member<&VulnerablePackage::release>("release"),
    member<&VulnerablePackage::arch>("arch"),
    member<&VulnerablePackage::package_manager>("packageManager"),
    member<&VulnerablePackage::file_path>("filePath"),
    member<&VulnerablePackage::fixed_in_version>("fixedInVersion"),
    member<&VulnerablePackage::remediation>("remediation"),
    member<&VulnerablePackage::source_layer_hash>("sourceLayerHash"),
    member<&VulnerablePackage::source_lambda_layer_arn>("sourceLambdaLayerArn"),
};
constexpr ObjectSpec kVulnerablePackage{kVulnerablePackageMembers};

constexpr MemberSpec kPackageVulnerabilityMembers[] = {
    member<&PackageVulnerabilityDetails::vulnerability_id>("vulnerabilityId"),
    member<&PackageVulnerabilityDetails::source>("source"),
    member<&PackageVulnerabilityDetails::source_url>("sourceUrl"),
    member<&PackageVulnerabilityDetails::vendor_severity>("vendorSeverity"),
    member<&PackageVulnerabilityDetails::vendor_created_at>("vendorCreatedAt"),
    member<&PackageVulnerabilityDetails::vendor_updated_at>("vendorUpdatedAt"),
    member<&PackageVulnerabilityDetails::reference_urls>("referenceUrls"),
    member<&PackageVulnerabilityDetails::related_vulnerabilities>("relatedVulnerabilities"),
    member<&PackageVulnerabilityDetails::cvss>("cvss", &kCvss),
    member<&PackageVulnerabilityDetails::vulnerable_packages>("vulnerablePackages",
                                                              &kVulnerablePackage),
};
constexpr ObjectSpec kPackageVulnerability{kPackageVulnerabilityMembers};

// networkReachabilityDetails
constexpr MemberSpec kPortRangeMembers[] = {
    member<&NetworkReachabilityDetails::open_port_begin>("begin"),
    member<&NetworkReachabilityDetails::open_port_end>("end"),
};
constexpr ObjectSpec kPortRange{kPortRangeMembers};

constexpr MemberSpec kNetworkPathStepMembers[] = {
    member<&NetworkPathStep::component_id>("componentId"),
    member<&NetworkPathStep::component_type>("componentType"),
    member<&NetworkPathStep::component_arn>("componentArn"),
};
constexpr ObjectSpec kNetworkPathStep{kNetworkPathStepMembers};

constexpr MemberSpec kNetworkPathMembers[] = {
    member<&NetworkReachabilityDetails::steps>("steps", &kNetworkPathStep),
};
constexpr ObjectSpec kNetworkPath{kNetworkPathMembers};

constexpr MemberSpec kNetworkReachabilityMembers[] = {
    member<&NetworkReachabilityDetails::protocol>("protocol"),
    nested("openPortRange", kPortRange),
    nested("networkPath", kNetworkPath),
};
constexpr ObjectSpec kNetworkReachability{kNetworkReachabilityMembers};

// The finding's flattened objects: remediation.recommendation{text, Url}, epss{score},
// exploitabilityDetails{lastKnownExploitAt}.
constexpr MemberSpec kRecommendationMembers[] = {
    member<&Finding::recommendation_text>("text"),
    member<&Finding::recommendation_url>("Url"),  // sic: capital U on the wire
};
constexpr ObjectSpec kRecommendation{kRecommendationMembers};

constexpr MemberSpec kRemediationMembers[] = {
    nested("recommendation", kRecommendation),
};
constexpr ObjectSpec kRemediation{kRemediationMembers};

constexpr MemberSpec kEpssMembers[] = {
    member<&Finding::epss_score>("score"),
};
constexpr ObjectSpec kEpss{kEpssMembers};

constexpr MemberSpec kExploitabilityMembers[] = {
    member<&Finding::last_known_exploit_at>("lastKnownExploitAt"),
};
constexpr ObjectSpec kExploitability{kExploitabilityMembers};

constexpr MemberSpec kFindingMembers[] = {
    member<&Finding::finding_arn>("findingArn"),
    member<&Finding::aws_account_id>("awsAccountId"),
    member<&Finding::type>("type"),
    member<&Finding::title>("title"),
    member<&Finding::description>("description"),
    member<&Finding::severity>("severity"),
    member<&Finding::status>("status"),
    member<&Finding::first_observed_at>("firstObservedAt"),
    member<&Finding::last_observed_at>("lastObservedAt"),
    member<&Finding::updated_at>("updatedAt"),
    member<&Finding::inspector_score>("inspectorScore"),
    nested("epss", kEpss),
    member<&Finding::fix_available>("fixAvailable"),
    member<&Finding::exploit_available>("exploitAvailable"),
    nested("exploitabilityDetails", kExploitability),
    nested("remediation", kRemediation),
    member<&Finding::resources>("resources", &kResource),
    member<&Finding::code>("codeVulnerabilityDetails", &kCodeVulnerability),
    member<&Finding::package>("packageVulnerabilityDetails", &kPackageVulnerability),
    member<&Finding::network>("networkReachabilityDetails", &kNetworkReachability),
};
constexpr ObjectSpec kFinding =
    entry<&Finding::finding_arn>(kFindingMembers, "finding", "findingArn");

constexpr MemberSpec kListFindingsMembers[] = {
    entries<&FindingsPage::findings>("findings", kFinding),
    token<&FindingsPage::next_token>("nextToken"),
};
constexpr ObjectSpec kListFindingsAnswer{kListFindingsMembers};
constexpr AnswerSpec kListFindings{"ListFindings", &kListFindingsAnswer};

// BatchGetCodeSnippet
constexpr MemberSpec kSnippetLineMembers[] = {
    member<&SnippetLine::line_number>("lineNumber"),
    member<&SnippetLine::content>("content"),
};
constexpr ObjectSpec kSnippetLine{kSnippetLineMembers};

constexpr MemberSpec kSnippetFixMembers[] = {
    member<&SnippetFix::description>("description"),
    member<&SnippetFix::code>("code"),
};
constexpr ObjectSpec kSnippetFix{kSnippetFixMembers};

constexpr MemberSpec kCodeSnippetMembers[] = {
    member<&CodeSnippet::finding_arn>("findingArn"),
    member<&CodeSnippet::start_line>("startLine"),
    member<&CodeSnippet::end_line>("endLine"),
    member<&CodeSnippet::lines>("codeSnippet", &kSnippetLine),
    member<&CodeSnippet::suggested_fixes>("suggestedFixes", &kSnippetFix),
};
constexpr ObjectSpec kCodeSnippet = entry<&CodeSnippet::finding_arn>(
    kCodeSnippetMembers, "code snippet of finding", "findingArn", /*key_required=*/true);

constexpr MemberSpec kSnippetErrorMembers[] = {
    member<&SnippetError::finding_arn>("findingArn"),
    member<&SnippetError::error_code>("errorCode"),
    member<&SnippetError::message>("errorMessage"),
};
constexpr ObjectSpec kSnippetError = entry<&SnippetError::finding_arn>(
    kSnippetErrorMembers, "snippet error of finding", "findingArn", /*key_required=*/true);

constexpr MemberSpec kBatchGetCodeSnippetMembers[] = {
    entries<&SnippetBatch::results>("codeSnippetResults", kCodeSnippet),
    entries<&SnippetBatch::errors>("errors", kSnippetError),
};
constexpr ObjectSpec kBatchGetCodeSnippetAnswer{kBatchGetCodeSnippetMembers};
constexpr AnswerSpec kBatchGetCodeSnippet{"BatchGetCodeSnippet", &kBatchGetCodeSnippetAnswer};

}  // namespace

Finding finding_from_json(const nlohmann::json& object, std::vector<std::string>& warnings) {
    if (!object.is_object()) return {};
    // Mapped as the one entry of a page: one mapping for pages and single findings.
    ParsedFindingsPage parsed = parse_findings_page(
        "{\"findings\":[" + object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
        "]}");
    for (std::string& warning : parsed.warnings) warnings.push_back(std::move(warning));
    if (parsed.more_warnings > 0) {
        warnings.push_back("... and " + std::to_string(parsed.more_warnings) + " more warning(s)");
    }
    return std::move(parsed.page.findings.front());
}

namespace {

json_mapping::EntryPool<Finding>& finding_pool() {
    static json_mapping::EntryPool<Finding> pool;
    return pool;
}

}  // namespace

ParsedFindingsPage parse_findings_page(json_mapping::ondemand::AnswerText body,
                                       std::size_t max_findings) {
    return json_mapping::ondemand::parse_answer(body, kListFindings, max_findings,
                                                &FindingsPage::findings, finding_pool());
}

void recycle_findings(std::vector<Finding>&& findings) {
    finding_pool().give(std::move(findings));
}

ParsedSnippetBatch parse_snippet_batch(json_mapping::ondemand::AnswerText body) {
    ParsedSnippetBatch parsed;
    parsed.invalid_utf8_replaced = json_mapping::ondemand::map_answer(
        body, kBatchGetCodeSnippet, &parsed.batch, parsed.warnings, parsed.more_warnings,
        /*max_entries=*/0);
    return parsed;
}

}  // namespace codeguru::inspector
