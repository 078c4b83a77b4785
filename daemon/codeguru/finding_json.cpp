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

// What a member holds, for its warning: nlohmann's type names.
enum class Shape { kNull, kBoolean, kNumber, kString, kObject, kArray };

const char* shape_name(Shape shape) {
    switch (shape) {
        case Shape::kNull:
            return "null";
        case Shape::kBoolean:
            return "boolean";
        case Shape::kNumber:
            return "number";
        case Shape::kString:
            return "string";
        case Shape::kObject:
            return "object";
        case Shape::kArray:
            return "array";
    }
    return "value";
}

// One scalar as the parser delivered it.
struct Scalar {
    enum class Kind { kNull, kBoolean, kSigned, kUnsigned, kFloat, kString } kind;
    bool boolean = false;
    std::int64_t signed_value = 0;
    std::uint64_t unsigned_value = 0;
    double float_value = 0;
    std::string* text = nullptr;

    Shape shape() const {
        switch (kind) {
            case Kind::kNull:
                return Shape::kNull;
            case Kind::kBoolean:
                return Shape::kBoolean;
            case Kind::kString:
                return Shape::kString;
            default:
                return Shape::kNumber;
        }
    }
};

// The objects and lists of the API shape the mapper walks, plus the answer around them.
enum class Kind {
    kAnswer,
    kFindings,
    kFinding,
    kResource,
    kRemediation,
    kRecommendation,
    kFixes,
    kFix,
    kVulnerability,
    kFilePath,
    kSnippet,
    kLine,
    kTextList,
    kSkip
};

// How a member is read: into which field, as what.
struct Member {
    enum class As { kIgnore, kText, kInteger, kTime, kTextList, kObject, kObjectList } as;
    void* field = nullptr;     // std::optional<...> of the model
    Kind child = Kind::kSkip;  // the object, or a list's element, for kObject/kObjectList
};

// A page mapped straight from the parser's events into the model (nlohmann's SAX
// interface): no JSON tree is built, which halves the cost of a page. Every member is read
// as finding_from_json() documents: tolerant of types, a wrong one left out with a warning
// naming its path; JSON null is the same as absent; a repeated member's last value wins.
class FindingsMapper {
  public:
    // `single`: the document is one Finding object rather than a GetFindings answer.
    // `max_findings`: entries of `findings` allowed (0: no limit).
    FindingsMapper(ParsedFindingsPage& out, bool single, std::size_t max_findings)
        : out_(out), single_(single), max_findings_(max_findings) {}

    const std::string& error() const { return error_; }
    bool oversized() const { return oversized_; }

    bool null() { return scalar({Scalar::Kind::kNull}); }
    bool boolean(bool value) {
        Scalar s{Scalar::Kind::kBoolean};
        s.boolean = value;
        return scalar(s);
    }
    bool number_integer(std::int64_t value) {
        Scalar s{Scalar::Kind::kSigned};
        s.signed_value = value;
        return scalar(s);
    }
    bool number_unsigned(std::uint64_t value) {
        Scalar s{Scalar::Kind::kUnsigned};
        s.unsigned_value = value;
        return scalar(s);
    }
    bool number_float(double value, const std::string& /*text*/) {
        Scalar s{Scalar::Kind::kFloat};
        s.float_value = value;
        return scalar(s);
    }
    bool string(std::string& value) {
        Scalar s{Scalar::Kind::kString};
        s.text = &value;
        return scalar(s);
    }
    bool binary(json::binary_t& /*value*/) { return true; }  // never produced by JSON text

    bool key(std::string& name) {
        stack_.back().key = std::move(name);
        return true;
    }

    bool start_object(std::size_t /*size*/) { return structure(Shape::kObject); }
    bool start_array(std::size_t /*size*/) { return structure(Shape::kArray); }
    bool end_object() { return end(); }
    bool end_array() { return end(); }

    bool parse_error(std::size_t /*position*/, const std::string& /*token*/,
                     const nlohmann::detail::exception& /*error*/) {
        return false;
    }

  private:
    struct Frame {
        Kind kind;
        void* target;  // the model object being filled, or the list for list frames
        // The frame's place in its parent: a member name, or an element index. Paths for
        // warnings are built from these only when a warning needs one.
        std::string label;
        bool is_element;
        std::size_t element;
        std::string key;        // the member being read, in object frames
        std::size_t index = 0;  // the next element's index, in list frames
    };

    static constexpr char kFindingsNotList[] = "GetFindings answer: `findings` is not a list";
    static constexpr char kTokenNotString[] = "GetFindings answer: `nextToken` is not a string";

    // Stops the parse; map_json() throws `message`.
    bool fail(const char* message) {
        error_ = message;
        return false;
    }
    bool fail_not_object() {
        return fail(single_ ? "a finding is not a JSON object"
                            : "GetFindings answer is not a JSON object");
    }
    // Before each entry of `findings`: stops the parse at the first entry past the limit,
    // so a page of millions of entries never becomes millions of findings.
    bool entry_allowed(const Frame& findings) {
        if (max_findings_ == 0 || findings.index < max_findings_) return true;
        oversized_ = true;
        error_ = "GetFindings returned more than " + std::to_string(max_findings_) +
                 " findings (maxResults=" + std::to_string(max_findings_) + ")";
        return false;
    }
    // Whether another warning fits in the page's kMaxWarningsPerPage; counts it if not.
    bool warning_fits() {
        if (out_.warnings.size() + warnings_.size() < kMaxWarningsPerPage) return true;
        ++out_.more_warnings;
        return false;
    }

    // The dotted path of `frame`, relative to its finding: "vulnerability.filePath".
    std::string path_of(const Frame& frame) const {
        const std::size_t end = static_cast<std::size_t>(&frame - stack_.data()) + 1;
        std::size_t begin = end;
        while (begin > 0 && stack_[begin - 1].kind != Kind::kFinding) --begin;
        std::string path;
        for (std::size_t i = begin; i < end; ++i) {
            if (stack_[i].is_element) {
                path += "[" + std::to_string(stack_[i].element) + "]";
            } else {
                if (!path.empty()) path += '.';
                path += stack_[i].label;
            }
        }
        return path;
    }
    std::string member_path(const Frame& frame) const {
        std::string path = path_of(frame);
        return path.empty() ? frame.key : path + "." + frame.key;
    }
    std::string element_path(const Frame& list) const {
        return path_of(list) + "[" + std::to_string(list.index) + "]";
    }

    void warn(const std::string& path, Shape got, const char* expected) {
        if (!warning_fits()) return;
        warnings_.push_back(path + " is " + shape_name(got) + ", expected " + expected +
                            "; left out");
    }

    Member member_of(const Frame& frame) {
        using namespace std::string_view_literals;
        const std::string_view k = frame.key;
        using As = Member::As;
        switch (frame.kind) {
            case Kind::kFinding: {
                auto* f = static_cast<Finding*>(frame.target);
                if (k == "id"sv) return {As::kText, &f->id};
                if (k == "createdAt"sv) return {As::kTime, &f->created_at};
                if (k == "updatedAt"sv) return {As::kTime, &f->updated_at};
                if (k == "title"sv) return {As::kText, &f->title};
                if (k == "description"sv) return {As::kText, &f->description};
                if (k == "type"sv) return {As::kText, &f->type};
                if (k == "status"sv) return {As::kText, &f->status};
                if (k == "severity"sv) return {As::kText, &f->severity};
                if (k == "generatorId"sv) return {As::kText, &f->generator_id};
                if (k == "detectorId"sv) return {As::kText, &f->detector_id};
                if (k == "detectorName"sv) return {As::kText, &f->detector_name};
                if (k == "detectorTags"sv) return {As::kTextList, &f->detector_tags};
                if (k == "ruleId"sv) return {As::kText, &f->rule_id};
                if (k == "resource"sv) return {As::kObject, &f->resource, Kind::kResource};
                if (k == "remediation"sv) return {As::kObject, &f->remediation, Kind::kRemediation};
                if (k == "vulnerability"sv) {
                    return {As::kObject, &f->vulnerability, Kind::kVulnerability};
                }
                break;
            }
            case Kind::kResource: {
                auto* r = static_cast<Resource*>(frame.target);
                if (k == "id"sv) return {As::kText, &r->id};
                if (k == "subResourceId"sv) return {As::kText, &r->sub_resource_id};
                break;
            }
            case Kind::kRemediation: {
                auto* r = static_cast<Remediation*>(frame.target);
                if (k == "recommendation"sv) {
                    return {As::kObject, &r->recommendation, Kind::kRecommendation};
                }
                if (k == "suggestedFixes"sv)
                    return {As::kObjectList, &r->suggested_fixes, Kind::kFix};
                break;
            }
            case Kind::kRecommendation: {
                auto* r = static_cast<Recommendation*>(frame.target);
                if (k == "text"sv) return {As::kText, &r->text};
                if (k == "url"sv) return {As::kText, &r->url};
                break;
            }
            case Kind::kFix: {
                auto* f = static_cast<SuggestedFix*>(frame.target);
                if (k == "description"sv) return {As::kText, &f->description};
                if (k == "code"sv) return {As::kText, &f->code};
                break;
            }
            case Kind::kVulnerability: {
                auto* v = static_cast<Vulnerability*>(frame.target);
                if (k == "id"sv) return {As::kText, &v->id};
                if (k == "itemCount"sv) return {As::kInteger, &v->item_count};
                if (k == "referenceUrls"sv) return {As::kTextList, &v->reference_urls};
                if (k == "relatedVulnerabilities"sv) {
                    return {As::kTextList, &v->related_vulnerabilities};
                }
                if (k == "filePath"sv) return {As::kObject, &v->file_path, Kind::kFilePath};
                break;
            }
            case Kind::kFilePath: {
                auto* p = static_cast<FilePath*>(frame.target);
                if (k == "name"sv) return {As::kText, &p->name};
                if (k == "path"sv) return {As::kText, &p->path};
                if (k == "startLine"sv) return {As::kInteger, &p->start_line};
                if (k == "endLine"sv) return {As::kInteger, &p->end_line};
                if (k == "codeSnippet"sv) return {As::kObjectList, &p->code_snippet, Kind::kLine};
                break;
            }
            case Kind::kLine: {
                auto* l = static_cast<CodeLine*>(frame.target);
                if (k == "number"sv) return {As::kInteger, &l->number};
                if (k == "content"sv) return {As::kText, &l->content};
                break;
            }
            default:
                break;
        }
        return {As::kIgnore};
    }

    // Starts (or, for null and wrong shapes, clears) the optional object `field` of kind
    // `kind`, returning the object to fill.
    static void* emplace(Kind kind, void* field) {
        switch (kind) {
            case Kind::kResource:
                return &static_cast<std::optional<Resource>*>(field)->emplace();
            case Kind::kRemediation:
                return &static_cast<std::optional<Remediation>*>(field)->emplace();
            case Kind::kRecommendation:
                return &static_cast<std::optional<Recommendation>*>(field)->emplace();
            case Kind::kVulnerability:
                return &static_cast<std::optional<Vulnerability>*>(field)->emplace();
            case Kind::kFilePath:
                return &static_cast<std::optional<FilePath>*>(field)->emplace();
            case Kind::kFix:  // the list of fixes
                return &static_cast<std::optional<std::vector<SuggestedFix>>*>(field)->emplace();
            case Kind::kLine:  // the list of code lines
                return &static_cast<std::optional<std::vector<CodeLine>>*>(field)->emplace();
            default:
                return nullptr;
        }
    }
    static void clear(Kind kind, void* field) {
        switch (kind) {
            case Kind::kResource:
                return static_cast<std::optional<Resource>*>(field)->reset();
            case Kind::kRemediation:
                return static_cast<std::optional<Remediation>*>(field)->reset();
            case Kind::kRecommendation:
                return static_cast<std::optional<Recommendation>*>(field)->reset();
            case Kind::kVulnerability:
                return static_cast<std::optional<Vulnerability>*>(field)->reset();
            case Kind::kFilePath:
                return static_cast<std::optional<FilePath>*>(field)->reset();
            case Kind::kFix:
                return static_cast<std::optional<std::vector<SuggestedFix>>*>(field)->reset();
            case Kind::kLine:
                return static_cast<std::optional<std::vector<CodeLine>>*>(field)->reset();
            default:
                return;
        }
    }
    // Appends an element to a list frame's list, returning it.
    static void* append(const Frame& list) {
        switch (list.kind) {
            case Kind::kFindings:
                return &static_cast<std::vector<Finding>*>(list.target)->emplace_back();
            case Kind::kFixes:
                return &static_cast<std::vector<SuggestedFix>*>(list.target)->emplace_back();
            case Kind::kSnippet:
                return &static_cast<std::vector<CodeLine>*>(list.target)->emplace_back();
            default:
                return nullptr;
        }
    }

    // The read_* functions return what was expected when the value cannot be read (the
    // field is then left out), nullptr otherwise.
    static const char* read_text(std::optional<std::string>& field, const Scalar& s) {
        switch (s.kind) {
            case Scalar::Kind::kNull:
                field.reset();
                return nullptr;
            case Scalar::Kind::kString:
                field = std::move(*s.text);
                return nullptr;
            // Numbers and booleans keep their value, as text.
            case Scalar::Kind::kBoolean:
                field = s.boolean ? "true" : "false";
                return nullptr;
            case Scalar::Kind::kSigned:
                field = std::to_string(s.signed_value);
                return nullptr;
            case Scalar::Kind::kUnsigned:
                field = std::to_string(s.unsigned_value);
                return nullptr;
            case Scalar::Kind::kFloat:
                field = json(s.float_value).dump();
                return nullptr;
        }
        return "a string";
    }

    static const char* read_integer(std::optional<std::int64_t>& field, const Scalar& s) {
        field.reset();
        switch (s.kind) {
            case Scalar::Kind::kNull:
                return nullptr;
            case Scalar::Kind::kSigned:
                field = s.signed_value;
                return nullptr;
            case Scalar::Kind::kUnsigned:
                if (s.unsigned_value <=
                    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
                    field = static_cast<std::int64_t>(s.unsigned_value);
                    return nullptr;
                }
                return "a 64-bit integer";
            case Scalar::Kind::kFloat: {
                const double d = s.float_value;
                if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
                    field = static_cast<std::int64_t>(d);
                    return nullptr;
                }
                break;
            }
            case Scalar::Kind::kString: {
                const std::string& t = *s.text;
                std::int64_t value = 0;
                const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
                if (ec == std::errc() && end == t.data() + t.size() && !t.empty()) {
                    field = value;
                    return nullptr;
                }
                break;
            }
            case Scalar::Kind::kBoolean:
                break;
        }
        return "an integer";
    }

    static const char* read_time(std::optional<Timestamp>& field, const Scalar& s) {
        field.reset();
        switch (s.kind) {
            case Scalar::Kind::kNull:
                return nullptr;
            case Scalar::Kind::kSigned:
                field = timestamp_from_epoch_seconds(s.signed_value);
                break;
            case Scalar::Kind::kUnsigned:
                field = timestamp_from_epoch_seconds(static_cast<double>(s.unsigned_value));
                break;
            case Scalar::Kind::kFloat:
                field = timestamp_from_epoch_seconds(s.float_value);
                break;
            case Scalar::Kind::kString:
                field = timestamp_from_iso8601(*s.text);
                break;
            case Scalar::Kind::kBoolean:
                break;
        }
        return field ? nullptr : "a timestamp";
    }

    // A scalar member of an object frame.
    void member_scalar(Frame& frame, const Scalar& s) {
        const Member m = member_of(frame);
        const char* expected = nullptr;
        switch (m.as) {
            case Member::As::kIgnore:
                return;
            case Member::As::kText:
                expected = read_text(*static_cast<std::optional<std::string>*>(m.field), s);
                break;
            case Member::As::kInteger:
                expected = read_integer(*static_cast<std::optional<std::int64_t>*>(m.field), s);
                break;
            case Member::As::kTime:
                expected = read_time(*static_cast<std::optional<Timestamp>*>(m.field), s);
                break;
            case Member::As::kTextList:
                static_cast<std::optional<std::vector<std::string>>*>(m.field)->reset();
                if (s.kind != Scalar::Kind::kNull) expected = "a list";
                break;
            case Member::As::kObject:
            case Member::As::kObjectList:
                clear(m.child, m.field);
                if (s.kind != Scalar::Kind::kNull) {
                    expected = m.as == Member::As::kObject ? "an object" : "a list";
                }
                break;
        }
        if (expected != nullptr) warn(member_path(frame), s.shape(), expected);
    }

    bool scalar(const Scalar& s) {
        if (stack_.empty()) {
            return fail_not_object();
        }
        Frame& top = stack_.back();
        switch (top.kind) {
            case Kind::kSkip:
                return true;
            case Kind::kAnswer:
                return answer_scalar(top, s);
            case Kind::kFindings:
                if (!entry_allowed(top)) return false;
                if (warning_fits()) {
                    out_.warnings.push_back("findings[" + std::to_string(top.index) + "] is " +
                                            shape_name(s.shape()) + ", not an object; left out");
                }
                ++top.index;
                return true;
            case Kind::kTextList: {
                auto& list = *static_cast<std::vector<std::string>*>(top.target);
                if (s.kind == Scalar::Kind::kString) {
                    list.push_back(std::move(*s.text));
                } else {
                    warn(element_path(top), s.shape(), "a string");
                }
                ++top.index;
                return true;
            }
            case Kind::kFixes:
            case Kind::kSnippet:
                warn(element_path(top), s.shape(), "an object");
                ++top.index;
                return true;
            default:
                member_scalar(top, s);
                return true;
        }
    }

    bool answer_scalar(const Frame& answer, const Scalar& s) {
        if (answer.key == "findings") {
            out_.page.findings.clear();
            if (s.kind == Scalar::Kind::kNull) return true;
            return fail(kFindingsNotList);
        }
        if (answer.key == "nextToken") {
            out_.page.next_token.reset();
            if (s.kind == Scalar::Kind::kString) {
                if (!s.text->empty()) out_.page.next_token = std::move(*s.text);
            } else if (s.kind != Scalar::Kind::kNull) {
                return fail(kTokenNotString);
            }
        }
        return true;
    }

    void push(Kind kind, void* target, std::string label) {
        stack_.push_back(Frame{kind, target, std::move(label), false, 0, {}, 0});
    }
    void push_element(Kind kind, void* target, std::size_t index) {
        stack_.push_back(Frame{kind, target, {}, true, index, {}, 0});
    }
    void skip() { push(Kind::kSkip, nullptr, {}); }

    bool structure(Shape shape) {
        const bool object = shape == Shape::kObject;
        if (stack_.empty()) {
            if (!object) {
                return fail_not_object();
            }
            if (single_) {
                push(Kind::kFinding, &out_.page.findings.emplace_back(), {});
            } else {
                push(Kind::kAnswer, nullptr, {});
            }
            return true;
        }
        Frame& top = stack_.back();
        switch (top.kind) {
            case Kind::kSkip:
                skip();
                return true;
            case Kind::kAnswer:
                if (top.key == "findings") {
                    out_.page.findings.clear();  // a repeated member replaces the earlier one
                    if (!object) {
                        out_.page.findings.reserve(std::min<std::size_t>(max_findings_, 1000));
                        push(Kind::kFindings, &out_.page.findings, "findings");
                        return true;
                    }
                    return fail(kFindingsNotList);
                }
                if (top.key == "nextToken") {
                    return fail(kTokenNotString);
                }
                skip();
                return true;
            case Kind::kTextList:
                warn(element_path(top), shape, "a string");
                ++top.index;
                skip();
                return true;
            case Kind::kFindings:
            case Kind::kFixes:
            case Kind::kSnippet: {
                if (top.kind == Kind::kFindings && !entry_allowed(top)) return false;
                if (!object) {
                    if (top.kind == Kind::kFindings) {
                        if (warning_fits()) {
                            out_.warnings.push_back(element_path(top) +
                                                    " is array, not an object; left out");
                        }
                    } else {
                        warn(element_path(top), shape, "an object");
                    }
                    ++top.index;
                    skip();
                    return true;
                }
                const std::size_t index = top.index++;
                void* element = append(top);
                if (top.kind == Kind::kFindings) {
                    warnings_.clear();
                    push(Kind::kFinding, element, {});
                } else {
                    push_element(top.kind == Kind::kFixes ? Kind::kFix : Kind::kLine, element,
                                 index);
                }
                return true;
            }
            default:
                break;
        }
        // A member of a model object.
        const Member m = member_of(top);
        const char* expected = nullptr;
        switch (m.as) {
            case Member::As::kObject:
                if (object) {
                    push(m.child, emplace(m.child, m.field), top.key);
                    return true;
                }
                clear(m.child, m.field);
                expected = "an object";
                break;
            case Member::As::kObjectList:
                if (!object) {
                    void* list = emplace(m.child, m.field);
                    push(m.child == Kind::kFix ? Kind::kFixes : Kind::kSnippet, list, top.key);
                    return true;
                }
                clear(m.child, m.field);
                expected = "a list";
                break;
            case Member::As::kTextList: {
                auto& field = *static_cast<std::optional<std::vector<std::string>>*>(m.field);
                if (!object) {
                    push(Kind::kTextList, &field.emplace(), top.key);
                    return true;
                }
                field.reset();
                expected = "a list";
                break;
            }
            case Member::As::kText:
                static_cast<std::optional<std::string>*>(m.field)->reset();
                expected = "a string";
                break;
            case Member::As::kInteger:
                static_cast<std::optional<std::int64_t>*>(m.field)->reset();
                expected = "an integer";
                break;
            case Member::As::kTime:
                static_cast<std::optional<Timestamp>*>(m.field)->reset();
                expected = "a timestamp";
                break;
            case Member::As::kIgnore:
                break;
        }
        if (expected != nullptr) warn(member_path(top), shape, expected);
        skip();
        return true;
    }

    bool end() {
        const Frame frame = std::move(stack_.back());
        stack_.pop_back();
        if (frame.kind == Kind::kFinding) {
            const auto& id = static_cast<const Finding*>(frame.target)->id;
            const std::string who = "finding " + (id ? "\"" + *id + "\"" : "without id");
            for (auto& w : warnings_) out_.warnings.push_back(who + ": " + w);
            warnings_.clear();
        }
        return true;
    }

    ParsedFindingsPage& out_;
    bool single_;
    std::size_t max_findings_;
    bool oversized_ = false;
    std::vector<Frame> stack_;
    std::vector<std::string> warnings_;  // the current finding's, without its name yet
    std::string error_;
};

// Runs the mapper over `text`; throws MalformedResponseError naming what is wrong, or
// OversizedPageError.
void map_json(std::string_view text, ParsedFindingsPage& out, bool single,
              std::size_t max_findings = 0) {
    FindingsMapper mapper(out, single, max_findings);
    if (json::sax_parse(text, &mapper)) return;
    if (mapper.oversized()) throw OversizedPageError(mapper.error());
    if (!mapper.error().empty()) throw MalformedResponseError(mapper.error());
    throw MalformedResponseError(std::string(single ? "a finding" : "GetFindings answer") +
                                 " is not valid JSON (" + std::to_string(text.size()) + " bytes)");
}

}  // namespace

Finding finding_from_json(const json& object, std::vector<std::string>& warnings) {
    ParsedFindingsPage parsed;
    if (object.is_object()) map_json(object.dump(), parsed, /*single=*/true);
    for (auto& w : parsed.warnings) warnings.push_back(std::move(w));
    if (parsed.more_warnings > 0) {
        warnings.push_back("... and " + std::to_string(parsed.more_warnings) + " more warning(s)");
    }
    return parsed.page.findings.empty() ? Finding{} : std::move(parsed.page.findings.front());
}

ParsedFindingsPage parse_findings_page(std::string_view body, std::size_t max_findings) {
    ParsedFindingsPage parsed;
    // Only a body with invalid UTF-8 is copied, to be repaired.
    std::string sanitized;
    std::string_view text = body;
    if (!is_valid_utf8(body)) {
        sanitized.assign(body);
        parsed.invalid_utf8_replaced = replace_invalid_utf8(sanitized);
        text = sanitized;
    }
    map_json(text, parsed, /*single=*/false, max_findings);
    return parsed;
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
