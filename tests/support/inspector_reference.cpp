#include "inspector_reference.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <pqxx/pqxx>
#include <stdexcept>
#include <utility>

#include "reference_mapper.hpp"

namespace codeguru::test {
namespace {

using nlohmann::json;

enum class Kind { kText, kInteger, kDouble, kTimestamp, kJson };

struct TableSpec {
    const char* name;
    std::vector<const char*> key;
    std::vector<std::pair<const char*, Kind>> columns;
};

// SPEC §10.4, less the versions and the columns holding the sync's own time.
const std::vector<TableSpec>& table_specs() {
    using K = Kind;
    static const std::vector<TableSpec> kTables = {
        {"inspector_findings",
         {"finding_arn"},
         {{"finding_arn", K::kText},
          {"aws_account_id", K::kText},
          {"region", K::kText},
          {"type", K::kText},
          {"title", K::kText},
          {"description", K::kText},
          {"severity", K::kText},
          {"status", K::kText},
          {"inspector_score", K::kDouble},
          {"epss_score", K::kDouble},
          {"fix_available", K::kText},
          {"exploit_available", K::kText},
          {"last_known_exploit_at", K::kTimestamp},
          {"first_observed_at", K::kTimestamp},
          {"last_observed_at", K::kTimestamp},
          {"updated_at", K::kTimestamp},
          {"recommendation_text", K::kText},
          {"recommendation_url", K::kText},
          {"detector_id", K::kText},
          {"detector_name", K::kText},
          {"rule_id", K::kText},
          {"file_name", K::kText},
          {"file_path", K::kText},
          {"start_line", K::kInteger},
          {"end_line", K::kInteger},
          {"source_lambda_layer_arn", K::kText},
          {"vulnerability_id", K::kText},
          {"vulnerability_source", K::kText},
          {"vendor_severity", K::kText},
          {"source_url", K::kText},
          {"vendor_created_at", K::kTimestamp},
          {"vendor_updated_at", K::kTimestamp},
          {"network_protocol", K::kText},
          {"open_port_begin", K::kInteger},
          {"open_port_end", K::kInteger},
          {"missing_since", K::kTimestamp}}},
        {"inspector_finding_resources",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText},
          {"ordinal", K::kInteger},
          {"type", K::kText},
          {"resource_id", K::kText},
          {"partition", K::kText},
          {"region", K::kText},
          {"project_name", K::kText},
          {"provider_type", K::kText},
          {"integration_arn", K::kText},
          {"details", K::kJson},
          {"tags", K::kJson}}},
        {"inspector_finding_cwes",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText}, {"ordinal", K::kInteger}, {"cwe", K::kText}}},
        {"inspector_finding_detector_tags",
         {"finding_arn", "tag"},
         {{"finding_arn", K::kText}, {"tag", K::kText}, {"ordinal", K::kInteger}}},
        {"inspector_finding_reference_urls",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText}, {"ordinal", K::kInteger}, {"url", K::kText}}},
        {"inspector_finding_related_vulnerabilities",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText}, {"ordinal", K::kInteger}, {"related_id", K::kText}}},
        {"inspector_finding_packages",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText},
          {"ordinal", K::kInteger},
          {"name", K::kText},
          {"version", K::kText},
          {"epoch", K::kInteger},
          {"release", K::kText},
          {"arch", K::kText},
          {"package_manager", K::kText},
          {"file_path", K::kText},
          {"fixed_in_version", K::kText},
          {"remediation", K::kText},
          {"source_layer_hash", K::kText},
          {"source_lambda_layer_arn", K::kText}}},
        {"inspector_finding_cvss",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText},
          {"ordinal", K::kInteger},
          {"base_score", K::kDouble},
          {"scoring_vector", K::kText},
          {"version", K::kText},
          {"source", K::kText}}},
        {"inspector_finding_network_path",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText},
          {"ordinal", K::kInteger},
          {"component_id", K::kText},
          {"component_type", K::kText},
          {"component_arn", K::kText}}},
        {"inspector_finding_code_lines",
         {"finding_arn", "line_number"},
         {{"finding_arn", K::kText}, {"line_number", K::kInteger}, {"content", K::kText}}},
        {"inspector_finding_suggested_fixes",
         {"finding_arn", "ordinal"},
         {{"finding_arn", K::kText},
          {"ordinal", K::kInteger},
          {"description", K::kText},
          {"code", K::kText}}},
    };
    return kTables;
}

const TableSpec& spec_of(const std::string& table) {
    for (const auto& spec : table_specs()) {
        if (table == spec.name) return spec;
    }
    throw std::logic_error("inspector reference: no table " + table);
}

[[noreturn]] void refuse(const std::string& what) {
    throw std::invalid_argument("inspector reference: " + what);
}

std::string key_of(const TableSpec& spec, const InspectorRow& row) {
    std::string key;
    for (const char* column : spec.key) {
        const auto it = row.find(column);
        if (it == row.end() || !it->second) {
            throw std::logic_error(std::string("inspector reference: ") + spec.name +
                                   " row without its key column " + column);
        }
        key += (key.empty() ? "" : "#") + *it->second;
    }
    return key;
}

std::string double_text(double value) {
    char digits[40];
    std::snprintf(digits, sizeof digits, "%.17g", value);
    return digits;
}

// The member at `path` (each step an object member); nullptr when absent or null.
const json* member(const json& value, std::initializer_list<const char*> path) {
    const json* at = &value;
    for (const char* step : path) {
        if (!at->is_object()) return nullptr;
        const auto it = at->find(step);
        if (it == at->end() || it->is_null()) return nullptr;
        at = &*it;
    }
    return at;
}

std::optional<std::string> text(const json* value, const char* name) {
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) refuse(std::string(name) + " is not a string: " + value->dump());
    return reference_text(value->get_ref<const std::string&>());
}

std::optional<std::string> integer(const json* value, const char* name) {
    if (value == nullptr) return std::nullopt;
    if (!value->is_number_integer()) {
        refuse(std::string(name) + " is not an integer: " + value->dump());
    }
    return std::to_string(value->get<std::int64_t>());
}

std::optional<std::string> real(const json* value, const char* name) {
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) refuse(std::string(name) + " is not a number: " + value->dump());
    return double_text(value->get<double>());
}

std::optional<std::string> micros_text(const json* value) {
    if (value == nullptr) return std::nullopt;
    return std::to_string(reference_micros(*value));
}

// The JSON as jsonb holds it after SPEC §5's text rule: every string (keys too) with NUL and
// invalid UTF-8 replaced.
json clean_json(const json& value) {
    if (value.is_string()) return reference_text(value.get_ref<const std::string&>());
    if (value.is_array()) {
        json out = json::array();
        for (const auto& item : value) out.push_back(clean_json(item));
        return out;
    }
    if (value.is_object()) {
        json out = json::object();
        for (const auto& [key, item] : value.items()) out[reference_text(key)] = clean_json(item);
        return out;
    }
    return value;
}

std::optional<std::string> json_text(const json* value) {
    if (value == nullptr) return std::nullopt;
    return clean_json(*value).dump();
}

const json& list(const json* value, const char* name) {
    static const json kEmpty = json::array();
    if (value == nullptr) return kEmpty;
    if (!value->is_array()) refuse(std::string(name) + " is not a list: " + value->dump());
    return *value;
}

struct ArnParts {
    std::string region;
    std::string account;
};

// arn:PARTITION:inspector2:REGION:ACCOUNT:finding/ID (SPEC §10.1).
ArnParts parse_arn(const std::string& arn) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (int i = 0; i < 5; ++i) {
        const auto colon = arn.find(':', start);
        if (colon == std::string::npos) refuse("not an Inspector finding ARN: " + arn);
        parts.push_back(arn.substr(start, colon - start));
        start = colon + 1;
    }
    const std::string resource = arn.substr(start);
    if (parts[0] != "arn" || parts[1].empty() || parts[2] != "inspector2" || parts[3].empty() ||
        parts[4].empty() || resource.rfind("finding/", 0) != 0 || resource.size() == 8) {
        refuse("not an Inspector finding ARN: " + arn);
    }
    return {parts[3], parts[4]};
}

class Builder {
  public:
    explicit Builder(InspectorTables& tables) : tables_(tables) {}

    void add(const char* table, InspectorRow row) {
        const TableSpec& spec = spec_of(table);
        if (row.size() != spec.columns.size()) {
            throw std::logic_error(std::string("inspector reference: ") + table +
                                   " row with the wrong columns");
        }
        for (const auto& [column, kind] : spec.columns) {
            if (row.count(column) == 0) {
                throw std::logic_error(std::string("inspector reference: ") + table +
                                       " row without " + column);
            }
        }
        const std::string key = key_of(spec, row);
        if (!tables_[table].emplace(key, std::move(row)).second) {
            refuse(std::string(table) + " has two rows keyed " + key);
        }
    }

    // A list of strings as (finding_arn, ordinal, `column`) rows, numbered on from `ordinal`.
    void strings(const char* table, const char* column, const std::string& arn, const json* values,
                 const char* name, std::int64_t& ordinal) {
        for (const json& value : list(values, name)) {
            add(table, {{"finding_arn", arn},
                        {"ordinal", std::to_string(++ordinal)},
                        {column, text(&value, name)}});
        }
    }

  private:
    InspectorTables& tables_;
};

void add_finding(Builder& out, const json& f, const InspectorExpectation& expected) {
    const std::string arn = *text(member(f, {"findingArn"}), "findingArn");
    const ArnParts parts = parse_arn(arn);
    const json* code = member(f, {"codeVulnerabilityDetails"});
    const json* package = member(f, {"packageVulnerabilityDetails"});
    const json* network = member(f, {"networkReachabilityDetails"});
    const auto in = [](const json* parent, std::initializer_list<const char*> path) {
        return parent == nullptr ? nullptr : member(*parent, path);
    };
    const auto missing = expected.missing_since_us.find(arn);

    std::optional<std::string> account = text(member(f, {"awsAccountId"}), "awsAccountId");
    if (!account) account = parts.account;
    out.add("inspector_findings",
            {{"finding_arn", arn},
             {"aws_account_id", account},
             {"region", parts.region},
             {"type", text(member(f, {"type"}), "type")},
             {"title", text(member(f, {"title"}), "title")},
             {"description", text(member(f, {"description"}), "description")},
             {"severity", text(member(f, {"severity"}), "severity")},
             {"status", text(member(f, {"status"}), "status")},
             {"inspector_score", real(member(f, {"inspectorScore"}), "inspectorScore")},
             {"epss_score", real(member(f, {"epss", "score"}), "epss.score")},
             {"fix_available", text(member(f, {"fixAvailable"}), "fixAvailable")},
             {"exploit_available", text(member(f, {"exploitAvailable"}), "exploitAvailable")},
             {"last_known_exploit_at",
              micros_text(member(f, {"exploitabilityDetails", "lastKnownExploitAt"}))},
             {"first_observed_at", micros_text(member(f, {"firstObservedAt"}))},
             {"last_observed_at", micros_text(member(f, {"lastObservedAt"}))},
             {"updated_at", std::to_string(reference_version_us(f, expected.sync_time_us))},
             {"recommendation_text",
              text(member(f, {"remediation", "recommendation", "text"}), "recommendation.text")},
             {"recommendation_url",
              text(member(f, {"remediation", "recommendation", "Url"}), "recommendation.Url")},
             {"detector_id", text(in(code, {"detectorId"}), "detectorId")},
             {"detector_name", text(in(code, {"detectorName"}), "detectorName")},
             {"rule_id", text(in(code, {"ruleId"}), "ruleId")},
             {"file_name", text(in(code, {"filePath", "fileName"}), "filePath.fileName")},
             {"file_path", text(in(code, {"filePath", "filePath"}), "filePath.filePath")},
             {"start_line", integer(in(code, {"filePath", "startLine"}), "filePath.startLine")},
             {"end_line", integer(in(code, {"filePath", "endLine"}), "filePath.endLine")},
             {"source_lambda_layer_arn",
              text(in(code, {"sourceLambdaLayerArn"}), "sourceLambdaLayerArn")},
             {"vulnerability_id", text(in(package, {"vulnerabilityId"}), "vulnerabilityId")},
             {"vulnerability_source", text(in(package, {"source"}), "source")},
             {"vendor_severity", text(in(package, {"vendorSeverity"}), "vendorSeverity")},
             {"source_url", text(in(package, {"sourceUrl"}), "sourceUrl")},
             {"vendor_created_at", micros_text(in(package, {"vendorCreatedAt"}))},
             {"vendor_updated_at", micros_text(in(package, {"vendorUpdatedAt"}))},
             {"network_protocol", text(in(network, {"protocol"}), "protocol")},
             {"open_port_begin",
              integer(in(network, {"openPortRange", "begin"}), "openPortRange.begin")},
             {"open_port_end", integer(in(network, {"openPortRange", "end"}), "openPortRange.end")},
             {"missing_since", missing == expected.missing_since_us.end()
                                   ? std::nullopt
                                   : std::optional(std::to_string(missing->second))}});

    std::int64_t ordinal = 0;
    for (const json& r : list(member(f, {"resources"}), "resources")) {
        const json* repository = member(r, {"details", "codeRepository"});
        out.add("inspector_finding_resources",
                {{"finding_arn", arn},
                 {"ordinal", std::to_string(++ordinal)},
                 {"type", text(member(r, {"type"}), "resources.type")},
                 {"resource_id", text(member(r, {"id"}), "resources.id")},
                 {"partition", text(member(r, {"partition"}), "resources.partition")},
                 {"region", text(member(r, {"region"}), "resources.region")},
                 {"project_name", text(in(repository, {"projectName"}), "projectName")},
                 {"provider_type", text(in(repository, {"providerType"}), "providerType")},
                 {"integration_arn", text(in(repository, {"integrationArn"}), "integrationArn")},
                 {"details", json_text(member(r, {"details"}))},
                 {"tags", json_text(member(r, {"tags"}))}});
    }

    ordinal = 0;
    out.strings("inspector_finding_cwes", "cwe", arn, in(code, {"cwes"}), "cwes", ordinal);

    // A tag that repeats is stored once, with the position it first had (SPEC §5, §10.4).
    std::set<std::string> tags;
    ordinal = 0;
    for (const json& tag : list(in(code, {"detectorTags"}), "detectorTags")) {
        ++ordinal;
        const auto value = text(&tag, "detectorTags[]");
        if (!tags.insert(*value).second) continue;
        out.add("inspector_finding_detector_tags",
                {{"finding_arn", arn}, {"tag", value}, {"ordinal", std::to_string(ordinal)}});
    }

    // The code details' URLs, then the package details' (a finding has one of them).
    ordinal = 0;
    out.strings("inspector_finding_reference_urls", "url", arn, in(code, {"referenceUrls"}),
                "referenceUrls", ordinal);
    out.strings("inspector_finding_reference_urls", "url", arn, in(package, {"referenceUrls"}),
                "referenceUrls", ordinal);
    ordinal = 0;
    out.strings("inspector_finding_related_vulnerabilities", "related_id", arn,
                in(package, {"relatedVulnerabilities"}), "relatedVulnerabilities", ordinal);

    ordinal = 0;
    for (const json& p : list(in(package, {"vulnerablePackages"}), "vulnerablePackages")) {
        out.add("inspector_finding_packages",
                {{"finding_arn", arn},
                 {"ordinal", std::to_string(++ordinal)},
                 {"name", text(member(p, {"name"}), "name")},
                 {"version", text(member(p, {"version"}), "version")},
                 {"epoch", integer(member(p, {"epoch"}), "epoch")},
                 {"release", text(member(p, {"release"}), "release")},
                 {"arch", text(member(p, {"arch"}), "arch")},
                 {"package_manager", text(member(p, {"packageManager"}), "packageManager")},
                 {"file_path", text(member(p, {"filePath"}), "filePath")},
                 {"fixed_in_version", text(member(p, {"fixedInVersion"}), "fixedInVersion")},
                 {"remediation", text(member(p, {"remediation"}), "remediation")},
                 {"source_layer_hash", text(member(p, {"sourceLayerHash"}), "sourceLayerHash")},
                 {"source_lambda_layer_arn",
                  text(member(p, {"sourceLambdaLayerArn"}), "sourceLambdaLayerArn")}});
    }

    ordinal = 0;
    for (const json& c : list(in(package, {"cvss"}), "cvss")) {
        out.add("inspector_finding_cvss",
                {{"finding_arn", arn},
                 {"ordinal", std::to_string(++ordinal)},
                 {"base_score", real(member(c, {"baseScore"}), "cvss.baseScore")},
                 {"scoring_vector", text(member(c, {"scoringVector"}), "cvss.scoringVector")},
                 {"version", text(member(c, {"version"}), "cvss.version")},
                 {"source", text(member(c, {"source"}), "cvss.source")}});
    }

    ordinal = 0;
    for (const json& s : list(in(network, {"networkPath", "steps"}), "networkPath.steps")) {
        out.add("inspector_finding_network_path",
                {{"finding_arn", arn},
                 {"ordinal", std::to_string(++ordinal)},
                 {"component_id", text(member(s, {"componentId"}), "componentId")},
                 {"component_type", text(member(s, {"componentType"}), "componentType")},
                 {"component_arn", text(member(s, {"componentArn"}), "componentArn")}});
    }

    // Code lines and suggested fixes come from BatchGetCodeSnippet, for code findings only.
    const auto snippet = expected.snippets.find(arn);
    if (snippet == expected.snippets.end() || member(f, {"type"}) == nullptr ||
        *member(f, {"type"}) != "CODE_VULNERABILITY") {
        return;
    }
    std::set<std::int64_t> numbers;
    for (const json& line : list(member(snippet->second, {"codeSnippet"}), "codeSnippet")) {
        const auto number = integer(member(line, {"lineNumber"}), "codeSnippet[].lineNumber");
        // The line number is the key: a line without one cannot be stored; a repeat keeps
        // the first.
        if (!number || !numbers.insert(std::stoll(*number)).second) continue;
        out.add("inspector_finding_code_lines",
                {{"finding_arn", arn},
                 {"line_number", number},
                 {"content", text(member(line, {"content"}), "codeSnippet[].content")}});
    }
    ordinal = 0;
    for (const json& fix : list(member(snippet->second, {"suggestedFixes"}), "suggestedFixes")) {
        out.add(
            "inspector_finding_suggested_fixes",
            {{"finding_arn", arn},
             {"ordinal", std::to_string(++ordinal)},
             {"description", text(member(fix, {"description"}), "suggestedFixes[].description")},
             {"code", text(member(fix, {"code"}), "suggestedFixes[].code")}});
    }
}

std::string select_of(pqxx::work& tx, const char* column, Kind kind) {
    const std::string name = tx.quote_name(column);
    switch (kind) {
        case Kind::kText:
            return name;
        case Kind::kInteger:
        case Kind::kDouble:  // float8 prints the shortest exact text (PostgreSQL 12 and later)
        case Kind::kJson:
            return name + "::text";
        case Kind::kTimestamp:
            // extract() gives an exact numeric for timestamptz (PostgreSQL 14 and later).
            return "(extract(epoch FROM " + name + ") * 1000000)::bigint::text";
    }
    return name;
}

std::optional<std::string> normalized(const pqxx::field& field, Kind kind) {
    if (field.is_null()) return std::nullopt;
    const std::string value = field.as<std::string>();
    if (kind == Kind::kDouble) return double_text(std::strtod(value.c_str(), nullptr));
    if (kind == Kind::kJson) return json::parse(value).dump();
    return value;
}

std::string shown(const std::optional<std::string>& value) {
    if (!value) return "NULL";
    std::string text = "\"" + value->substr(0, 160) + "\"";
    if (value->size() > 160) text += "...";
    return text;
}

std::string shown(const InspectorRow& row) {
    std::string text;
    for (const auto& [column, value] : row) {
        if (text.size() > 400) return text + " ...";
        text += (text.empty() ? "" : " ") + column + "=" + shown(value);
    }
    return text;
}

}  // namespace

std::int64_t reference_version_us(const json& finding, std::optional<std::int64_t> sync_time_us) {
    if (const json* updated = member(finding, {"updatedAt"})) return reference_micros(*updated);
    if (const json* observed = member(finding, {"lastObservedAt"})) {
        return reference_micros(*observed);
    }
    if (!sync_time_us) {
        refuse("a finding has neither updatedAt nor lastObservedAt, and no sync time is given: " +
               finding.value("findingArn", std::string("(no ARN)")));
    }
    return *sync_time_us;
}

InspectorTables inspector_reference_tables(const InspectorExpectation& expected) {
    InspectorTables tables;
    for (const auto& spec : table_specs()) tables[spec.name];
    Builder out(tables);
    for (const json& finding : expected.findings) {
        if (!finding.is_object()) refuse("a finding is not an object: " + finding.dump());
        if (member(finding, {"findingArn"}) == nullptr) {
            refuse("a finding without findingArn is rejected, never stored: " + finding.dump());
        }
        add_finding(out, finding, expected);
    }
    for (const auto& [arn, when] : expected.missing_since_us) {
        if (tables["inspector_findings"].count(arn) == 0) {
            refuse("missing finding " + arn + " is not among the expected findings");
        }
    }
    return tables;
}

InspectorTables stored_inspector_tables(const std::string& conninfo, const std::string& schema) {
    pqxx::connection connection(conninfo);
    pqxx::work tx(connection);
    InspectorTables tables;
    for (const auto& spec : table_specs()) {
        std::string select;
        for (const auto& [column, kind] : spec.columns) {
            select += (select.empty() ? "" : ", ") + select_of(tx, column, kind);
        }
        auto& rows = tables[spec.name];
        for (const auto& result : tx.exec("SELECT " + select + " FROM " + tx.quote_name(schema) +
                                          "." + tx.quote_name(spec.name))) {
            InspectorRow row;
            for (std::size_t i = 0; i < spec.columns.size(); ++i) {
                row[spec.columns[i].first] =
                    normalized(result[static_cast<int>(i)], spec.columns[i].second);
            }
            std::string key = key_of(spec, row);
            rows.emplace(std::move(key), std::move(row));
        }
    }
    tx.commit();
    return tables;
}

InspectorTables restricted_to(const InspectorTables& tables, const std::set<std::string>& arns) {
    InspectorTables out;
    for (const auto& [table, rows] : tables) {
        auto& kept = out[table];
        for (const auto& [key, row] : rows) {
            const auto arn = row.find("finding_arn");
            if (arn != row.end() && arn->second && arns.count(*arn->second) > 0) {
                kept.emplace(key, row);
            }
        }
    }
    return out;
}

std::string difference(const InspectorTables& expected, const InspectorTables& stored,
                       std::size_t max_lines) {
    static const InspectorTable kNone;
    std::vector<std::string> lines;
    std::string counts;
    const auto note = [&](std::string line) {
        if (lines.size() < max_lines) lines.push_back(std::move(line));
    };
    for (const auto& spec : table_specs()) {
        const auto e = expected.find(spec.name);
        const auto s = stored.find(spec.name);
        const InspectorTable& want = e == expected.end() ? kNone : e->second;
        const InspectorTable& got = s == stored.end() ? kNone : s->second;
        if (want == got) continue;
        counts += std::string(spec.name) + ": expected " + std::to_string(want.size()) +
                  " row(s), stored " + std::to_string(got.size()) + "\n";
        auto w = want.begin();
        auto g = got.begin();
        while (w != want.end() || g != got.end()) {
            if (g == got.end() || (w != want.end() && w->first < g->first)) {
                note(std::string(spec.name) + " row " + w->first + ": missing (expected " +
                     shown(w->second) + ")");
                ++w;
            } else if (w == want.end() || g->first < w->first) {
                note(std::string(spec.name) + " row " + g->first + ": unexpected (stored " +
                     shown(g->second) + ")");
                ++g;
            } else {
                for (const auto& [column, kind] : spec.columns) {
                    const auto& a = w->second.at(column);
                    const auto& b = g->second.at(column);
                    if (a != b) {
                        note(std::string(spec.name) + " row " + w->first + " column " + column +
                             ": expected " + shown(a) + ", stored " + shown(b));
                    }
                }
                ++w;
                ++g;
            }
        }
    }
    if (lines.empty()) return "";
    std::string report;
    for (const auto& line : lines) report += line + "\n";
    return report + counts;
}

}  // namespace codeguru::test
