#include "sources/inspector/page_columns.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <unordered_map>

#include "store/text_cleaner.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::inspector {
namespace {

using store::add_timestamp;
using store::PgArrayLiteral;
using store::TextCleaner;

const std::optional<std::string> kAbsentText;
const std::optional<std::int64_t> kAbsentInteger;
const std::optional<double> kAbsentDouble;
const std::optional<Timestamp> kAbsentTime;

// The shortest text that reads back as the same double.
void add_double(PgArrayLiteral& array, const std::optional<double>& value) {
    if (!value) return array.add_null();
    char digits[32];
    const auto result = std::to_chars(digits, digits + sizeof digits, *value);
    array.add_text(std::string_view(digits, result.ptr - digits));
}

Timestamp version_of(const Finding& finding, Timestamp sync_time) {
    return finding.updated_at.value_or(finding.last_observed_at.value_or(sync_time));
}

// One finding's place in the arrays: its 1-based position and the cleaner of its text.
struct Row {
    InspectorPageColumns& c;
    std::int64_t position;
    TextCleaner& cleaner;
};

void add_strings(Row row, PgArrayLiteral& finding, PgArrayLiteral& ordinal, PgArrayLiteral& value,
                 const std::optional<std::vector<std::string>>& values, std::int64_t& numbered,
                 std::string_view member) {
    if (!values) return;
    for (const auto& text : *values) {
        finding.add_integer(row.position);
        ordinal.add_integer(++numbered);
        value.add_text(row.cleaner.clean(text, member));
    }
}

void add_resources(Row row, const std::optional<std::vector<Resource>>& resources) {
    if (!resources) return;
    InspectorPageColumns& c = row.c;
    std::int64_t ordinal = 0;
    for (const auto& resource : *resources) {
        const CodeRepository* repository =
            resource.code_repository ? &*resource.code_repository : nullptr;
        c.resource_finding.add_integer(row.position);
        c.resource_ordinal.add_integer(++ordinal);
        row.cleaner.add(c.resource_type, resource.type, "resources.type");
        row.cleaner.add(c.resource_id, resource.id, "resources.id");
        row.cleaner.add(c.resource_partition, resource.partition, "resources.partition");
        row.cleaner.add(c.resource_region, resource.region, "resources.region");
        row.cleaner.add(c.resource_project_name,
                        repository ? repository->project_name : kAbsentText,
                        "codeRepository.projectName");
        row.cleaner.add(c.resource_provider_type,
                        repository ? repository->provider_type : kAbsentText,
                        "codeRepository.providerType");
        row.cleaner.add(c.resource_integration_arn,
                        repository ? repository->integration_arn : kAbsentText,
                        "codeRepository.integrationArn");
        row.cleaner.add_json(c.resource_details, resource.details_json, "resources.details");
        row.cleaner.add_json(c.resource_tags, resource.tags_json, "resources.tags");
    }
}

void add_code_details(Row row, const CodeVulnerabilityDetails* code) {
    InspectorPageColumns& c = row.c;
    TextCleaner& cleaner = row.cleaner;
    cleaner.add(c.detector_id, code ? code->detector_id : kAbsentText, "detectorId");
    cleaner.add(c.detector_name, code ? code->detector_name : kAbsentText, "detectorName");
    cleaner.add(c.rule_id, code ? code->rule_id : kAbsentText, "ruleId");
    cleaner.add(c.file_name, code ? code->file_name : kAbsentText, "filePath.fileName");
    cleaner.add(c.file_path, code ? code->file_path : kAbsentText, "filePath.filePath");
    c.start_line.add_integer(code ? code->start_line : kAbsentInteger);
    c.end_line.add_integer(code ? code->end_line : kAbsentInteger);
    cleaner.add(c.source_lambda_layer_arn, code ? code->source_lambda_layer_arn : kAbsentText,
                "sourceLambdaLayerArn");
    if (code == nullptr) return;

    std::int64_t cwes = 0;
    add_strings(row, c.cwe_finding, c.cwe_ordinal, c.cwe, code->cwes, cwes, "cwes");
    if (code->detector_tags) {
        // Deduplicated after cleaning: two tags that differ only in invalid bytes are one.
        // A kept tag keeps its position in the API's list (SPEC §5, as WITH ORDINALITY).
        std::set<std::string, std::less<>> stored;
        std::int64_t ordinal = 0;
        for (const auto& tag : *code->detector_tags) {
            ++ordinal;
            const auto [it, added] = stored.emplace(cleaner.clean(tag, "detectorTags"));
            if (!added) continue;
            c.tag_finding.add_integer(row.position);
            c.tag.add_text(*it);
            c.tag_ordinal.add_integer(ordinal);
        }
    }
}

void add_package_details(Row row, const PackageVulnerabilityDetails* package) {
    InspectorPageColumns& c = row.c;
    TextCleaner& cleaner = row.cleaner;
    cleaner.add(c.vulnerability_id, package ? package->vulnerability_id : kAbsentText,
                "vulnerabilityId");
    cleaner.add(c.vulnerability_source, package ? package->source : kAbsentText, "source");
    cleaner.add(c.vendor_severity, package ? package->vendor_severity : kAbsentText,
                "vendorSeverity");
    cleaner.add(c.source_url, package ? package->source_url : kAbsentText, "sourceUrl");
    add_timestamp(c.vendor_created_at, package ? package->vendor_created_at : kAbsentTime);
    add_timestamp(c.vendor_updated_at, package ? package->vendor_updated_at : kAbsentTime);
    if (package == nullptr) return;

    std::int64_t related = 0;
    add_strings(row, c.related_finding, c.related_ordinal, c.related_id,
                package->related_vulnerabilities, related, "relatedVulnerabilities");
    if (package->cvss) {
        std::int64_t ordinal = 0;
        for (const auto& cvss : *package->cvss) {
            c.cvss_finding.add_integer(row.position);
            c.cvss_ordinal.add_integer(++ordinal);
            add_double(c.cvss_base_score, cvss.base_score);
            cleaner.add(c.cvss_scoring_vector, cvss.scoring_vector, "cvss.scoringVector");
            cleaner.add(c.cvss_version, cvss.version, "cvss.version");
            cleaner.add(c.cvss_source, cvss.source, "cvss.source");
        }
    }
    if (package->vulnerable_packages) {
        std::int64_t ordinal = 0;
        for (const auto& p : *package->vulnerable_packages) {
            c.package_finding.add_integer(row.position);
            c.package_ordinal.add_integer(++ordinal);
            cleaner.add(c.package_name, p.name, "vulnerablePackages.name");
            cleaner.add(c.package_version, p.version, "vulnerablePackages.version");
            c.package_epoch.add_integer(p.epoch);
            cleaner.add(c.package_release, p.release, "vulnerablePackages.release");
            cleaner.add(c.package_arch, p.arch, "vulnerablePackages.arch");
            cleaner.add(c.package_manager, p.package_manager, "vulnerablePackages.packageManager");
            cleaner.add(c.package_file_path, p.file_path, "vulnerablePackages.filePath");
            cleaner.add(c.package_fixed_in_version, p.fixed_in_version,
                        "vulnerablePackages.fixedInVersion");
            cleaner.add(c.package_remediation, p.remediation, "vulnerablePackages.remediation");
            cleaner.add(c.package_source_layer_hash, p.source_layer_hash,
                        "vulnerablePackages.sourceLayerHash");
            cleaner.add(c.package_source_lambda_layer_arn, p.source_lambda_layer_arn,
                        "vulnerablePackages.sourceLambdaLayerArn");
        }
    }
}

void add_network_details(Row row, const NetworkReachabilityDetails* network) {
    InspectorPageColumns& c = row.c;
    row.cleaner.add(c.network_protocol, network ? network->protocol : kAbsentText, "protocol");
    c.open_port_begin.add_integer(network ? network->open_port_begin : kAbsentInteger);
    c.open_port_end.add_integer(network ? network->open_port_end : kAbsentInteger);
    if (network == nullptr || !network->steps) return;
    std::int64_t ordinal = 0;
    for (const auto& step : *network->steps) {
        c.step_finding.add_integer(row.position);
        c.step_ordinal.add_integer(++ordinal);
        row.cleaner.add(c.step_component_id, step.component_id, "steps.componentId");
        row.cleaner.add(c.step_component_type, step.component_type, "steps.componentType");
        row.cleaner.add(c.step_component_arn, step.component_arn, "steps.componentArn");
    }
}

// Adds a kept finding, stored under `arn` in `region`, and its children to the arrays.
void add_finding(Row row, const Finding& finding, const std::string& arn, const std::string& region,
                 const std::optional<std::string>& arn_account, Timestamp version) {
    InspectorPageColumns& c = row.c;
    TextCleaner& cleaner = row.cleaner;
    const CodeVulnerabilityDetails* code = finding.code ? &*finding.code : nullptr;
    const PackageVulnerabilityDetails* package = finding.package ? &*finding.package : nullptr;
    const NetworkReachabilityDetails* network = finding.network ? &*finding.network : nullptr;

    c.finding_arn.add_text(arn);
    c.updated_at.add_text(format_timestamp(version));
    cleaner.add(c.aws_account_id, finding.aws_account_id ? finding.aws_account_id : arn_account,
                "awsAccountId");
    c.region.add_text(region);
    cleaner.add(c.type, finding.type, "type");
    cleaner.add(c.title, finding.title, "title");
    cleaner.add(c.description, finding.description, "description");
    cleaner.add(c.severity, finding.severity, "severity");
    cleaner.add(c.status, finding.status, "status");
    add_double(c.inspector_score, finding.inspector_score);
    add_double(c.epss_score, finding.epss_score);
    cleaner.add(c.fix_available, finding.fix_available, "fixAvailable");
    cleaner.add(c.exploit_available, finding.exploit_available, "exploitAvailable");
    add_timestamp(c.last_known_exploit_at, finding.last_known_exploit_at);
    add_timestamp(c.first_observed_at, finding.first_observed_at);
    add_timestamp(c.last_observed_at, finding.last_observed_at);
    cleaner.add(c.recommendation_text, finding.recommendation_text, "recommendation.text");
    cleaner.add(c.recommendation_url, finding.recommendation_url, "recommendation.Url");

    add_resources(row, finding.resources);
    add_code_details(row, code);
    add_package_details(row, package);
    add_network_details(row, network);

    // Reference URLs of both details, numbered on (a finding has one kind in practice).
    std::int64_t urls = 0;
    if (code != nullptr) {
        add_strings(row, c.url_finding, c.url_ordinal, c.url, code->reference_urls, urls,
                    "referenceUrls");
    }
    if (package != nullptr) {
        add_strings(row, c.url_finding, c.url_ordinal, c.url, package->reference_urls, urls,
                    "referenceUrls");
    }
}

}  // namespace

std::optional<ArnParts> parse_finding_arn(std::string_view arn) {
    // arn : partition : inspector2 : region : account : finding/id
    std::string_view parts[6];
    for (std::size_t i = 0; i < 5; ++i) {
        const auto colon = arn.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        parts[i] = arn.substr(0, colon);
        arn.remove_prefix(colon + 1);
    }
    parts[5] = arn;
    if (parts[0] != "arn" || parts[1].empty() || parts[2] != "inspector2" || parts[3].empty() ||
        parts[4].empty() || !parts[5].starts_with("finding/") || parts[5].size() == 8) {
        return std::nullopt;
    }
    return ArnParts{std::string(parts[3]), std::string(parts[4])};
}

InspectorPageColumns page_to_columns(std::string_view stream, const std::vector<Finding>& page,
                                     Timestamp sync_time) {
    InspectorPageColumns columns;
    // ARNs as stored (sanitized), and for each the page position that wins it.
    std::vector<std::string> arns(page.size());
    std::unordered_map<std::string_view, std::size_t> winner;
    winner.reserve(page.size());
    for (std::size_t position = 0; position < page.size(); ++position) {
        const Finding& finding = page[position];
        if (!finding.finding_arn) {
            ++columns.rejected;
            spdlog::warn("inspector {}: finding {} of the page has no findingArn; skipped it",
                         stream, position + 1);
            continue;
        }
        arns[position] = *finding.finding_arn;
        sanitize_text(arns[position]);
        const auto [it, first] = winner.try_emplace(arns[position], position);
        if (first) continue;
        ++columns.duplicates;
        // Newest version wins; on a tie the later entry of the page.
        if (version_of(finding, sync_time) >= version_of(page[it->second], sync_time)) {
            it->second = position;
        }
    }

    std::vector<std::size_t> kept;
    kept.reserve(winner.size());
    for (const auto& [arn, position] : winner) kept.push_back(position);
    std::sort(kept.begin(), kept.end());

    const std::string stream_region(stream);
    for (const std::size_t position : kept) {
        const Finding& finding = page[position];
        const std::string& arn = arns[position];
        const Timestamp version = version_of(finding, sync_time);
        const auto parts = parse_finding_arn(arn);
        if (!parts) {
            spdlog::warn(
                "inspector {}: finding {}: not an Inspector finding ARN; stored with the "
                "stream's region",
                stream, arn);
        }
        TextCleaner cleaner;
        // arn is the sanitized ARN; cleaning the original here only counts it.
        cleaner.clean(*finding.finding_arn, "findingArn");
        columns.findings += 1;
        columns.arns.push_back(arn);
        columns.versions.push_back(version);
        add_finding(Row{columns, static_cast<std::int64_t>(columns.findings), cleaner}, finding,
                    arn, parts ? parts->region : stream_region,
                    parts ? std::optional<std::string>(parts->account) : std::nullopt, version);
        if (cleaner.replaced() > 0) {
            columns.sanitized += cleaner.replaced();
            spdlog::warn(
                "inspector {}: finding {}: replaced {} NUL or invalid UTF-8 sequence(s) with "
                "U+FFFD in {}",
                stream, arn, cleaner.replaced(), cleaner.members());
        }
    }
    return columns;
}

}  // namespace codeguru::inspector
