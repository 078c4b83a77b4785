// Fuzzes the GetFindings and ListScans body mapping (codeguru/finding_json).
// Properties: any body yields a page or MalformedResponseError, nothing else; every string
// that reaches the model is valid UTF-8; timestamps lie in years 0001..9999, which
// PostgreSQL's timestamptz accepts; the U+FFFD count is zero exactly for valid UTF-8 input;
// every object of a valid `findings` list becomes one finding, in order. Each input is mapped
// into the findings of the input before it (recycle_findings), as in the sync.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "sources/codeguru/finding_json.hpp"

namespace {

using codeguru::Finding;
using codeguru::Timestamp;
using codeguru::fuzz::is_valid_utf8;

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

void check_finding(const Finding& f) {
    for (const auto* text : {&f.id, &f.title, &f.description, &f.type, &f.status, &f.severity,
                             &f.generator_id, &f.detector_id, &f.detector_name, &f.rule_id}) {
        check_text(*text);
    }
    check_time(f.created_at);
    check_time(f.updated_at);
    check_texts(f.detector_tags);
    if (f.resource) {
        check_text(f.resource->id);
        check_text(f.resource->sub_resource_id);
    }
    if (f.remediation) {
        if (const auto& r = f.remediation->recommendation) {
            check_text(r->text);
            check_text(r->url);
        }
        if (const auto& fixes = f.remediation->suggested_fixes) {
            for (const auto& fix : *fixes) {
                check_text(fix.description);
                check_text(fix.code);
            }
        }
    }
    if (const auto& v = f.vulnerability) {
        check_text(v->id);
        check_texts(v->reference_urls);
        check_texts(v->related_vulnerabilities);
        if (const auto& path = v->file_path) {
            check_text(path->name);
            check_text(path->path);
            if (path->code_snippet) {
                for (const auto& line : *path->code_snippet) check_text(line.content);
            }
        }
    }
}

void check_findings_page(const std::string& body) {
    codeguru::ParsedFindingsPage parsed;
    try {
        parsed = codeguru::parse_findings_page(body);
    } catch (const codeguru::aws::MalformedResponseError& e) {
        FUZZ_CHECK(is_valid_utf8(e.what()));
        return;
    }
    // Given back however the checks end: the next input maps into these findings, and the
    // checks below hold for findings reused as for new ones.
    struct Recycled {
        codeguru::ParsedFindingsPage& parsed;
        ~Recycled() { codeguru::recycle_findings(std::move(parsed.page.findings)); }
    } recycled{parsed};
    const bool valid_input = is_valid_utf8(body);
    FUZZ_CHECK((parsed.invalid_utf8_replaced == 0) == valid_input);
    for (const Finding& finding : parsed.page.findings) check_finding(finding);
    for (const std::string& warning : parsed.warnings) FUZZ_CHECK(is_valid_utf8(warning));
    if (parsed.page.next_token) {
        FUZZ_CHECK(!parsed.page.next_token->empty());
        FUZZ_CHECK(is_valid_utf8(*parsed.page.next_token));
    }

    // Cross-check the page against an independent parse of the same (valid) text.
    if (!valid_input) return;
    const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(doc.is_object());
    const auto list = doc.find("findings");
    std::vector<const nlohmann::json*> objects;
    if (list != doc.end() && list->is_array()) {
        for (const auto& item : *list) {
            if (item.is_object()) objects.push_back(&item);
        }
    }
    FUZZ_CHECK(parsed.page.findings.size() == objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const auto id = objects[i]->find("id");
        if (id != objects[i]->end() && id->is_string()) {
            FUZZ_CHECK(parsed.page.findings[i].id == id->get<std::string>());
        }
    }
}

void check_scans_page(const std::string& body) {
    try {
        const codeguru::ScanNamesPage page = codeguru::parse_scans_page(body);
        for (const std::string& name : page.scan_names) FUZZ_CHECK(is_valid_utf8(name));
        if (page.next_token) FUZZ_CHECK(is_valid_utf8(*page.next_token));
    } catch (const codeguru::aws::MalformedResponseError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    check_findings_page(body);
    check_scans_page(body);
    return 0;
}
