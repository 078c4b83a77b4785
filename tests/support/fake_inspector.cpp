#include "fake_inspector.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>
#include <stdexcept>
#include <unordered_set>
#include <variant>

#include "aws/crypto.hpp"

namespace codeguru::test {
namespace {

using nlohmann::json;

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kTokenKind = "inspector";
constexpr std::size_t kTokenFields = 5;  // kind, region, filter hash, resume seq, page number
constexpr std::size_t kMaxResults = 100;
constexpr std::size_t kMaxSnippetArns = 10;
constexpr std::size_t kMaxFilterEntries = 10;

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t n = (static_cast<unsigned char>(in[i]) << 16) |
                                (static_cast<unsigned char>(in[i + 1]) << 8) |
                                static_cast<unsigned char>(in[i + 2]);
        out += kBase64Alphabet[(n >> 18) & 63];
        out += kBase64Alphabet[(n >> 12) & 63];
        out += kBase64Alphabet[(n >> 6) & 63];
        out += kBase64Alphabet[n & 63];
    }
    if (i < in.size()) {
        std::uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size()) n |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kBase64Alphabet[(n >> 18) & 63];
        out += kBase64Alphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? kBase64Alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// Strict: standard alphabet, padded to a multiple of four.
std::optional<std::string> base64_decode(std::string_view in) {
    if (in.empty() || in.size() % 4 != 0) return std::nullopt;
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '=') {
            if (i < in.size() - 2) return std::nullopt;
            ++padding;
            continue;
        }
        if (padding > 0) return std::nullopt;
        const auto pos = kBase64Alphabet.find(c);
        if (pos == std::string_view::npos) return std::nullopt;
        buffer = (buffer << 6) | static_cast<std::uint32_t>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

template <class Number>
std::optional<Number> parse_number(const std::string& text) {
    Number n{};
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
    return n;
}

// Error replies in the shapes of botocore's inspector2 model.
FakeInspector::Reply error_reply(int status, std::string code, json body) {
    return {status, std::move(code), body.dump()};
}

FakeInspector::Reply field_error(const std::string& field, const std::string& message) {
    const std::string text = "1 validation error detected: " + message;
    return error_reply(400, "ValidationException",
                       {{"message", text},
                        {"reason", "FIELD_VALIDATION_FAILED"},
                        {"fields", {{{"name", field}, {"message", message}}}}});
}

FakeInspector::Reply constraint_error(const std::string& field, const json& value,
                                      const std::string& constraint) {
    const std::string shown = value.is_string() ? value.get<std::string>() : value.dump();
    return field_error(field, "Value '" + shown + "' at '" + field +
                                  "' failed to satisfy constraint: " + constraint);
}

FakeInspector::Reply cannot_parse() {
    return error_reply(400, "ValidationException",
                       {{"message", "Could not parse the request body as a JSON object"},
                        {"reason", "CANNOT_PARSE"}});
}

// A member of a finding by its path of keys; nullptr when any step is missing.
const json* member(const json& finding, const std::vector<const char*>& path) {
    const json* node = &finding;
    for (const char* key : path) {
        if (!node->is_object()) return nullptr;
        const auto it = node->find(key);
        if (it == node->end()) return nullptr;
        node = &*it;
    }
    return node;
}

struct FilterMember {
    std::string_view name;
    std::vector<const char*> path;
};

const std::vector<FilterMember>& string_members() {
    static const std::vector<FilterMember> kMembers = {
        {"findingArn", {"findingArn"}},
        {"awsAccountId", {"awsAccountId"}},
        {"findingType", {"type"}},
        {"findingStatus", {"status"}},
        {"severity", {"severity"}},
        {"title", {"title"}},
        {"fixAvailable", {"fixAvailable"}},
        {"exploitAvailable", {"exploitAvailable"}},
        {"vulnerabilityId", {"packageVulnerabilityDetails", "vulnerabilityId"}},
        {"codeVulnerabilityDetectorName", {"codeVulnerabilityDetails", "detectorName"}},
    };
    return kMembers;
}

const std::vector<FilterMember>& date_members() {
    static const std::vector<FilterMember> kMembers = {
        {"updatedAt", {"updatedAt"}},
        {"firstObservedAt", {"firstObservedAt"}},
        {"lastObservedAt", {"lastObservedAt"}},
    };
    return kMembers;
}

const std::vector<FilterMember>& number_members() {
    static const std::vector<FilterMember> kMembers = {
        {"inspectorScore", {"inspectorScore"}},
        {"epssScore", {"epss", "score"}},
    };
    return kMembers;
}

// FilterCriteria members of the real API that this fake does not evaluate.
bool known_but_unsupported(std::string_view name) {
    static const std::unordered_set<std::string_view> kNames = {"resourceType",
                                                                "resourceId",
                                                                "resourceTags",
                                                                "ec2InstanceImageId",
                                                                "ec2InstanceVpcId",
                                                                "ec2InstanceSubnetId",
                                                                "ecrImagePushedAt",
                                                                "ecrImageArchitecture",
                                                                "ecrImageRegistry",
                                                                "ecrImageRepositoryName",
                                                                "ecrImageTags",
                                                                "ecrImageHash",
                                                                "ecrImageLastInUseAt",
                                                                "ecrImageInUseCount",
                                                                "portRange",
                                                                "networkProtocol",
                                                                "componentId",
                                                                "componentType",
                                                                "vulnerabilitySource",
                                                                "vendorSeverity",
                                                                "vulnerablePackages",
                                                                "relatedVulnerabilities",
                                                                "lambdaFunctionName",
                                                                "lambdaFunctionLayers",
                                                                "lambdaFunctionRuntime",
                                                                "lambdaFunctionLastModifiedAt",
                                                                "lambdaFunctionExecutionRoleArn",
                                                                "codeVulnerabilityDetectorTags",
                                                                "codeVulnerabilityFilePath",
                                                                "codeRepositoryProjectName",
                                                                "codeRepositoryProviderType"};
    return kNames.count(name) > 0;
}

std::int64_t to_us(double seconds) {
    return std::llround(seconds * 1e6);
}

std::optional<std::int64_t> epoch_us(const json& value) {
    if (value.is_number_integer()) return value.get<std::int64_t>() * 1'000'000;
    if (value.is_number()) return to_us(value.get<double>());
    return std::nullopt;
}

// One filterCriteria member, compiled.
struct Condition {
    enum class Kind { kString, kDate, kNumber } kind;
    const std::vector<const char*>* path;
    std::vector<std::string> equals, prefixes, not_equals;                        // kString
    std::vector<std::pair<std::optional<double>, std::optional<double>>> ranges;  // others

    bool holds(const json& finding) const {
        const json* value = member(finding, *path);
        if (kind == Kind::kString) {
            const std::string* text = value != nullptr && value->is_string()
                                          ? &value->get_ref<const std::string&>()
                                          : nullptr;
            for (const auto& no : not_equals) {
                if (text != nullptr && *text == no) return false;
            }
            if (equals.empty() && prefixes.empty()) return true;
            if (text == nullptr) return false;
            for (const auto& yes : equals) {
                if (*text == yes) return true;
            }
            for (const auto& prefix : prefixes) {
                if (text->rfind(prefix, 0) == 0) return true;
            }
            return false;
        }
        if (value == nullptr) return false;
        for (const auto& [low, high] : ranges) {
            if (kind == Kind::kDate) {
                const auto at = epoch_us(*value);
                if (!at) return false;
                if ((!low || *at >= to_us(*low)) && (!high || *at <= to_us(*high))) return true;
            } else {
                if (!value->is_number()) return false;
                const double v = value->get<double>();
                if ((!low || v >= *low) && (!high || v <= *high)) return true;
            }
        }
        return false;
    }
};

// Compiles filterCriteria, or answers why it is invalid.
std::variant<std::vector<Condition>, FakeInspector::Reply> compile_filter(const json& criteria) {
    std::vector<Condition> conditions;
    if (!criteria.is_object()) {
        return constraint_error("filterCriteria", criteria, "Member must be a structure");
    }
    for (const auto& [name, list] : criteria.items()) {
        const std::string field = "filterCriteria." + name;
        const auto find_in = [&](const std::vector<FilterMember>& members) -> const FilterMember* {
            for (const auto& m : members) {
                if (m.name == name) return &m;
            }
            return nullptr;
        };
        Condition condition{};
        if (const auto* m = find_in(string_members())) {
            condition.kind = Condition::Kind::kString;
            condition.path = &m->path;
        } else if (const auto* d = find_in(date_members())) {
            condition.kind = Condition::Kind::kDate;
            condition.path = &d->path;
        } else if (const auto* n = find_in(number_members())) {
            condition.kind = Condition::Kind::kNumber;
            condition.path = &n->path;
        } else if (known_but_unsupported(name)) {
            return field_error(field, "The fake Inspector API does not evaluate " + name);
        } else {
            return field_error(field, "Unknown member " + name + " in filterCriteria");
        }
        if (!list.is_array() || list.empty() || list.size() > kMaxFilterEntries) {
            return constraint_error(field, list,
                                    "Member must be a list of length between 1 and 10");
        }
        for (const auto& entry : list) {
            if (!entry.is_object()) {
                return constraint_error(field, entry, "Member must be a structure");
            }
            if (condition.kind == Condition::Kind::kString) {
                for (const auto& [key, value] : entry.items()) {
                    if (key != "comparison" && key != "value") {
                        return field_error(field, "Unknown member " + key + " in StringFilter");
                    }
                }
                const auto comparison = entry.find("comparison");
                const auto value = entry.find("value");
                if (comparison == entry.end() || !comparison->is_string()) {
                    return field_error(field + ".comparison", "Member must not be null");
                }
                if (value == entry.end() || !value->is_string()) {
                    return field_error(field + ".value", "Member must not be null");
                }
                const std::string& text = value->get_ref<const std::string&>();
                if (text.empty() || text.size() > 1024) {
                    return constraint_error(field + ".value", *value,
                                            "Member must have length between 1 and 1024");
                }
                const std::string& how = comparison->get_ref<const std::string&>();
                if (how == "EQUALS") {
                    condition.equals.push_back(text);
                } else if (how == "PREFIX") {
                    condition.prefixes.push_back(text);
                } else if (how == "NOT_EQUALS") {
                    condition.not_equals.push_back(text);
                } else {
                    return constraint_error(field + ".comparison", *comparison,
                                            "Member must satisfy enum value set: [EQUALS, "
                                            "PREFIX, NOT_EQUALS]");
                }
                continue;
            }
            const bool date = condition.kind == Condition::Kind::kDate;
            const char* low_key = date ? "startInclusive" : "lowerInclusive";
            const char* high_key = date ? "endInclusive" : "upperInclusive";
            std::pair<std::optional<double>, std::optional<double>> range;
            for (const auto& [key, value] : entry.items()) {
                if (key != low_key && key != high_key) {
                    return field_error(field, "Unknown member " + key + " in " +
                                                  (date ? "DateFilter" : "NumberFilter"));
                }
                if (!value.is_number()) {
                    return constraint_error(field + "." + key, value,
                                            date ? "Member must be a timestamp in epoch seconds"
                                                 : "Member must be a number");
                }
                (key == low_key ? range.first : range.second) = value.get<double>();
            }
            condition.ranges.push_back(range);
        }
        conditions.push_back(std::move(condition));
    }
    return conditions;
}

// filterCriteria as the service reads it, for binding tokens: date bounds as integer µs and
// number bounds as doubles, so that 1758000000 and 1758000000.0 are the same filter.
// REQUIRES: `criteria` passed compile_filter.
json canonical_filter(const json& criteria) {
    json out = criteria;
    for (auto& [name, list] : out.items()) {
        const bool date = std::any_of(date_members().begin(), date_members().end(),
                                      [&](const FilterMember& m) { return m.name == name; });
        for (auto& entry : list) {
            for (auto& [key, value] : entry.items()) {
                if (!value.is_number()) continue;
                value = date ? json(to_us(value.get<double>())) : json(value.get<double>());
            }
        }
    }
    return out;
}

bool matches(const json& finding, const std::vector<Condition>& conditions) {
    return std::all_of(conditions.begin(), conditions.end(),
                       [&](const Condition& c) { return c.holds(finding); });
}

// The region a finding is served in: its ARN's, else its first resource's; "" for all.
std::string region_of(const json& finding) {
    if (const auto arn = finding.find("findingArn"); arn != finding.end() && arn->is_string()) {
        std::string region = arn_region(arn->get<std::string>());
        if (!region.empty()) return region;
    }
    if (const json* resources = member(finding, {"resources"});
        resources != nullptr && resources->is_array() && !resources->empty()) {
        if (const json* region = member((*resources)[0], {"region"});
            region != nullptr && region->is_string()) {
            return region->get<std::string>();
        }
    }
    return "";
}

std::string arn_of(const json& finding) {
    const auto arn = finding.find("findingArn");
    return arn != finding.end() && arn->is_string() ? arn->get<std::string>() : std::string();
}

bool valid_finding_arn(const std::string& arn) {
    static const std::regex kPattern(
        R"(arn:(aws[a-zA-Z-]*)?:inspector2:[a-z]{2}(-gov)?-[a-z]+-\d{1}:\d{12}:finding/[a-f0-9]{32})");
    return arn.size() <= 100 && std::regex_match(arn, kPattern);
}

std::string snippet_error_message(const std::string& code, const std::string& arn) {
    if (code == "CODE_SNIPPET_NOT_FOUND") return "No code snippet found for finding " + arn;
    if (code == "ACCESS_DENIED") return "You do not have access to finding " + arn;
    if (code == "INTERNAL_ERROR") return "An internal error occurred. Please try again.";
    return "The finding ARN " + arn + " is not valid for this request";
}

}  // namespace

std::string encode_page_token(const std::vector<std::string>& fields, std::mt19937_64& rng) {
    std::string head = "v1|";
    for (const auto& field : fields) head += field + "|";
    for (;;) {
        std::string padding;
        const std::size_t length = 20 + rng() % 12;
        for (std::size_t i = 0; i < length; ++i) padding += static_cast<char>(rng() & 0xff);
        std::string token = base64_encode(head + padding);
        if (token.find('+') != std::string::npos && token.find('/') != std::string::npos &&
            token.back() == '=') {
            return token;
        }
    }
}

std::optional<std::vector<std::string>> decode_page_token(std::string_view token,
                                                          std::size_t count) {
    const auto decoded = base64_decode(token);
    if (!decoded || decoded->rfind("v1|", 0) != 0) return std::nullopt;
    std::vector<std::string> fields;
    std::size_t start = 3;
    for (std::size_t i = 0; i < count; ++i) {
        const auto bar = decoded->find('|', start);
        if (bar == std::string::npos) return std::nullopt;
        fields.push_back(decoded->substr(start, bar - start));
        start = bar + 1;
    }
    return fields;
}

FakeInspector::Reply FakeInspector::invalid_token() {
    return error_reply(400, "ValidationException",
                       {{"message", "Invalid nextToken"},
                        {"reason", "FIELD_VALIDATION_FAILED"},
                        {"fields", {{{"name", "nextToken"}, {"message", "Invalid nextToken"}}}}});
}

FakeInspector::FakeInspector(std::uint64_t seed) : seed_(seed), rng_(seed ^ 0x51ed2705ULL) {}

void FakeInspector::replace_locked(std::vector<json> findings) {
    std::unordered_map<std::string, std::uint64_t> old_seq;
    // By the ARN index: evolve() has moved the findings out of entries_ already.
    for (const auto& [arn, index] : by_arn_) old_seq.emplace(arn, entries_[index].seq);
    entries_.clear();
    by_arn_.clear();
    entries_.reserve(findings.size());
    std::uint64_t last = 0;
    for (auto& finding : findings) {
        const std::string arn = arn_of(finding);
        const auto old = arn.empty() ? old_seq.end() : old_seq.find(arn);
        const std::uint64_t seq =
            old != old_seq.end() && old->second > last ? old->second : next_seq_++;
        last = seq;
        if (!arn.empty()) by_arn_.emplace(arn, entries_.size());
        std::string region = region_of(finding);
        entries_.push_back(Entry{seq, std::move(region), std::move(finding), {}});
    }
}

void FakeInspector::set_findings(std::vector<json> findings) {
    std::lock_guard lock(mutex_);
    snippet_overrides_.clear();
    replace_locked(std::move(findings));
}

std::vector<json> FakeInspector::findings() const {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    out.reserve(entries_.size());
    for (const auto& e : entries_) out.push_back(e.finding);
    return out;
}

std::vector<json> FakeInspector::findings(const std::string& region) const {
    std::lock_guard lock(mutex_);
    std::vector<json> out;
    for (const auto& e : entries_) {
        if (e.region.empty() || e.region == region) out.push_back(e.finding);
    }
    return out;
}

InspectorEvolveSummary FakeInspector::evolve(std::uint64_t seed,
                                             const InspectorEvolveOptions& options,
                                             std::chrono::system_clock::time_point now) {
    std::lock_guard lock(mutex_);
    std::vector<json> findings;
    findings.reserve(entries_.size());
    for (auto& e : entries_) findings.push_back(std::move(e.finding));
    InspectorEvolveSummary summary = evolve_inspector_findings(findings, seed, options, now);
    for (const auto& arn : summary.removed_arns) snippet_overrides_.erase(arn);
    replace_locked(std::move(findings));
    return summary;
}

void FakeInspector::set_snippet(const std::string& arn, json result) {
    std::lock_guard lock(mutex_);
    snippet_overrides_[arn] = std::move(result);
}

void FakeInspector::remove_snippet(const std::string& arn) {
    std::lock_guard lock(mutex_);
    snippet_overrides_[arn] = std::nullopt;
}

std::optional<json> FakeInspector::snippet(const std::string& arn) const {
    std::lock_guard lock(mutex_);
    if (const auto it = snippet_overrides_.find(arn); it != snippet_overrides_.end()) {
        return it->second;
    }
    const auto it = by_arn_.find(arn);
    if (it == by_arn_.end()) return std::nullopt;
    const json& finding = entries_[it->second].finding;
    if (finding.value("type", "") != "CODE_VULNERABILITY") return std::nullopt;
    return generate_code_snippet(finding, seed_);
}

void FakeInspector::set_snippet_error(const std::string& arn, const std::string& code,
                                      std::size_t count) {
    if (std::find(std::begin(kSnippetErrorCodes), std::end(kSnippetErrorCodes), code) ==
        std::end(kSnippetErrorCodes)) {
        throw std::invalid_argument("unknown code snippet error code '" + code + "'");
    }
    std::lock_guard lock(mutex_);
    snippet_errors_[arn] = {code, count};
}

void FakeInspector::clear_snippet_errors() {
    std::lock_guard lock(mutex_);
    snippet_errors_.clear();
}

void FakeInspector::set_empty_page_every(std::size_t n) {
    if (n == 1) throw std::invalid_argument("an empty page on every page would never end");
    std::lock_guard lock(mutex_);
    empty_page_every_ = n;
}

FakeInspector::Reply FakeInspector::list_findings(const std::string& region, const json& request,
                                                  PageBend bend, std::size_t pad_to) {
    if (request.is_discarded() || !(request.is_object() || request.is_null())) {
        return cannot_parse();
    }
    const json body = request.is_null() ? json::object() : request;
    for (const auto& [key, value] : body.items()) {
        if (key == "sortCriteria") {
            return field_error(key, "The fake Inspector API does not implement sortCriteria");
        }
        if (key != "maxResults" && key != "nextToken" && key != "filterCriteria") {
            return field_error(key, "Unknown member " + key + " in ListFindingsRequest");
        }
    }
    std::size_t page_size = kMaxResults;
    if (const auto it = body.find("maxResults"); it != body.end()) {
        if (!it->is_number_integer()) {
            return constraint_error("maxResults", *it, "Member must be an integer");
        }
        const auto n = it->get<std::int64_t>();
        if (n < 1) {
            return constraint_error("maxResults", *it,
                                    "Member must have value greater than or equal to 1");
        }
        if (n > static_cast<std::int64_t>(kMaxResults)) {
            return constraint_error("maxResults", *it,
                                    "Member must have value less than or equal to 100");
        }
        page_size = static_cast<std::size_t>(n);
    }
    std::optional<std::string> sent_token;
    if (const auto it = body.find("nextToken"); it != body.end()) {
        if (!it->is_string()) return constraint_error("nextToken", *it, "Member must be a string");
        if (!it->get_ref<const std::string&>().empty()) sent_token = it->get<std::string>();
    }
    const json criteria = body.value("filterCriteria", json::object());
    auto compiled = compile_filter(criteria);
    if (const auto* error = std::get_if<Reply>(&compiled)) return *error;
    const auto& conditions = std::get<std::vector<Condition>>(compiled);
    // The token is bound to what selects the findings: the region and the filter.
    const std::string filter_hash =
        aws::sha256_hex(region + "\n" + canonical_filter(criteria).dump()).substr(0, 16);

    std::uint64_t resume = 0;
    std::uint64_t page = 1;
    if (sent_token) {
        const auto fields = decode_page_token(*sent_token, kTokenFields);
        if (!fields || (*fields)[0] != kTokenKind || (*fields)[1] != region ||
            (*fields)[2] != filter_hash) {
            return invalid_token();
        }
        const auto seq = parse_number<std::uint64_t>((*fields)[3]);
        const auto number = parse_number<std::uint64_t>((*fields)[4]);
        if (!seq || !number) return invalid_token();
        resume = *seq;
        page = *number;
    }

    std::lock_guard lock(mutex_);
    const auto token = [&](std::uint64_t next_resume) {
        return json(encode_page_token({std::string(kTokenKind), region, filter_hash,
                                       std::to_string(next_resume), std::to_string(page + 1)},
                                      rng_))
            .dump();
    };
    const auto visible = [&](const Entry& e) {
        return (e.region.empty() || e.region == region) && matches(e.finding, conditions);
    };
    auto it = std::lower_bound(entries_.begin(), entries_.end(), resume,
                               [](const Entry& e, std::uint64_t seq) { return e.seq < seq; });

    std::string out = "{\"findings\":[";
    const bool empty_page = empty_page_every_ > 1 && page % empty_page_every_ == 0 &&
                            std::any_of(it, entries_.end(), visible);
    std::size_t taken = 0;
    std::uint64_t next_resume = resume;
    bool more = false;
    if (!empty_page) {
        for (; it != entries_.end(); ++it) {
            if (!visible(*it)) continue;
            if (taken == page_size) {
                more = true;
                break;
            }
            if (it->serialized.empty()) it->serialized = it->finding.dump();
            if (taken++ > 0) out += ',';
            out += it->serialized;
            next_resume = it->seq + 1;
        }
    }
    if (bend == PageBend::kOversizedPage) {
        for (std::size_t n = taken; n < pad_to; ++n) out += n > 0 ? ",{}" : "{}";
    }
    out += ']';
    if (bend == PageBend::kRepeatToken && sent_token) {
        out += ",\"nextToken\":" + json(*sent_token).dump();
    } else if (empty_page || more) {
        out += ",\"nextToken\":" + token(next_resume);
    } else if (bend == PageBend::kEndlessPages) {
        out += ",\"nextToken\":" + token(next_seq_);
    }
    out += '}';
    return {200, "", std::move(out)};
}

FakeInspector::Reply FakeInspector::batch_get_code_snippet(const std::string& region,
                                                           const json& request) {
    if (request.is_discarded() || !(request.is_object() || request.is_null())) {
        return cannot_parse();
    }
    const json body = request.is_null() ? json::object() : request;
    for (const auto& [key, value] : body.items()) {
        if (key != "findingArns") {
            return field_error(key, "Unknown member " + key + " in BatchGetCodeSnippetRequest");
        }
    }
    const auto arns = body.find("findingArns");
    if (arns == body.end()) return field_error("findingArns", "Member must not be null");
    if (!arns->is_array() || arns->empty() || arns->size() > kMaxSnippetArns) {
        return constraint_error("findingArns", *arns, "Member must have length between 1 and 10");
    }
    for (const auto& arn : *arns) {
        if (!arn.is_string() || !valid_finding_arn(arn.get<std::string>())) {
            return constraint_error("findingArns", arn,
                                    "Member must satisfy regular expression pattern: "
                                    "arn:(aws[a-zA-Z-]*)?:inspector2:[a-z]{2}(-gov)?-[a-z]+-"
                                    "\\d{1}:\\d{12}:finding/[a-f0-9]{32}");
        }
    }

    json results = json::array();
    json errors = json::array();
    std::unordered_set<std::string> seen;
    for (const auto& item : *arns) {
        const std::string arn = item.get<std::string>();
        if (!seen.insert(arn).second) continue;
        std::string code;
        {
            std::lock_guard lock(mutex_);
            if (const auto e = snippet_errors_.find(arn); e != snippet_errors_.end()) {
                code = e->second.code;
                if (e->second.remaining != 0 && --e->second.remaining == 0) {
                    snippet_errors_.erase(e);
                }
            }
        }
        std::optional<json> result;
        if (code.empty()) {
            if (arn_region(arn) == region) result = snippet(arn);
            if (!result) code = "CODE_SNIPPET_NOT_FOUND";
        }
        if (result) {
            results.push_back(std::move(*result));
        } else {
            errors.push_back({{"findingArn", arn},
                              {"errorCode", code},
                              {"errorMessage", snippet_error_message(code, arn)}});
        }
    }
    return {200, "", json{{"codeSnippetResults", results}, {"errors", errors}}.dump()};
}

}  // namespace codeguru::test
