#include "stored_findings.hpp"

#include <algorithm>
#include <pqxx/pqxx>
#include <set>
#include <stdexcept>

#include "reference_mapper.hpp"

namespace codeguru::test {
namespace {

using nlohmann::json;

template <typename T>
json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json();
}

}  // namespace

FlatFindings expected_flat_findings(const std::vector<json>& wire_findings) {
    FlatFindings out;
    for (const json& wire : wire_findings) {
        const auto f = reference_finding(wire);
        if (!f) continue;
        json flat;
        flat["created_at"] = or_null(f->created_at_us);
        flat["updated_at"] = or_null(f->updated_at_us);
        for (const auto& [column, value] : f->text) flat[column] = or_null(value);
        for (const auto& [column, value] : f->integers) flat[column] = or_null(value);
        flat["tags"] = f->tags;
        auto by_number = f->code_lines;
        std::sort(by_number.begin(), by_number.end());
        flat["code_lines"] = json::array();
        for (const auto& [number, content] : by_number) {
            flat["code_lines"].push_back(json::array({number, or_null(content)}));
        }
        flat["fixes"] = json::array();
        for (const auto& [description, code] : f->fixes) {
            flat["fixes"].push_back(json::array({or_null(description), or_null(code)}));
        }
        flat["reference_urls"] = f->reference_urls;
        flat["related"] = f->related;
        if (!out.emplace(f->id, std::move(flat)).second) {
            throw std::invalid_argument("expected_flat_findings: finding " + f->id +
                                        " is repeated");
        }
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
        " 'status', f.status, 'severity', f.severity, 'generator_id', f.generator_id,"
        " 'detector_id', f.detector_id, 'detector_name', f.detector_name, 'rule_id', f.rule_id,"
        " 'resource_id', f.resource_id, 'sub_resource_id', f.sub_resource_id,"
        " 'vulnerability_id', f.vulnerability_id, 'item_count', f.item_count,"
        " 'file_name', f.file_name, 'file_path', f.file_path, 'start_line', f.start_line,"
        " 'end_line', f.end_line, 'recommendation_text', f.recommendation_text,"
        " 'recommendation_url', f.recommendation_url,"
        " 'tags', coalesce((SELECT json_agg(c.tag ORDER BY c.ordinal) FROM " +
            s + ".finding_detector_tags c WHERE " + children_of +
            "), '[]'),"
            " 'code_lines', coalesce((SELECT json_agg(json_build_array(c.line_number, c.content)"
            "    ORDER BY c.line_number) FROM " +
            s + ".finding_code_lines c WHERE " + children_of +
            "), '[]'),"
            " 'fixes', coalesce((SELECT json_agg(json_build_array(c.description, c.code)"
            "    ORDER BY c.ordinal) FROM " +
            s + ".finding_suggested_fixes c WHERE " + children_of +
            "), '[]'),"
            " 'reference_urls', coalesce((SELECT json_agg(c.url ORDER BY c.ordinal) FROM " +
            s + ".finding_reference_urls c WHERE " + children_of +
            "), '[]'),"
            " 'related', coalesce((SELECT json_agg(c.related_id ORDER BY c.ordinal) FROM " +
            s + ".finding_related_vulnerabilities c WHERE " + children_of +
            "), '[]')"
            ")::text FROM " +
            s + ".findings f WHERE f.scan_name = $1",
        scan);
    FlatFindings out;
    for (const auto& row : rows) {
        out[row[0].as<std::string>()] = json::parse(row[1].as<std::string>());
    }
    return out;
}

}  // namespace codeguru::test
