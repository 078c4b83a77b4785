#include "store/finding_rows.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "codeguru/timestamp.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::store {
namespace {

using nlohmann::json;

// Sanitizes one finding's text and remembers which members needed it, so that the
// finding gets a single warning naming them all.
class TextCleaner {
  public:
    std::string clean(std::string text, std::string_view member) {
        const std::size_t replaced = sanitize_text(text);
        if (replaced > 0) {
            replaced_ += replaced;
            if (std::find(members_.begin(), members_.end(), member) == members_.end()) {
                members_.push_back(member);
            }
        }
        return text;
    }

    json text(const std::optional<std::string>& value, std::string_view member) {
        if (!value) return nullptr;
        return clean(*value, member);
    }

    std::size_t replaced() const { return replaced_; }

    std::string members() const {
        std::string joined;
        for (const auto member : members_) {
            if (!joined.empty()) joined += ", ";
            joined += member;
        }
        return joined;
    }

  private:
    std::size_t replaced_ = 0;
    std::vector<std::string_view> members_;
};

template <typename T>
json value_or_null(const std::optional<T>& value) {
    if (!value) return nullptr;
    return *value;
}

json timestamp_or_null(const std::optional<Timestamp>& value) {
    if (!value) return nullptr;
    return format_timestamp(*value);
}

json detector_tags(const Finding& finding, TextCleaner& cleaner) {
    json tags = json::array();
    if (!finding.detector_tags) return tags;
    std::set<std::string> stored;
    for (const auto& tag : *finding.detector_tags) {
        std::string text = cleaner.clean(tag, "detectorTags");
        if (stored.insert(text).second) tags.push_back(std::move(text));
    }
    return tags;
}

json code_lines(const FilePath* file, TextCleaner& cleaner) {
    json lines = json::array();
    if (file == nullptr || !file->code_snippet) return lines;
    std::set<std::int64_t> numbers;
    for (const auto& line : *file->code_snippet) {
        if (!line.number || !numbers.insert(*line.number).second) continue;
        lines.push_back({{"line_number", *line.number},
                         {"content", cleaner.text(line.content, "codeSnippet.content")}});
    }
    return lines;
}

json suggested_fixes(const Remediation* remediation, TextCleaner& cleaner) {
    json fixes = json::array();
    if (remediation == nullptr || !remediation->suggested_fixes) return fixes;
    for (const auto& fix : *remediation->suggested_fixes) {
        fixes.push_back(
            {{"description", cleaner.text(fix.description, "suggestedFixes.description")},
             {"code", cleaner.text(fix.code, "suggestedFixes.code")}});
    }
    return fixes;
}

json text_list(const std::optional<std::vector<std::string>>& list, std::string_view member,
               TextCleaner& cleaner) {
    json items = json::array();
    if (!list) return items;
    for (const auto& item : *list) items.push_back(cleaner.clean(item, member));
    return items;
}

json finding_row(const Finding& finding, Timestamp sync_time, TextCleaner& cleaner) {
    const Resource* resource = finding.resource ? &*finding.resource : nullptr;
    const Remediation* remediation = finding.remediation ? &*finding.remediation : nullptr;
    const Recommendation* recommendation =
        remediation && remediation->recommendation ? &*remediation->recommendation : nullptr;
    const Vulnerability* vulnerability = finding.vulnerability ? &*finding.vulnerability : nullptr;
    const FilePath* file =
        vulnerability && vulnerability->file_path ? &*vulnerability->file_path : nullptr;
    static const std::optional<std::string> kAbsent;
    static const std::optional<std::int64_t> kAbsentNumber;
    static const std::optional<std::vector<std::string>> kAbsentList;

    const Timestamp updated_at =
        finding.updated_at.value_or(finding.created_at.value_or(sync_time));
    return json{
        {"finding_id", cleaner.clean(*finding.id, "id")},
        {"created_at", timestamp_or_null(finding.created_at)},
        {"updated_at", format_timestamp(updated_at)},
        {"title", cleaner.text(finding.title, "title")},
        {"description", cleaner.text(finding.description, "description")},
        {"type", cleaner.text(finding.type, "type")},
        {"status", cleaner.text(finding.status, "status")},
        {"severity", cleaner.text(finding.severity, "severity")},
        {"generator_id", cleaner.text(finding.generator_id, "generatorId")},
        {"detector_id", cleaner.text(finding.detector_id, "detectorId")},
        {"detector_name", cleaner.text(finding.detector_name, "detectorName")},
        {"rule_id", cleaner.text(finding.rule_id, "ruleId")},
        {"resource_id", cleaner.text(resource ? resource->id : kAbsent, "resource.id")},
        {"sub_resource_id",
         cleaner.text(resource ? resource->sub_resource_id : kAbsent, "resource.subResourceId")},
        {"vulnerability_id",
         cleaner.text(vulnerability ? vulnerability->id : kAbsent, "vulnerability.id")},
        {"item_count", value_or_null(vulnerability ? vulnerability->item_count : kAbsentNumber)},
        {"file_name", cleaner.text(file ? file->name : kAbsent, "filePath.name")},
        {"file_path", cleaner.text(file ? file->path : kAbsent, "filePath.path")},
        {"start_line", value_or_null(file ? file->start_line : kAbsentNumber)},
        {"end_line", value_or_null(file ? file->end_line : kAbsentNumber)},
        {"recommendation_text",
         cleaner.text(recommendation ? recommendation->text : kAbsent, "recommendation.text")},
        {"recommendation_url",
         cleaner.text(recommendation ? recommendation->url : kAbsent, "recommendation.url")},
        {"detector_tags", detector_tags(finding, cleaner)},
        {"code_lines", code_lines(file, cleaner)},
        {"suggested_fixes", suggested_fixes(remediation, cleaner)},
        {"reference_urls", text_list(vulnerability ? vulnerability->reference_urls : kAbsentList,
                                     "referenceUrls", cleaner)},
        {"related_vulnerabilities",
         text_list(vulnerability ? vulnerability->related_vulnerabilities : kAbsentList,
                   "relatedVulnerabilities", cleaner)},
    };
}

}  // namespace


json page_to_rows(std::string_view scan, const std::vector<Finding>& page, Timestamp sync_time,
                  RowStats& stats) {
    json rows = json::array();
    for (std::size_t position = 0; position < page.size(); ++position) {
        const Finding& finding = page[position];
        if (!finding.id) {
            ++stats.rejected;
            spdlog::warn("scan {}: finding {} of the page has no id; skipped it", scan,
                         position + 1);
            continue;
        }
        TextCleaner cleaner;
        rows.push_back(finding_row(finding, sync_time, cleaner));
        if (cleaner.replaced() > 0) {
            stats.sanitized += cleaner.replaced();
            spdlog::warn(
                "scan {}: finding {}: replaced {} NUL or invalid UTF-8 sequence(s) with U+FFFD "
                "in {}",
                scan, rows.back()["finding_id"].get<std::string>(), cleaner.replaced(),
                cleaner.members());
        }
    }
    return rows;
}

}  // namespace codeguru::store
