// Fuzzes the ListFindings and BatchGetCodeSnippet body mapping (inspector/finding_json).
// Properties: any body yields an answer or MalformedResponseError, nothing else; every
// string that reaches the model is valid UTF-8; tags and details are JSON objects without
// NUL (PostgreSQL's jsonb refuses it), equal to what the body sent when it sent no NUL;
// timestamps lie in years 0001..9999; the U+FFFD count is zero exactly for valid UTF-8
// input; every object of a valid `findings` list becomes one finding, in order, with its
// findingArn; every snippet result and error kept has a findingArn. Each ListFindings input
// is mapped into the findings of the one before it (recycle_findings), as in the sync.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "sources/inspector/finding_json.hpp"

namespace {

using codeguru::Timestamp;
using codeguru::fuzz::is_valid_utf8;
using codeguru::inspector::Finding;
using nlohmann::json;

void check_text(const std::optional<std::string>& text) {
    if (text) FUZZ_CHECK(is_valid_utf8(*text));
}

void check_texts(const std::optional<std::vector<std::string>>& texts) {
    if (!texts) return;
    for (const std::string& text : *texts) FUZZ_CHECK(is_valid_utf8(text));
}

void check_time(const std::optional<Timestamp>& time) {
    if (!time) return;
    using namespace std::chrono;
    constexpr auto kFirst = sys_days(year(1) / January / 1);
    constexpr auto kEnd = sys_days(year(10000) / January / 1);
    FUZZ_CHECK(*time >= kFirst && *time < kEnd);
}

bool holds_nul(const json& value) {
    if (value.is_string())
        return value.get_ref<const std::string&>().find('\0') != std::string::npos;
    if (value.is_array()) {
        for (const auto& element : value) {
            if (holds_nul(element)) return true;
        }
    }
    if (value.is_object()) {
        for (const auto& [key, member] : value.items()) {
            if (key.find('\0') != std::string::npos || holds_nul(member)) return true;
        }
    }
    return false;
}

// A kept object: valid UTF-8, no NUL byte, and parses as a JSON object whose strings and
// keys hold no NUL either (not even escaped).
void check_json_object(const std::optional<std::string>& text) {
    if (!text) return;
    FUZZ_CHECK(is_valid_utf8(*text));
    FUZZ_CHECK(text->find('\0') == std::string::npos);
    const json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(doc.is_object());
    FUZZ_CHECK(!holds_nul(doc));
}

void check_finding(const Finding& f) {
    for (const auto* text : {&f.finding_arn, &f.aws_account_id, &f.type, &f.title, &f.description,
                             &f.severity, &f.status, &f.fix_available, &f.exploit_available,
                             &f.recommendation_text, &f.recommendation_url}) {
        check_text(*text);
    }
    for (const auto* time :
         {&f.first_observed_at, &f.last_observed_at, &f.updated_at, &f.last_known_exploit_at}) {
        check_time(*time);
    }
    if (f.resources) {
        for (const auto& r : *f.resources) {
            for (const auto* text : {&r.type, &r.id, &r.partition, &r.region}) check_text(*text);
            check_json_object(r.tags_json);
            check_json_object(r.details_json);
            if (const auto& repo = r.code_repository) {
                check_text(repo->project_name);
                check_text(repo->integration_arn);
                check_text(repo->provider_type);
            }
        }
    }
    if (const auto& c = f.code) {
        for (const auto* text : {&c->file_name, &c->file_path, &c->detector_id, &c->detector_name,
                                 &c->rule_id, &c->source_lambda_layer_arn}) {
            check_text(*text);
        }
        check_texts(c->detector_tags);
        check_texts(c->cwes);
        check_texts(c->reference_urls);
    }
    if (const auto& p = f.package) {
        for (const auto* text :
             {&p->vulnerability_id, &p->source, &p->source_url, &p->vendor_severity}) {
            check_text(*text);
        }
        check_time(p->vendor_created_at);
        check_time(p->vendor_updated_at);
        check_texts(p->reference_urls);
        check_texts(p->related_vulnerabilities);
        if (p->cvss) {
            for (const auto& c : *p->cvss) {
                check_text(c.scoring_vector);
                check_text(c.version);
                check_text(c.source);
            }
        }
        if (p->vulnerable_packages) {
            for (const auto& v : *p->vulnerable_packages) {
                for (const auto* text :
                     {&v.name, &v.version, &v.release, &v.arch, &v.package_manager, &v.file_path,
                      &v.fixed_in_version, &v.remediation, &v.source_layer_hash,
                      &v.source_lambda_layer_arn}) {
                    check_text(*text);
                }
            }
        }
    }
    if (const auto& n = f.network) {
        check_text(n->protocol);
        if (n->steps) {
            for (const auto& s : *n->steps) {
                check_text(s.component_id);
                check_text(s.component_type);
                check_text(s.component_arn);
            }
        }
    }
}

// The objects of the list `parent[member]`, in order; none when it is not a list.
std::vector<const json*> objects_of(const json& parent, const char* member) {
    std::vector<const json*> objects;
    const auto list = parent.find(member);
    if (list == parent.end() || !list->is_array()) return objects;
    for (const auto& item : *list) {
        if (item.is_object()) objects.push_back(&item);
    }
    return objects;
}

// Cross-checks a finding against an independent parse of the same (valid) object.
void compare_finding(const Finding& f, const json& object, bool nul_free) {
    const auto arn = object.find("findingArn");
    if (arn != object.end() && arn->is_string())
        FUZZ_CHECK(f.finding_arn == arn->get<std::string>());
    const auto list = object.find("resources");
    const bool listed = list != object.end() && list->is_array();
    FUZZ_CHECK(f.resources.has_value() == listed);
    if (!listed) return;
    const auto resources = objects_of(object, "resources");
    FUZZ_CHECK(f.resources->size() == resources.size());
    if (!nul_free) return;
    for (std::size_t i = 0; i < resources.size(); ++i) {
        for (const char* member : {"tags", "details"}) {
            const auto sent = resources[i]->find(member);
            const auto& kept = std::string(member) == "tags" ? (*f.resources)[i].tags_json
                                                             : (*f.resources)[i].details_json;
            if (sent != resources[i]->end() && sent->is_object()) {
                FUZZ_CHECK(kept && json::parse(*kept) == *sent);
            } else {
                FUZZ_CHECK(!kept);
            }
        }
    }
}

void check_findings_page(const std::string& body) {
    codeguru::inspector::ParsedFindingsPage parsed;
    try {
        parsed = codeguru::inspector::parse_findings_page(body);
    } catch (const codeguru::aws::MalformedResponseError& e) {
        FUZZ_CHECK(is_valid_utf8(e.what()));
        return;
    }
    // Given back however the checks end: the next input maps into these findings, and the
    // checks below hold for findings reused as for new ones.
    struct Recycled {
        codeguru::inspector::ParsedFindingsPage& parsed;
        ~Recycled() { codeguru::inspector::recycle_findings(std::move(parsed.page.findings)); }
    } recycled{parsed};
    const bool valid_input = is_valid_utf8(body);
    FUZZ_CHECK((parsed.invalid_utf8_replaced == 0) == valid_input);
    for (const Finding& finding : parsed.page.findings) check_finding(finding);
    for (const std::string& warning : parsed.warnings) FUZZ_CHECK(is_valid_utf8(warning));
    if (parsed.page.next_token) {
        FUZZ_CHECK(!parsed.page.next_token->empty());
        FUZZ_CHECK(is_valid_utf8(*parsed.page.next_token));
    }

    if (!valid_input) return;
    const auto doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(doc.is_object());
    const auto objects = objects_of(doc, "findings");
    FUZZ_CHECK(parsed.page.findings.size() == objects.size());
    const bool nul_free = body.find("u0000") == std::string::npos;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        compare_finding(parsed.page.findings[i], *objects[i], nul_free);
    }
}

void check_snippet_batch(const std::string& body) {
    codeguru::inspector::ParsedSnippetBatch parsed;
    try {
        parsed = codeguru::inspector::parse_snippet_batch(body);
    } catch (const codeguru::aws::MalformedResponseError& e) {
        FUZZ_CHECK(is_valid_utf8(e.what()));
        return;
    }
    FUZZ_CHECK((parsed.invalid_utf8_replaced == 0) == is_valid_utf8(body));
    for (const auto& result : parsed.batch.results) {
        FUZZ_CHECK(!result.finding_arn.empty() && is_valid_utf8(result.finding_arn));
        for (const auto& line : result.lines) check_text(line.content);
        for (const auto& fix : result.suggested_fixes) {
            check_text(fix.description);
            check_text(fix.code);
        }
    }
    for (const auto& error : parsed.batch.errors) {
        FUZZ_CHECK(!error.finding_arn.empty() && is_valid_utf8(error.finding_arn));
        FUZZ_CHECK(is_valid_utf8(error.error_code) && is_valid_utf8(error.message));
    }
    for (const std::string& warning : parsed.warnings) FUZZ_CHECK(is_valid_utf8(warning));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    check_findings_page(body);
    check_snippet_batch(body);
    return 0;
}
