#include "reference_mapper.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <stdexcept>

namespace codeguru::test {
namespace {

using nlohmann::json;

constexpr char kReplacement[] = "\xEF\xBF\xBD";

[[noreturn]] void refuse(const std::string& what) {
    throw std::invalid_argument("reference mapper: " + what);
}

// Unicode Table 3-7, the well-formed byte sequences: lead byte range, second byte range,
// length (third and fourth bytes are always 80..BF).
struct Sequence {
    unsigned char lead_lo, lead_hi, second_lo, second_hi;
    std::size_t length;
};
constexpr Sequence kWellFormed[] = {
    {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3}, {0xE1, 0xEC, 0x80, 0xBF, 3},
    {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3}, {0xF0, 0xF0, 0x90, 0xBF, 4},
    {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
};

// The length of the well-formed sequence at `at`, 0 when none begins there.
std::size_t well_formed_length(std::string_view s, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    if (byte(at) < 0x80) return 1;
    for (const Sequence& q : kWellFormed) {
        if (byte(at) < q.lead_lo || byte(at) > q.lead_hi) continue;
        if (at + q.length > s.size()) return 0;
        if (byte(at + 1) < q.second_lo || byte(at + 1) > q.second_hi) return 0;
        for (std::size_t i = 2; i < q.length; ++i) {
            if (byte(at + i) < 0x80 || byte(at + i) > 0xBF) return 0;
        }
        return q.length;
    }
    return 0;
}

// `digits` (a decimal mantissa without its point) × 10^(point - digits.size()) × 10^6,
// rounded to the nearest integer, halves away from zero.
std::int64_t scaled_micros(bool negative, const std::string& digits, long point) {
    point += 6;
    std::int64_t whole = 0;
    for (long i = 0; i < point; ++i) {
        if (whole > 99'999'999'999'999'999) refuse("timestamp out of range");
        whole = whole * 10 + (i < static_cast<long>(digits.size()) ? digits[i] - '0' : 0);
    }
    const bool round_up = point >= 0 && point < static_cast<long>(digits.size()) &&
                          digits[static_cast<std::size_t>(point)] >= '5';
    whole += round_up ? 1 : 0;
    return negative ? -whole : whole;
}

// A JSON number's decimal text ("-12.5e+3" forms) to microseconds.
std::int64_t decimal_micros(const std::string& text) {
    std::size_t i = 0;
    const bool negative = i < text.size() && text[i] == '-';
    i += negative ? 1 : 0;
    std::string digits;
    long point = -1;
    for (; i < text.size() && text[i] != 'e' && text[i] != 'E'; ++i) {
        if (text[i] == '.') {
            point = static_cast<long>(digits.size());
        } else if (text[i] >= '0' && text[i] <= '9') {
            digits += text[i];
        } else {
            refuse("not a decimal number: " + text);
        }
    }
    if (point < 0) point = static_cast<long>(digits.size());
    if (i < text.size()) point += std::stol(text.substr(i + 1));
    return scaled_micros(negative, digits, point);
}

// "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm|-hh:mm|+hhmm|-hhmm]" (no offset: UTC).
std::int64_t iso8601_micros(const std::string& text) {
    std::size_t at = 0;
    const auto number = [&](std::size_t width) {
        int value = 0;
        for (std::size_t i = 0; i < width; ++i, ++at) {
            if (at >= text.size() || text[at] < '0' || text[at] > '9') {
                refuse("malformed ISO-8601 time: " + text);
            }
            value = value * 10 + (text[at] - '0');
        }
        return value;
    };
    const auto expect = [&](char c) {
        if (at >= text.size() || text[at] != c) refuse("malformed ISO-8601 time: " + text);
        ++at;
    };
    const int year = number(4);
    expect('-');
    const int month = number(2);
    expect('-');
    const int day = number(2);
    expect('T');
    const int hour = number(2);
    expect(':');
    const int minute = number(2);
    expect(':');
    const int second = number(2);
    std::string fraction = "0";
    if (at < text.size() && text[at] == '.') {
        for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at) {
            fraction += text[at];
        }
    }
    int offset_minutes = 0;
    if (at < text.size() && text[at] == 'Z') {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int sign = text[at++] == '-' ? -1 : 1;
        const int hours = number(2);
        if (at < text.size() && text[at] == ':') ++at;
        offset_minutes = sign * (hours * 60 + number(2));
    }
    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month),
                                           std::chrono::day(day)};
    if (at != text.size() || !date.ok() || hour > 23 || minute > 59 || second > 59) {
        refuse("malformed ISO-8601 time: " + text);
    }
    const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
    const std::int64_t seconds =
        days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    return seconds * 1'000'000 + decimal_micros("0." + fraction.substr(1));
}

// The member at `path` (each step an object member), nullptr when absent or null.
const json* member(const json& finding, const std::vector<const char*>& path) {
    const json* at = &finding;
    std::string name;
    for (const char* step : path) {
        if (!at->is_object()) refuse((name.empty() ? "a list entry" : name) + " is not an object");
        const auto it = at->find(step);
        if (it == at->end() || it->is_null()) return nullptr;
        name += (name.empty() ? "" : ".") + std::string(step);
        at = &*it;
    }
    return at;
}

std::optional<std::string> text_of(const json* value, const std::string& name) {
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) refuse(name + " is not a string");
    return reference_text(value->get_ref<const std::string&>());
}

std::optional<std::int64_t> integer_of(const json* value, const std::string& name) {
    if (value == nullptr) return std::nullopt;
    if (!value->is_number_integer()) refuse(name + " is not an integer");
    return value->get<std::int64_t>();
}

const json& list_of(const json* value, const std::string& name) {
    static const json kEmpty = json::array();
    if (value == nullptr) return kEmpty;
    if (!value->is_array()) refuse(name + " is not a list");
    return *value;
}

std::vector<std::string> strings_of(const json* value, const std::string& name) {
    std::vector<std::string> out;
    for (const json& item : list_of(value, name)) {
        if (!item.is_string()) refuse(name + "[] has an entry that is not a string");
        out.push_back(reference_text(item.get_ref<const std::string&>()));
    }
    return out;
}

// SPEC §5 column ← SPEC §2 member.
struct Column {
    const char* column;
    std::vector<const char*> path;
};
const std::vector<Column> kTextColumns = {
    {"title", {"title"}},
    {"description", {"description"}},
    {"type", {"type"}},
    {"status", {"status"}},
    {"severity", {"severity"}},
    {"generator_id", {"generatorId"}},
    {"detector_id", {"detectorId"}},
    {"detector_name", {"detectorName"}},
    {"rule_id", {"ruleId"}},
    {"resource_id", {"resource", "id"}},
    {"sub_resource_id", {"resource", "subResourceId"}},
    {"vulnerability_id", {"vulnerability", "id"}},
    {"file_name", {"vulnerability", "filePath", "name"}},
    {"file_path", {"vulnerability", "filePath", "path"}},
    {"recommendation_text", {"remediation", "recommendation", "text"}},
    {"recommendation_url", {"remediation", "recommendation", "url"}},
};
const std::vector<Column> kIntegerColumns = {
    {"item_count", {"vulnerability", "itemCount"}},
    {"start_line", {"vulnerability", "filePath", "startLine"}},
    {"end_line", {"vulnerability", "filePath", "endLine"}},
};

std::optional<std::string> decimal(std::optional<std::int64_t> value) {
    return value ? std::optional(std::to_string(*value)) : std::nullopt;
}

}  // namespace

std::string reference_text(std::string_view wire) {
    std::string out;
    for (std::size_t at = 0; at < wire.size();) {
        const std::size_t length = wire[at] == '\0' ? 0 : well_formed_length(wire, at);
        if (length == 0) {
            out += kReplacement;
            ++at;
        } else {
            out.append(wire.substr(at, length));
            at += length;
        }
    }
    return out;
}

std::int64_t reference_micros(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>() * 1'000'000;
    if (value.is_number_float()) return decimal_micros(value.dump());  // the text on the wire
    if (value.is_string()) return iso8601_micros(value.get<std::string>());
    refuse("a timestamp is neither a number nor a string: " + value.dump());
}

std::optional<ReferenceFinding> reference_finding(const json& wire) {
    if (!wire.is_object()) refuse("a finding is not an object: " + wire.dump());
    const auto id = text_of(member(wire, {"id"}), "id");
    if (!id) return std::nullopt;
    ReferenceFinding f;
    f.id = *id;
    const auto time = [&](const char* name) -> std::optional<std::int64_t> {
        const json* value = member(wire, {name});
        return value ? std::optional(reference_micros(*value)) : std::nullopt;
    };
    f.created_at_us = time("createdAt");
    f.updated_at_us = time("updatedAt");
    if (!f.updated_at_us) f.updated_at_us = f.created_at_us;
    for (const Column& c : kTextColumns) f.text[c.column] = text_of(member(wire, c.path), c.column);
    for (const Column& c : kIntegerColumns) {
        f.integers[c.column] = integer_of(member(wire, c.path), c.column);
    }

    for (std::string& tag : strings_of(member(wire, {"detectorTags"}), "detectorTags")) {
        if (std::find(f.tags.begin(), f.tags.end(), tag) == f.tags.end()) f.tags.push_back(tag);
    }
    std::set<std::int64_t> numbers;
    for (const json& line :
         list_of(member(wire, {"vulnerability", "filePath", "codeSnippet"}), "codeSnippet")) {
        const auto number = integer_of(member(line, {"number"}), "codeSnippet[].number");
        if (number && numbers.insert(*number).second) {
            f.code_lines.emplace_back(*number,
                                      text_of(member(line, {"content"}), "codeSnippet[].content"));
        }
    }
    for (const json& fix :
         list_of(member(wire, {"remediation", "suggestedFixes"}), "suggestedFixes")) {
        f.fixes.emplace_back(text_of(member(fix, {"description"}), "suggestedFixes[].description"),
                             text_of(member(fix, {"code"}), "suggestedFixes[].code"));
    }
    f.reference_urls =
        strings_of(member(wire, {"vulnerability", "referenceUrls"}), "referenceUrls");
    f.related = strings_of(member(wire, {"vulnerability", "relatedVulnerabilities"}),
                           "relatedVulnerabilities");
    return f;
}

ContractRows reference_rows(const std::string& scan, const std::vector<json>& findings) {
    ContractRows rows;
    for (const char* table :
         {"findings", "finding_versions", "finding_detector_tags", "finding_code_lines",
          "finding_suggested_fixes", "finding_reference_urls", "finding_related_vulnerabilities"}) {
        rows[table];
    }
    std::set<std::string> ids;
    for (const json& wire : findings) {
        const auto f = reference_finding(wire);
        if (!f) continue;
        if (!ids.insert(f->id).second) refuse("finding " + f->id + " is repeated");
        if (!f->updated_at_us) {
            refuse("finding " + f->id + " has neither updatedAt nor createdAt");
        }
        const ContractRow key = {{"scan_name", reference_text(scan)}, {"finding_id", f->id}};
        const auto with = [&](ContractRow more) {
            more.insert(key.begin(), key.end());
            return more;
        };
        ContractRow finding = with({{"created_at", decimal(f->created_at_us)},
                                    {"updated_at", decimal(f->updated_at_us)},
                                    {"missing_since", std::nullopt}});
        for (const auto& [column, value] : f->text) finding[column] = value;
        for (const auto& [column, value] : f->integers) finding[column] = decimal(value);
        rows["findings"].push_back(std::move(finding));
        rows["finding_versions"].push_back(with({{"updated_at", decimal(f->updated_at_us)},
                                                 {"status", f->text.at("status")},
                                                 {"severity", f->text.at("severity")},
                                                 {"title", f->text.at("title")}}));
        for (const auto& tag : f->tags)
            rows["finding_detector_tags"].push_back(with({{"tag", tag}}));
        for (const auto& [number, content] : f->code_lines) {
            rows["finding_code_lines"].push_back(
                with({{"line_number", std::to_string(number)}, {"content", content}}));
        }
        for (std::size_t i = 0; i < f->fixes.size(); ++i) {
            rows["finding_suggested_fixes"].push_back(with({{"ordinal", std::to_string(i + 1)},
                                                            {"description", f->fixes[i].first},
                                                            {"code", f->fixes[i].second}}));
        }
        for (std::size_t i = 0; i < f->reference_urls.size(); ++i) {
            rows["finding_reference_urls"].push_back(
                with({{"ordinal", std::to_string(i + 1)}, {"url", f->reference_urls[i]}}));
        }
        for (std::size_t i = 0; i < f->related.size(); ++i) {
            rows["finding_related_vulnerabilities"].push_back(
                with({{"ordinal", std::to_string(i + 1)}, {"related_id", f->related[i]}}));
        }
    }
    for (auto& [table, table_rows] : rows) std::sort(table_rows.begin(), table_rows.end());
    return rows;
}

void merge_rows(ContractRows& rows, const ContractRows& more) {
    for (const auto& [table, more_rows] : more) {
        auto& into = rows[table];
        into.insert(into.end(), more_rows.begin(), more_rows.end());
        std::sort(into.begin(), into.end());
    }
}

}  // namespace codeguru::test
