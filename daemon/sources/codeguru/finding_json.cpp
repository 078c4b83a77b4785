#include "sources/codeguru/finding_json.hpp"

#include "sources/json_mapping/entry_pool.hpp"
#include "sources/json_mapping/member_table.hpp"
#include "sources/json_mapping/ondemand_mapper.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru {
namespace {

using aws::MalformedResponseError;
using json_mapping::AnswerSpec;
using json_mapping::entries;
using json_mapping::entry;
using json_mapping::member;
using json_mapping::MemberSpec;
using json_mapping::ObjectSpec;
using json_mapping::token;
using nlohmann::json;

// The GetFindings shape (SPEC §2), member by member, as ondemand_mapper.hpp reads it.

constexpr MemberSpec kCodeLineMembers[] = {
    member<&CodeLine::number>("number"),
    member<&CodeLine::content>("content"),
};
constexpr ObjectSpec kCodeLine{kCodeLineMembers};

constexpr MemberSpec kFilePathMembers[] = {
    member<&FilePath::name>("name"),
    member<&FilePath::path>("path"),
    member<&FilePath::start_line>("startLine"),
    member<&FilePath::end_line>("endLine"),
    member<&FilePath::code_snippet>("codeSnippet", &kCodeLine),
};
constexpr ObjectSpec kFilePath{kFilePathMembers};

constexpr MemberSpec kVulnerabilityMembers[] = {
    member<&Vulnerability::id>("id"),
    member<&Vulnerability::item_count>("itemCount"),
    member<&Vulnerability::reference_urls>("referenceUrls"),
    member<&Vulnerability::related_vulnerabilities>("relatedVulnerabilities"),
    member<&Vulnerability::file_path>("filePath", &kFilePath),
};
constexpr ObjectSpec kVulnerability{kVulnerabilityMembers};

constexpr MemberSpec kSuggestedFixMembers[] = {
    member<&SuggestedFix::description>("description"),
    member<&SuggestedFix::code>("code"),
};
constexpr ObjectSpec kSuggestedFix{kSuggestedFixMembers};

constexpr MemberSpec kRecommendationMembers[] = {
    member<&Recommendation::text>("text"),
    member<&Recommendation::url>("url"),
};
constexpr ObjectSpec kRecommendation{kRecommendationMembers};

constexpr MemberSpec kRemediationMembers[] = {
    member<&Remediation::recommendation>("recommendation", &kRecommendation),
    member<&Remediation::suggested_fixes>("suggestedFixes", &kSuggestedFix),
};
constexpr ObjectSpec kRemediation{kRemediationMembers};

constexpr MemberSpec kResourceMembers[] = {
    member<&Resource::id>("id"),
    member<&Resource::sub_resource_id>("subResourceId"),
};
constexpr ObjectSpec kResource{kResourceMembers};

constexpr MemberSpec kFindingMembers[] = {
    member<&Finding::id>("id"),
    member<&Finding::created_at>("createdAt"),
    member<&Finding::updated_at>("updatedAt"),
    member<&Finding::title>("title"),
    member<&Finding::description>("description"),
    member<&Finding::type>("type"),
    member<&Finding::status>("status"),
    member<&Finding::severity>("severity"),
    member<&Finding::generator_id>("generatorId"),
    member<&Finding::detector_id>("detectorId"),
    member<&Finding::detector_name>("detectorName"),
    member<&Finding::detector_tags>("detectorTags"),
    member<&Finding::rule_id>("ruleId"),
    member<&Finding::resource>("resource", &kResource),
    member<&Finding::remediation>("remediation", &kRemediation),
    member<&Finding::vulnerability>("vulnerability", &kVulnerability),
};
constexpr ObjectSpec kFinding = entry<&Finding::id>(kFindingMembers, "finding", "id");

constexpr MemberSpec kGetFindingsMembers[] = {
    entries<&FindingsPage::findings>("findings", kFinding),
    token<&FindingsPage::next_token>("nextToken"),
};
constexpr ObjectSpec kGetFindingsAnswer{kGetFindingsMembers};
constexpr AnswerSpec kGetFindings{"GetFindings", &kGetFindingsAnswer};

}  // namespace

Finding finding_from_json(const nlohmann::json& object, std::vector<std::string>& warnings) {
    if (!object.is_object()) return {};
    // Mapped as the one entry of a page: one mapping for pages and single findings.
    ParsedFindingsPage parsed = parse_findings_page(
        "{\"findings\":[" + object.dump(-1, ' ', false, json::error_handler_t::replace) + "]}");
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
    return json_mapping::ondemand::parse_answer(body, kGetFindings, max_findings,
                                                &FindingsPage::findings, finding_pool());
}

void recycle_findings(std::vector<Finding>&& findings) {
    finding_pool().give(std::move(findings));
}

ScanNamesPage parse_scans_page(std::string body, std::size_t max_scans) {
    replace_invalid_utf8(body);
    // Only what is read below is built: a summary's other members, and the answer's other
    // members, are dropped as they are parsed. Depths: 1 the answer's members, 2 the
    // summaries, 3 their members.
    using Event = json::parse_event_t;
    std::string member;  // the answer's member being parsed
    bool in_summaries = false;
    std::size_t entries = 0;
    const auto count_summary = [&] {
        if (max_scans != 0 && ++entries > max_scans) {
            throw OversizedPageError("ListScans returned more than " + std::to_string(max_scans) +
                                     " scans (maxResults=" + std::to_string(max_scans) + ")");
        }
    };
    const json::parser_callback_t keep = [&](int depth, Event event, json& parsed) {
        switch (event) {
            case Event::key:
                if (depth == 1) {
                    member = parsed.get<std::string>();
                    return member == "summaries" || member == "nextToken";
                }
                return depth == 3 && in_summaries && parsed.get_ref<std::string&>() == "scanName";
            case Event::object_start:
                if (depth == 2 && in_summaries) count_summary();
                return depth == 0 || (depth == 2 && in_summaries);
            case Event::array_start:
                if (depth == 1) {
                    in_summaries = member == "summaries";
                    return in_summaries;
                }
                if (depth == 2 && in_summaries) count_summary();
                return false;
            case Event::array_end:
                if (depth == 1) in_summaries = false;
                return true;
            case Event::value:
                if (depth == 2 && in_summaries) {
                    count_summary();
                    return false;
                }
                return true;
            case Event::object_end:
                return true;
        }
        return false;
    };
    json doc = json::parse(body, keep, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
        throw MalformedResponseError("ListScans answer is not a JSON object");
    }
    ScanNamesPage page;
    const auto summaries = doc.find("summaries");
    if (summaries != doc.end() && summaries->is_array()) {
        for (const json& s : *summaries) {
            if (!s.is_object()) continue;
            const auto name = s.find("scanName");
            if (name != s.end() && name->is_string())
                page.scan_names.push_back(name->get<std::string>());
        }
    }
    const auto token = doc.find("nextToken");
    if (token != doc.end() && token->is_string() && !token->get_ref<const std::string&>().empty()) {
        page.next_token = token->get<std::string>();
    }
    return page;
}

}  // namespace codeguru
