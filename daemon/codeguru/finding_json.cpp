#include "codeguru/finding_json.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "codeguru/timestamp.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru {
namespace {

using aws::MalformedResponseError;
using nlohmann::json;

// Walks one JSON object, reading members by name and recording wrong types
// under their dotted path ("vulnerability.filePath.startLine").
class Reader {
  public:
    Reader(const json& object, std::string path, std::vector<std::string>& warnings)
        : object_(object), path_(std::move(path)), warnings_(warnings) {}

    std::optional<std::string> string(const char* name) const {
        const json* v = find(name);
        if (v == nullptr) return std::nullopt;
        if (v->is_string()) return v->get<std::string>();
        if (v->is_number() || v->is_boolean()) return v->dump();  // keep the value, as text
        wrong_type(name, "a string", *v);
        return std::nullopt;
    }

    std::optional<std::int64_t> integer(const char* name) const {
        const json* v = find(name);
        if (v == nullptr) return std::nullopt;
        if (v->is_number_integer()) {
            if (v->is_number_unsigned() &&
                v->get<std::uint64_t>() >
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                wrong_type(name, "a 64-bit integer", *v);
                return std::nullopt;
            }
            return v->get<std::int64_t>();
        }
        if (v->is_number_float()) {
            const double d = v->get<double>();
            if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
                return static_cast<std::int64_t>(d);
            }
        }
        if (v->is_string()) {
            const std::string& s = v->get_ref<const std::string&>();
            std::int64_t out = 0;
            const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
            if (ec == std::errc() && end == s.data() + s.size() && !s.empty()) return out;
        }
        wrong_type(name, "an integer", *v);
        return std::nullopt;
    }

    std::optional<Timestamp> timestamp(const char* name) const {
        const json* v = find(name);
        if (v == nullptr) return std::nullopt;
        std::optional<Timestamp> t;
        if (v->is_number_integer() && !v->is_number_unsigned()) {
            t = timestamp_from_epoch_seconds(v->get<std::int64_t>());
        } else if (v->is_number()) {
            t = timestamp_from_epoch_seconds(v->get<double>());
        } else if (v->is_string()) {
            t = timestamp_from_iso8601(v->get_ref<const std::string&>());
        }
        if (!t) wrong_type(name, "a timestamp", *v);
        return t;
    }

    std::optional<std::vector<std::string>> strings(const char* name) const {
        const json* v = list(name);
        if (v == nullptr) return std::nullopt;
        std::vector<std::string> out;
        out.reserve(v->size());
        for (std::size_t i = 0; i < v->size(); ++i) {
            const json& item = (*v)[i];
            if (item.is_string()) {
                out.push_back(item.get<std::string>());
            } else {
                wrong_type(name, i, "a string", item);
            }
        }
        return out;
    }

    // A nested object, or nullptr when absent or not an object.
    std::optional<Reader> object(const char* name) const {
        const json* v = find(name);
        if (v == nullptr) return std::nullopt;
        if (!v->is_object()) {
            wrong_type(name, "an object", *v);
            return std::nullopt;
        }
        return Reader(*v, dotted(name), warnings_);
    }

    // Calls `each(Reader)` for every object element of a list member.
    template <class T, class Map>
    std::optional<std::vector<T>> objects(const char* name, Map each) const {
        const json* v = list(name);
        if (v == nullptr) return std::nullopt;
        std::vector<T> out;
        out.reserve(v->size());
        for (std::size_t i = 0; i < v->size(); ++i) {
            const json& item = (*v)[i];
            if (item.is_object()) {
                out.push_back(
                    each(Reader(item, dotted(name) + "[" + std::to_string(i) + "]", warnings_)));
            } else {
                wrong_type(name, i, "an object", item);
            }
        }
        return out;
    }

  private:
    // JSON null is the same as absent: the API omits members, but null is harmless.
    const json* find(const char* name) const {
        const auto it = object_.find(name);
        if (it == object_.end() || it->is_null()) return nullptr;
        return &*it;
    }

    const json* list(const char* name) const {
        const json* v = find(name);
        if (v != nullptr && !v->is_array()) {
            wrong_type(name, "a list", *v);
            return nullptr;
        }
        return v;
    }

    std::string dotted(const char* name) const {
        return path_.empty() ? std::string(name) : path_ + "." + name;
    }

    void wrong_type(const char* name, const char* expected, const json& got) const {
        warnings_.push_back(dotted(name) + " is " + got.type_name() + ", expected " + expected +
                            "; left out");
    }
    void wrong_type(const char* name, std::size_t index, const char* expected,
                    const json& got) const {
        warnings_.push_back(dotted(name) + "[" + std::to_string(index) + "] is " + got.type_name() +
                            ", expected " + expected + "; left out");
    }

    const json& object_;
    std::string path_;
    std::vector<std::string>& warnings_;
};

FilePath file_path_from(const Reader& r) {
    FilePath fp;
    fp.name = r.string("name");
    fp.path = r.string("path");
    fp.start_line = r.integer("startLine");
    fp.end_line = r.integer("endLine");
    fp.code_snippet = r.objects<CodeLine>("codeSnippet", [](const Reader& line) {
        return CodeLine{line.integer("number"), line.string("content")};
    });
    return fp;
}

Vulnerability vulnerability_from(const Reader& r) {
    Vulnerability v;
    v.id = r.string("id");
    v.item_count = r.integer("itemCount");
    v.reference_urls = r.strings("referenceUrls");
    v.related_vulnerabilities = r.strings("relatedVulnerabilities");
    if (auto fp = r.object("filePath")) v.file_path = file_path_from(*fp);
    return v;
}

Remediation remediation_from(const Reader& r) {
    Remediation rem;
    if (auto rec = r.object("recommendation")) {
        rem.recommendation = Recommendation{rec->string("text"), rec->string("url")};
    }
    rem.suggested_fixes = r.objects<SuggestedFix>("suggestedFixes", [](const Reader& fix) {
        return SuggestedFix{fix.string("description"), fix.string("code")};
    });
    return rem;
}

}  // namespace

Finding finding_from_json(const json& object, std::vector<std::string>& warnings) {
    std::vector<std::string> local;
    const Reader r(object, "", local);
    Finding f;
    f.id = r.string("id");
    f.created_at = r.timestamp("createdAt");
    f.updated_at = r.timestamp("updatedAt");
    f.title = r.string("title");
    f.description = r.string("description");
    f.type = r.string("type");
    f.status = r.string("status");
    f.severity = r.string("severity");
    f.generator_id = r.string("generatorId");
    f.detector_id = r.string("detectorId");
    f.detector_name = r.string("detectorName");
    f.detector_tags = r.strings("detectorTags");
    f.rule_id = r.string("ruleId");
    if (auto res = r.object("resource")) {
        f.resource = Resource{res->string("id"), res->string("subResourceId")};
    }
    if (auto rem = r.object("remediation")) f.remediation = remediation_from(*rem);
    if (auto vul = r.object("vulnerability")) f.vulnerability = vulnerability_from(*vul);

    const std::string who = "finding " + (f.id ? "\"" + *f.id + "\"" : std::string("without id"));
    for (auto& w : local) warnings.push_back(who + ": " + w);
    return f;
}

ParsedFindingsPage parse_findings_page(std::string_view body) {
    ParsedFindingsPage parsed;
    // Only a body with non-ASCII bytes can hold invalid UTF-8; only such a body is copied.
    std::string sanitized;
    std::string_view text = body;
    if (!std::all_of(body.begin(), body.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        sanitized.assign(body);
        parsed.invalid_utf8_replaced = replace_invalid_utf8(sanitized);
        text = sanitized;
    }

    // Each element of the top-level `findings` list is mapped as soon as it is parsed and
    // then dropped from the document, so a page never exists twice in memory (as a JSON
    // tree and as findings). Depth 1: members of the answer; depth 2: the list's elements.
    auto& findings = parsed.page.findings;
    bool in_findings = false;
    bool findings_key = false;
    std::size_t index = 0;
    const json::parser_callback_t each = [&](int depth, json::parse_event_t event, json& value) {
        using Event = json::parse_event_t;
        if (depth == 1) {
            if (event == Event::key) findings_key = value == "findings";
            if (event == Event::array_start && findings_key) {
                in_findings = true;
                findings.clear();  // a repeated `findings` member replaces the earlier one
                index = 0;
            }
            if (event == Event::array_end) in_findings = false;
            return true;
        }
        if (depth != 2 || !in_findings) return true;
        if (event == Event::object_end) {
            findings.push_back(finding_from_json(value, parsed.warnings));
            ++index;
            return false;
        }
        if (event == Event::value || event == Event::array_end) {
            parsed.warnings.push_back("findings[" + std::to_string(index++) + "] is " +
                                      (event == Event::value ? value.type_name() : "array") +
                                      ", not an object; left out");
            return false;
        }
        return true;
    };
    json doc = json::parse(text, each, /*allow_exceptions=*/false);
    if (doc.is_discarded()) {
        throw MalformedResponseError("GetFindings answer is not valid JSON (" +
                                     std::to_string(body.size()) + " bytes)");
    }
    if (!doc.is_object()) throw MalformedResponseError("GetFindings answer is not a JSON object");
    const auto list = doc.find("findings");
    if (list == doc.end() || list->is_null()) {
        findings.clear();
    } else if (!list->is_array()) {
        throw MalformedResponseError("GetFindings answer: `findings` is not a list");
    }
    const auto token = doc.find("nextToken");
    if (token != doc.end() && token->is_string() && !token->get_ref<const std::string&>().empty()) {
        parsed.page.next_token = token->get<std::string>();
    } else if (token != doc.end() && !token->is_null() && !token->is_string()) {
        throw MalformedResponseError("GetFindings answer: `nextToken` is not a string");
    }
    return parsed;
}

ScanNamesPage parse_scans_page(std::string body) {
    replace_invalid_utf8(body);
    json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
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
