#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sources/inspector/inspector_finding.hpp"
#include "store/pg_array_literal.hpp"
#include "util/timestamp.hpp"

namespace codeguru::inspector {

// A page as apply_inspector_page() (schema/006) takes it: one PostgreSQL array literal per
// parameter. Element i of every finding array belongs to the i-th finding kept; child rows
// name their finding by that 1-based position.
//
// Kept: findings with a findingArn; of findings sharing an ARN, the one with the newest
// version time (updatedAt, else lastObservedAt, else the sync time; on a tie, the later one in
// the page). Absent members are NULL elements. region is the ARN's
// (arn:PARTITION:inspector2:REGION:ACCOUNT:finding/ID), else the stream's: the region whose
// endpoint listed the finding. aws_account_id is awsAccountId, else the ARN's account.
// Detector tags are deduplicated (first kept, with the 1-based position it had in the list);
// reference URLs are codeVulnerabilityDetails', then packageVulnerabilityDetails', numbered
// on; every other list is numbered from 1 in page order. NUL and invalid UTF-8 become U+FFFD,
// as does a \u0000 escape in a resource's details or tags JSON (jsonb cannot hold it).
struct InspectorPageColumns {
    std::size_t findings = 0;   // findings kept: the length of every finding array
    int rejected = 0;           // findings without an ARN: left out
    int duplicates = 0;         // findings whose ARN came again in the page: left out
    std::size_t sanitized = 0;  // NUL, invalid UTF-8 or \u0000 sequences replaced

    // By position: the kept findings' ARNs (as stored) and version times.
    std::vector<std::string> arns;
    std::vector<Timestamp> versions;

    store::PgArrayLiteral finding_arn, updated_at, aws_account_id, region, type, title, description,
        severity, status, inspector_score, epss_score, fix_available, exploit_available,
        last_known_exploit_at, first_observed_at, last_observed_at, recommendation_text,
        recommendation_url, detector_id, detector_name, rule_id, file_name, file_path, start_line,
        end_line, source_lambda_layer_arn, vulnerability_id, vulnerability_source, vendor_severity,
        source_url, vendor_created_at, vendor_updated_at, network_protocol, open_port_begin,
        open_port_end;

    store::PgArrayLiteral resource_finding, resource_ordinal, resource_type, resource_id,
        resource_partition, resource_region, resource_project_name, resource_provider_type,
        resource_integration_arn, resource_details, resource_tags;
    store::PgArrayLiteral cwe_finding, cwe_ordinal, cwe;
    store::PgArrayLiteral tag_finding, tag, tag_ordinal;
    store::PgArrayLiteral url_finding, url_ordinal, url;
    store::PgArrayLiteral related_finding, related_ordinal, related_id;
    store::PgArrayLiteral package_finding, package_ordinal, package_name, package_version,
        package_epoch, package_release, package_arch, package_manager, package_file_path,
        package_fixed_in_version, package_remediation, package_source_layer_hash,
        package_source_lambda_layer_arn;
    store::PgArrayLiteral cvss_finding, cvss_ordinal, cvss_base_score, cvss_scoring_vector,
        cvss_version, cvss_source;
    store::PgArrayLiteral step_finding, step_ordinal, step_component_id, step_component_type,
        step_component_arn;
};

// The region and account of an Inspector finding ARN; nullopt when `arn` is not of the form
// arn:PARTITION:inspector2:REGION:ACCOUNT:finding/ID with REGION and ACCOUNT non-empty.
struct ArnParts {
    std::string region;
    std::string account;
};
std::optional<ArnParts> parse_finding_arn(std::string_view arn);

// Pure apart from warnings logged for rejected findings and replaced text; `stream` (the
// region) names the page in them and is the region of findings whose ARN does not parse.
InspectorPageColumns page_to_columns(std::string_view stream, const std::vector<Finding>& page,
                                     Timestamp sync_time);

}  // namespace codeguru::inspector
