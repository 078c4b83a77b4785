#include "sources/codeguru/page_columns.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "store/text_cleaner.hpp"
#include "util/text_sanitizer.hpp"
#include "util/timestamp.hpp"

namespace codeguru::store {
namespace {

Timestamp effective_updated_at(const Finding& finding, Timestamp sync_time) {
    return finding.updated_at.value_or(finding.created_at.value_or(sync_time));
}

// Adds the finding at 1-based `position` and its children to the arrays.
void add_finding(PageColumns& c, const Finding& finding, const std::string& id,
                 std::int64_t position, Timestamp sync_time, TextCleaner& cleaner) {
    static const std::optional<std::string> kAbsent;
    static const std::optional<std::int64_t> kAbsentNumber;
    const Resource* resource = finding.resource ? &*finding.resource : nullptr;
    const Remediation* remediation = finding.remediation ? &*finding.remediation : nullptr;
    const Recommendation* recommendation =
        remediation && remediation->recommendation ? &*remediation->recommendation : nullptr;
    const Vulnerability* vulnerability = finding.vulnerability ? &*finding.vulnerability : nullptr;
    const FilePath* file =
        vulnerability && vulnerability->file_path ? &*vulnerability->file_path : nullptr;

    c.finding_id.add_text(id);
    add_timestamp(c.created_at, finding.created_at);
    add_timestamp(c.updated_at, effective_updated_at(finding, sync_time));
    cleaner.add(c.title, finding.title, "title");
    cleaner.add(c.description, finding.description, "description");
    cleaner.add(c.type, finding.type, "type");
    cleaner.add(c.status, finding.status, "status");
    cleaner.add(c.severity, finding.severity, "severity");
    cleaner.add(c.generator_id, finding.generator_id, "generatorId");
    cleaner.add(c.detector_id, finding.detector_id, "detectorId");
    cleaner.add(c.detector_name, finding.detector_name, "detectorName");
    cleaner.add(c.rule_id, finding.rule_id, "ruleId");
    cleaner.add(c.resource_id, resource ? resource->id : kAbsent, "resource.id");
    cleaner.add(c.sub_resource_id, resource ? resource->sub_resource_id : kAbsent,
                "resource.subResourceId");
    cleaner.add(c.vulnerability_id, vulnerability ? vulnerability->id : kAbsent,
                "vulnerability.id");
    c.item_count.add_integer(vulnerability ? vulnerability->item_count : kAbsentNumber);
    cleaner.add(c.file_name, file ? file->name : kAbsent, "filePath.name");
    cleaner.add(c.file_path, file ? file->path : kAbsent, "filePath.path");
    c.start_line.add_integer(file ? file->start_line : kAbsentNumber);
    c.end_line.add_integer(file ? file->end_line : kAbsentNumber);
    cleaner.add(c.recommendation_text, recommendation ? recommendation->text : kAbsent,
                "recommendation.text");
    cleaner.add(c.recommendation_url, recommendation ? recommendation->url : kAbsent,
                "recommendation.url");

    if (finding.detector_tags) {
        // Deduplicated after cleaning: two tags that differ only in invalid bytes are one.
        std::set<std::string, std::less<>> stored;
        for (const auto& tag : *finding.detector_tags) {
            const auto [it, added] = stored.emplace(cleaner.clean(tag, "detectorTags"));
            if (!added) continue;
            c.tag.add_text(*it);
            c.tag_finding.add_integer(position);
            c.tag_ordinal.add_integer(static_cast<std::int64_t>(stored.size()));
        }
    }
    if (file != nullptr && file->code_snippet) {
        std::set<std::int64_t> numbers;
        for (const auto& line : *file->code_snippet) {
            if (!line.number || !numbers.insert(*line.number).second) continue;
            c.line_finding.add_integer(position);
            c.line_number.add_integer(*line.number);
            cleaner.add(c.line_content, line.content, "codeSnippet.content");
        }
    }
    if (remediation != nullptr && remediation->suggested_fixes) {
        std::int64_t ordinal = 0;
        for (const auto& fix : *remediation->suggested_fixes) {
            c.fix_finding.add_integer(position);
            c.fix_ordinal.add_integer(++ordinal);
            cleaner.add(c.fix_description, fix.description, "suggestedFixes.description");
            cleaner.add(c.fix_code, fix.code, "suggestedFixes.code");
        }
    }
    if (vulnerability != nullptr && vulnerability->reference_urls) {
        std::int64_t ordinal = 0;
        for (const auto& url : *vulnerability->reference_urls) {
            c.url_finding.add_integer(position);
            c.url_ordinal.add_integer(++ordinal);
            c.url.add_text(cleaner.clean(url, "referenceUrls"));
        }
    }
    if (vulnerability != nullptr && vulnerability->related_vulnerabilities) {
        std::int64_t ordinal = 0;
        for (const auto& related : *vulnerability->related_vulnerabilities) {
            c.related_finding.add_integer(position);
            c.related_ordinal.add_integer(++ordinal);
            c.related_id.add_text(cleaner.clean(related, "relatedVulnerabilities"));
        }
    }
}

}  // namespace

PageColumns page_to_columns(std::string_view scan, const std::vector<Finding>& page,
                            Timestamp sync_time) {
    PageColumns columns;
    // Ids as stored (sanitized), and for each the page position that wins it.
    std::vector<std::string> ids(page.size());
    std::unordered_map<std::string_view, std::size_t> winner;
    winner.reserve(page.size());
    for (std::size_t position = 0; position < page.size(); ++position) {
        const Finding& finding = page[position];
        if (!finding.id) {
            ++columns.rejected;
            spdlog::warn("scan {}: finding {} of the page has no id; skipped it", scan,
                         position + 1);
            continue;
        }
        ids[position] = *finding.id;
        sanitize_text(ids[position]);
        const auto [it, first] = winner.try_emplace(ids[position], position);
        if (first) continue;
        ++columns.duplicates;
        // Newest updated_at wins; on a tie the later entry of the page.
        if (effective_updated_at(finding, sync_time) >=
            effective_updated_at(page[it->second], sync_time)) {
            it->second = position;
        }
    }

    std::vector<std::size_t> kept;
    kept.reserve(winner.size());
    for (const auto& [id, position] : winner) kept.push_back(position);
    std::sort(kept.begin(), kept.end());

    for (const std::size_t position : kept) {
        const Finding& finding = page[position];
        TextCleaner cleaner;
        // ids[position] is the sanitized id; cleaning it again here only counts it.
        cleaner.clean(*finding.id, "id");
        columns.findings += 1;
        add_finding(columns, finding, ids[position], static_cast<std::int64_t>(columns.findings),
                    sync_time, cleaner);
        if (cleaner.replaced() > 0) {
            columns.sanitized += cleaner.replaced();
            spdlog::warn(
                "scan {}: finding {}: replaced {} NUL or invalid UTF-8 sequence(s) with U+FFFD "
                "in {}",
                scan, ids[position], cleaner.replaced(), cleaner.members());
        }
    }
    return columns;
}

}  // namespace codeguru::store
