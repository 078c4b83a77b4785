#include "sources/codeguru/page_rows.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>

#include "store/text_cleaner.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::store {
namespace {

Timestamp effective_updated_at(const Finding& finding, Timestamp sync_time) {
    return finding.updated_at.value_or(finding.created_at.value_or(sync_time));
}

// One finding's fields on their way to a sink, sanitized by the finding's cleaner.
class FieldWriter {
  public:
    FieldWriter(PageRowSink& sink, TextCleaner& cleaner) : sink_(sink), cleaner_(cleaner) {}

    void text(const std::optional<std::string>& value, std::string_view member) {
        value ? sink_.text(cleaner_.clean(*value, member)) : sink_.null();
    }
    void text(std::string_view value, std::string_view member) {
        sink_.text(cleaner_.clean(value, member));
    }
    void integer(const std::optional<std::int64_t>& value) {
        value ? sink_.integer(*value) : sink_.null();
    }
    void integer(std::int64_t value) { sink_.integer(value); }
    void timestamp(const std::optional<Timestamp>& value) {
        value ? sink_.timestamp(*value) : sink_.null();
    }

  private:
    PageRowSink& sink_;
    TextCleaner& cleaner_;
};

// Emits the finding at 1-based `position` and its children.
void map_finding(PageRowSink& sink, const Finding& finding, std::string_view id,
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
    FieldWriter field(sink, cleaner);

    // In the order of kFindingColumns.
    sink.begin(PageTable::kFindings, position, id);
    field.timestamp(finding.created_at);
    field.timestamp(effective_updated_at(finding, sync_time));
    field.text(finding.title, "title");
    field.text(finding.description, "description");
    field.text(finding.type, "type");
    field.text(finding.status, "status");
    field.text(finding.severity, "severity");
    field.text(finding.generator_id, "generatorId");
    field.text(finding.detector_id, "detectorId");
    field.text(finding.detector_name, "detectorName");
    field.text(finding.rule_id, "ruleId");
    field.text(resource ? resource->id : kAbsent, "resource.id");
    field.text(resource ? resource->sub_resource_id : kAbsent, "resource.subResourceId");
    field.text(vulnerability ? vulnerability->id : kAbsent, "vulnerability.id");
    field.integer(vulnerability ? vulnerability->item_count : kAbsentNumber);
    field.text(file ? file->name : kAbsent, "filePath.name");
    field.text(file ? file->path : kAbsent, "filePath.path");
    field.integer(file ? file->start_line : kAbsentNumber);
    field.integer(file ? file->end_line : kAbsentNumber);
    field.text(recommendation ? recommendation->text : kAbsent, "recommendation.text");
    field.text(recommendation ? recommendation->url : kAbsent, "recommendation.url");
    sink.end();

    if (finding.detector_tags) {
        // Deduplicated after cleaning: two tags that differ only in invalid bytes are one.
        std::set<std::string, std::less<>> stored;
        for (const auto& tag : *finding.detector_tags) {
            const auto [it, added] = stored.emplace(cleaner.clean(tag, "detectorTags"));
            if (!added) continue;
            sink.begin(PageTable::kTags, position, id);
            sink.text(*it);
            field.integer(static_cast<std::int64_t>(stored.size()));
            sink.end();
        }
    }
    if (file != nullptr && file->code_snippet) {
        std::set<std::int64_t> numbers;
        for (const auto& line : *file->code_snippet) {
            if (!line.number || !numbers.insert(*line.number).second) continue;
            sink.begin(PageTable::kLines, position, id);
            field.integer(*line.number);
            field.text(line.content, "codeSnippet.content");
            sink.end();
        }
    }
    if (remediation != nullptr && remediation->suggested_fixes) {
        std::int64_t ordinal = 0;
        for (const auto& fix : *remediation->suggested_fixes) {
            sink.begin(PageTable::kFixes, position, id);
            field.integer(++ordinal);
            field.text(fix.description, "suggestedFixes.description");
            field.text(fix.code, "suggestedFixes.code");
            sink.end();
        }
    }
    if (vulnerability != nullptr && vulnerability->reference_urls) {
        std::int64_t ordinal = 0;
        for (const auto& url : *vulnerability->reference_urls) {
            sink.begin(PageTable::kUrls, position, id);
            field.integer(++ordinal);
            field.text(std::string_view{url}, "referenceUrls");
            sink.end();
        }
    }
    if (vulnerability != nullptr && vulnerability->related_vulnerabilities) {
        std::int64_t ordinal = 0;
        for (const auto& related : *vulnerability->related_vulnerabilities) {
            sink.begin(PageTable::kRelated, position, id);
            field.integer(++ordinal);
            field.text(std::string_view{related}, "relatedVulnerabilities");
            sink.end();
        }
    }
}

}  // namespace

PageSelection select_page(std::string_view scan, const std::vector<Finding>& page,
                          Timestamp sync_time) {
    PageSelection selection;
    selection.ids.resize(page.size());
    // For each id, the page position that wins it.
    std::unordered_map<std::string_view, std::size_t> winner;
    winner.reserve(page.size());
    for (std::size_t position = 0; position < page.size(); ++position) {
        const Finding& finding = page[position];
        if (!finding.id) {
            ++selection.rejected;
            spdlog::warn("scan {}: finding {} of the page has no id; skipped it", scan,
                         position + 1);
            continue;
        }
        std::string& id = selection.ids[position];
        id = *finding.id;
        sanitize_text(id);
        const auto [it, first] = winner.try_emplace(id, position);
        if (first) continue;
        ++selection.duplicates;
        // Newest updated_at wins; on a tie the later entry of the page.
        if (effective_updated_at(finding, sync_time) >=
            effective_updated_at(page[it->second], sync_time)) {
            it->second = position;
        }
    }
    selection.kept.reserve(winner.size());
    for (const auto& [id, position] : winner) selection.kept.push_back(position);
    std::sort(selection.kept.begin(), selection.kept.end());
    return selection;
}

std::size_t map_page(std::string_view scan, const std::vector<Finding>& page,
                     const PageSelection& selection, Timestamp sync_time, PageRowSink& sink) {
    std::size_t sanitized = 0;
    std::int64_t count = 0;
    for (const std::size_t position : selection.kept) {
        const Finding& finding = page[position];
        const std::string& id = selection.ids[position];
        TextCleaner cleaner;
        // `id` is sanitized already; cleaning the original here only counts it.
        cleaner.clean(*finding.id, "id");
        map_finding(sink, finding, id, ++count, sync_time, cleaner);
        if (cleaner.replaced() > 0) {
            sanitized += cleaner.replaced();
            spdlog::warn(
                "scan {}: finding {}: replaced {} NUL or invalid UTF-8 sequence(s) with U+FFFD "
                "in {}",
                scan, id, cleaner.replaced(), cleaner.members());
        }
    }
    return sanitized;
}

}  // namespace codeguru::store
