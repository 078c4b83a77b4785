#include "stored_findings.hpp"

#include <cmath>
#include <pqxx/pqxx>
#include <set>

#include "codeguru/timestamp.hpp"

namespace codeguru::test {
namespace {

using nlohmann::json;

const json* member(const json& object, const char* name) {
    if (!object.is_object()) return nullptr;
    const auto it = object.find(name);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

json text(const json& object, const char* name) {
    const json* v = member(object, name);
    return v != nullptr ? *v : json();
}

json micros(const json& object, const char* name) {
    const json* v = member(object, name);
    if (v == nullptr) return json();
    if (v->is_string()) {
        // ISO-8601 parsing has table tests of its own (timestamp_test.cpp).
        const auto t = timestamp_from_iso8601(v->get<std::string>());
        return t ? json(t->time_since_epoch().count()) : json();
    }
    if (v->is_number_integer()) return v->get<std::int64_t>() * 1000000;
    const double seconds = v->get<double>();
    const double whole = std::floor(seconds);
    return static_cast<std::int64_t>(whole) * 1000000 +
           static_cast<std::int64_t>(std::llround((seconds - whole) * 1e6));
}

const json& child(const json& object, const char* name) {
    static const json kEmpty = json::object();
    const json* v = member(object, name);
    return v != nullptr ? *v : kEmpty;
}

json list(const json& object, const char* name) {
    const json* v = member(object, name);
    return v != nullptr ? *v : json::array();
}

}  // namespace

FlatFindings expected_flat_findings(const std::vector<json>& wire_findings) {
    FlatFindings out;
    for (const json& f : wire_findings) {
        const json& vulnerability = child(f, "vulnerability");
        const json& file = child(vulnerability, "filePath");
        const json& remediation = child(f, "remediation");
        const json& recommendation = child(remediation, "recommendation");
        const json& resource = child(f, "resource");

        json flat;
        flat["created_at"] = micros(f, "createdAt");
        flat["updated_at"] =
            member(f, "updatedAt") != nullptr ? micros(f, "updatedAt") : micros(f, "createdAt");
        for (const char* name : {"title", "description", "type", "status", "severity",
                                 "generatorId", "detectorId", "detectorName", "ruleId"}) {
            flat[name] = text(f, name);
        }
        flat["resource_id"] = text(resource, "id");
        flat["sub_resource_id"] = text(resource, "subResourceId");
        flat["vulnerability_id"] = text(vulnerability, "id");
        flat["item_count"] = text(vulnerability, "itemCount");
        flat["file_name"] = text(file, "name");
        flat["file_path"] = text(file, "path");
        flat["start_line"] = text(file, "startLine");
        flat["end_line"] = text(file, "endLine");
        flat["recommendation_text"] = text(recommendation, "text");
        flat["recommendation_url"] = text(recommendation, "url");

        json tags = json::array();
        std::set<std::string> seen_tags;
        for (const json& tag : list(f, "detectorTags")) {
            if (seen_tags.insert(tag.get<std::string>()).second) tags.push_back(tag);
        }
        flat["tags"] = tags;
        json lines = json::array();
        std::set<std::int64_t> seen_lines;
        for (const json& line : list(file, "codeSnippet")) {
            const json* number = member(line, "number");
            if (number == nullptr || !seen_lines.insert(number->get<std::int64_t>()).second) continue;
            lines.push_back(json::array({*number, text(line, "content")}));
        }
        std::sort(lines.begin(), lines.end(),
                  [](const json& a, const json& b) { return a[0] < b[0]; });
        flat["code_lines"] = lines;
        json fixes = json::array();
        for (const json& fix : list(remediation, "suggestedFixes")) {
            fixes.push_back(json::array({text(fix, "description"), text(fix, "code")}));
        }
        flat["fixes"] = fixes;
        flat["reference_urls"] = list(vulnerability, "referenceUrls");
        flat["related"] = list(vulnerability, "relatedVulnerabilities");
        out[f.at("id").get<std::string>()] = flat;
    }
    return out;
}

FlatFindings stored_flat_findings(const std::string& conninfo, const std::string& schema,
                                  const std::string& scan) {
    pqxx::connection connection(conninfo);
    pqxx::work tx(connection);
    const std::string s = tx.quote_name(schema);
    const std::string children_of = "c.scan_name = f.scan_name AND c.finding_id = f.finding_id";
    const auto rows = tx.exec_params(
        "SELECT f.finding_id, json_build_object("
        " 'created_at', (extract(epoch FROM f.created_at) * 1000000)::bigint,"
        " 'updated_at', (extract(epoch FROM f.updated_at) * 1000000)::bigint,"
        " 'title', f.title, 'description', f.description, 'type', f.type,"
        " 'status', f.status, 'severity', f.severity, 'generatorId', f.generator_id,"
        " 'detectorId', f.detector_id, 'detectorName', f.detector_name, 'ruleId', f.rule_id,"
        " 'resource_id', f.resource_id, 'sub_resource_id', f.sub_resource_id,"
        " 'vulnerability_id', f.vulnerability_id, 'item_count', f.item_count,"
        " 'file_name', f.file_name, 'file_path', f.file_path, 'start_line', f.start_line,"
        " 'end_line', f.end_line, 'recommendation_text', f.recommendation_text,"
        " 'recommendation_url', f.recommendation_url,"
        " 'tags', coalesce((SELECT json_agg(c.tag ORDER BY c.ordinal) FROM " + s +
            ".finding_detector_tags c WHERE " + children_of + "), '[]'),"
        " 'code_lines', coalesce((SELECT json_agg(json_build_array(c.line_number, c.content)"
        "    ORDER BY c.line_number) FROM " + s + ".finding_code_lines c WHERE " + children_of +
            "), '[]'),"
        " 'fixes', coalesce((SELECT json_agg(json_build_array(c.description, c.code)"
        "    ORDER BY c.ordinal) FROM " + s + ".finding_suggested_fixes c WHERE " + children_of +
            "), '[]'),"
        " 'reference_urls', coalesce((SELECT json_agg(c.url ORDER BY c.ordinal) FROM " + s +
            ".finding_reference_urls c WHERE " + children_of + "), '[]'),"
        " 'related', coalesce((SELECT json_agg(c.related_id ORDER BY c.ordinal) FROM " + s +
            ".finding_related_vulnerabilities c WHERE " + children_of + "), '[]')"
        ")::text FROM " + s + ".findings f WHERE f.scan_name = $1",
        scan);
    FlatFindings out;
    for (const auto& row : rows) {
        out[row[0].as<std::string>()] = json::parse(row[1].as<std::string>());
    }
    return out;
}

}  // namespace codeguru::test
