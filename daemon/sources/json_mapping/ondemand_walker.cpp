#include "sources/json_mapping/ondemand_walker.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "sources/json_mapping/json_lexer.hpp"
#include "sources/json_mapping/ondemand_tokens.hpp"
#include "util/timestamp.hpp"

namespace codeguru::json_mapping::ondemand {
namespace {

using simdjson::SUCCESS;
using Object = simdjson::ondemand::object;
using Value = simdjson::ondemand::value;

// Leaves every field `spec` fills in `object` absent: a flattened object that is null, of
// the wrong type or repeated takes what it had set with it.
void reset_members(const ObjectSpec* spec, void* object) {
    if (spec == nullptr) return;
    for (const MemberSpec& m : spec->members) {
        if (m.as == As::kNested) {
            reset_members(m.child, object);
            continue;
        }
        m.clear(m.field(object));
        if (m.as == As::kJsonText) reset_members(m.child, object);
    }
}

// The text field `field` present and empty, for new text.
std::string& fresh_text(std::optional<std::string>& field) {
    if (!field) return field.emplace();
    field->clear();
    return *field;
}

// What `as` reads, as warnings name it.
const char* expected_of(As as) {
    switch (as) {
        case As::kText:
        case As::kTextOrEmpty:
        case As::kToken:
            return "a string";
        case As::kInteger:
            return "an integer";
        case As::kNumber:
            return "a number";
        case As::kTime:
            return "a timestamp";
        case As::kTextList:
        case As::kObjectList:
        case As::kEntries:
            return "a list";
        case As::kObject:
        case As::kNested:
        case As::kJsonText:
            break;
    }
    return "an object";
}

// Leaves what member `m` fills in `target` absent (a flattened object: all its members).
void leave_out(const MemberSpec& m, void* target) {
    if (m.as != As::kNested) m.clear(m.field(target));
    if (m.as == As::kNested || m.as == As::kJsonText) reset_members(m.child, target);
}

// Whether a string is read into a member of kind `as` as its text.
bool reads_text(As as) {
    return as == As::kText || as == As::kTextOrEmpty || as == As::kToken;
}

// The string `token` unescaped straight into the text field of `m` (reads_text()); false
// when it is not one JSON string.
bool text_member(std::string_view token, const MemberSpec& m, void* target, const char* text_end) {
    void* field = m.field(target);
    if (m.as == As::kTextOrEmpty) {
        auto& text = *static_cast<std::string*>(field);
        if (!read_string_token(token, text_end, text)) return false;
        fit_text(text);
        return true;
    }
    auto& text = *static_cast<std::optional<std::string>*>(field);
    std::string& out = text ? *text : text.emplace();
    if (!read_string_token(token, text_end, out)) return false;
    fit_text(out);
    if (m.as == As::kToken && out.empty()) text.reset();  // a paging token "" is none
    return true;
}

// A ShortNumber (ondemand_tokens.hpp) for an integer, number or time member, read into its
// field; false for anything else, left to member_value().
bool short_number_member(std::string_view token, const MemberSpec& m, void* target) {
    if (m.as != As::kInteger && m.as != As::kNumber && m.as != As::kTime) return false;
    ShortNumber number;
    if (!short_number_token(token, number)) return false;
    void* field = m.field(target);
    switch (m.as) {
        case As::kInteger:
            // A fraction, even .0, goes the long way: read_integer() decides.
            if (number.decimal) return false;
            *static_cast<std::optional<std::int64_t>*>(field) = number.integer;
            return true;
        case As::kNumber:
            *static_cast<std::optional<double>*>(field) =
                number.decimal ? number.decimal_value : static_cast<double>(number.integer);
            return true;
        default: {
            const std::optional<Timestamp> time =
                number.decimal ? timestamp_from_epoch_seconds(number.decimal_value)
                               : timestamp_from_epoch_seconds(number.integer);
            // Out of range: member_value() leaves it out with its warning.
            if (!time) return false;
            *static_cast<std::optional<Timestamp>*>(field) = time;
            return true;
        }
    }
}

// walk_answer()'s walk of one document. In this file's unnamed namespace, with its lists
// (ondemand_walker_lists.inc) included below: GCC then sees every call between its
// functions and passes simdjson's values and objects in registers (IPA-SRA) rather than
// through memory, where a copy read back whole right after its fields were written stalls.
class AnswerWalker {
  public:
    AnswerWalker(const AnswerSpec& answer, void* page, std::vector<std::string>& warnings,
                 std::size_t& more_warnings, std::size_t max_entries, const char* text_end,
                 WalkScratch& scratch);

    WalkEnd walk(simdjson::ondemand::document& document);
    std::string& error() { return error_; }

  private:
    // Each member of the object `value` (`object`) into `target` as `spec` says (nullptr:
    // none known). `in_kept`: inside an object kept as JSON text, already read whole.
    bool map_object(simdjson::ondemand::value value, const ObjectSpec* spec, void* target,
                    const WalkNode& node, bool in_kept);
    bool map_fields(simdjson::ondemand::object object, const ObjectSpec* spec, void* target,
                    const WalkNode& node, bool in_kept);
    // The member's value `value`, whose first_token() is `token`.
    bool member_value(simdjson::ondemand::value value, std::string_view token, const MemberSpec* m,
                      void* target, const WalkNode& node, bool in_kept);
    bool member_scalar(std::string_view token, const MemberSpec& m, void* target,
                       const WalkNode& node);
    bool member_object(simdjson::ondemand::value value, const MemberSpec& m, void* target,
                       const WalkNode& node, bool in_kept);
    bool member_array(simdjson::ondemand::value value, const MemberSpec& m, void* target,
                      const WalkNode& node, bool in_kept);
    bool object_list(simdjson::ondemand::value value, const MemberSpec& m, void* field,
                     const WalkNode& list_node, bool in_kept);
    bool text_list(simdjson::ondemand::value value, std::vector<std::string>& list,
                   const WalkNode& list_node);
    bool entry_list(simdjson::ondemand::value value, const MemberSpec& m, void* list,
                    const WalkNode& list_node, bool in_kept);
    bool kept_object(simdjson::ondemand::value value, const MemberSpec& m, void* target,
                     const WalkNode& node, bool in_kept);
    bool wrong_shape(simdjson::ondemand::value value, const MemberSpec& m, void* target,
                     const WalkNode& node, Shape shape, bool in_kept);
    bool end_entry(const MemberSpec& m, void* entry, const WalkNode& list_node, std::size_t index);

    // Checks the value starting `token` without mapping it; `shape` says what it was.
    bool skip(std::string_view token, Shape& shape, bool checked);

    void warn(const WalkNode& node, const MemberSpec& m, Shape got, const char* expected);
    void warn_element(const WalkNode& list_node, std::size_t index, Shape got,
                      const char* expected);

    bool syntax();
    bool fatal_member(const MemberSpec& m, const char* expected);
    bool entry_allowed(const MemberSpec& m, std::size_t index);

    const AnswerSpec& answer_;
    void* page_;
    PageWarnings warnings_;
    std::size_t max_entries_;
    const char* text_end_;
    WalkScratch& scratch_;
    WalkEnd end_ = WalkEnd::kDone;
    std::string error_;
};

}  // namespace

void reset_answer(const AnswerSpec& answer, void* page) {
    reset_members(answer.members, page);
}

WalkEnd walk_answer(simdjson::ondemand::document& document, const AnswerSpec& answer, void* page,
                    std::vector<std::string>& warnings, std::size_t& more_warnings,
                    std::size_t max_entries, const char* text_end, WalkScratch& scratch,
                    std::string& error) {
    AnswerWalker walker(answer, page, warnings, more_warnings, max_entries, text_end, scratch);
    const WalkEnd end = walker.walk(document);
    error = std::move(walker.error());
    return end;
}

AnswerWalker::AnswerWalker(const AnswerSpec& answer, void* page, std::vector<std::string>& warnings,
                           std::size_t& more_warnings, std::size_t max_entries,
                           const char* text_end, WalkScratch& scratch)
    : answer_(answer),
      page_(page),
      warnings_(warnings, more_warnings),
      max_entries_(max_entries),
      text_end_(text_end),
      scratch_(scratch) {}

WalkEnd AnswerWalker::walk(simdjson::ondemand::document& document) {
    std::string_view token;
    if (document.raw_json_token().get(token) != SUCCESS || token.empty()) {
        syntax();
        return end_;
    }
    if (token.front() != '{') {
        // nlohmann reports a scalar only once it has read it whole, an array at its `[`.
        Scalar s{Scalar::Kind::kNull};
        if (token.front() != '[' && !lex_token(token, text_end_, s, nullptr)) {
            syntax();
            return end_;
        }
        end_ = WalkEnd::kFatal;
        error_ = std::string(answer_.operation) + " answer is not a JSON object";
        return end_;
    }
    Object object;
    if (document.get_object().get(object) != SUCCESS) {
        syntax();
        return end_;
    }
    const WalkNode root{nullptr, {}};
    if (!map_fields(object, answer_.members, page_, root, false)) return end_;
    // Anything after the object is not JSON (nlohmann would stop at a NUL byte: the caller
    // sees to that case).
    const char* location = nullptr;
    if (document.current_location().get(location) != simdjson::OUT_OF_BOUNDS) syntax();
    return end_;
}

bool AnswerWalker::map_object(Value value, const ObjectSpec* spec, void* target,
                              const WalkNode& node, bool in_kept) {
    Object object;
    if (value.get_object().get(object) != SUCCESS) return syntax();
    return map_fields(object, spec, target, node, in_kept);
}

bool AnswerWalker::map_fields(Object object, const ObjectSpec* spec, void* target,
                              const WalkNode& node, bool in_kept) {
    // `target` may hold what an earlier walk left there: every member this object does not
    // name is left absent below, and every member it names is overwritten, so the result
    // is the same as on an empty target, with its strings and lists reused.
    const std::size_t members = spec != nullptr ? spec->members.size() : 0;
    const bool tracked = members <= 64;
    if (!tracked) reset_members(spec, target);
    std::uint64_t seen = 0;
    MemberOrder* order = tracked && spec != nullptr ? &scratch_.order_of(spec) : nullptr;
    std::size_t previous = 0;  // the slot of `order` for the member just mapped
    for (auto field_result : object) {
        if (field_result.error() != SUCCESS) return syntax();
        // Used where it stands: a copy of the field costs a stalled 16-byte load per member.
        simdjson::ondemand::field& field = field_result.value_unsafe();
        const char* key = field.key().raw();
        const MemberSpec* m = nullptr;
        const std::size_t guess = order != nullptr ? order->next[previous] : 0;
        std::size_t index = guess - 1;  // the member's place in `spec`, once `m` is found
        if (guess != 0 && names_member(spec->members[index], key_word(key), key, text_end_)) {
            m = &spec->members[index];
        } else {
            if (!find_member(spec, key, text_end_, scratch_.text, m)) return syntax();
            if (m != nullptr) index = static_cast<std::size_t>(m - spec->members.data());
        }
        if (m != nullptr && order != nullptr) {  // `order`: the object is tracked
            seen |= std::uint64_t{1} << index;
            order->next[previous] = static_cast<std::uint8_t>(index + 1);
            previous = index + 1;
        }
        Value& value = field.value();
        std::string_view token;
        if (!first_token(value, token)) return syntax();
        // Most members are text or a short number: read here, without the calls
        // member_value() makes.
        if (m != nullptr && token.front() == '"' && reads_text(m->as)) {
            if (!text_member(token, *m, target, text_end_)) return syntax();
            continue;
        }
        if (m != nullptr && short_number_member(token, *m, target)) continue;
        if (!member_value(value, token, m, target, node, in_kept)) return false;
    }
    if (tracked &&
        seen != (members == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << members) - 1)) {
        for (std::size_t i = 0; i < members; ++i) {
            if ((seen >> i & 1) == 0) leave_out(spec->members[i], target);
        }
    }
    return true;
}

bool AnswerWalker::member_value(Value value, std::string_view token, const MemberSpec* m,
                                void* target, const WalkNode& node, bool in_kept) {
    if (m == nullptr) {
        Shape shape;
        return skip(token, shape, in_kept);
    }
    switch (token.front()) {
        case '{':
            return member_object(value, *m, target, node, in_kept);
        case '[':
            return member_array(value, *m, target, node, in_kept);
        default:
            return member_scalar(token, *m, target, node);
    }
}

bool AnswerWalker::member_scalar(std::string_view token, const MemberSpec& m, void* target,
                                 const WalkNode& node) {
    // A string for a text member never comes here: map_fields() reads it (text_member()).
    void* field = m.field(target);
    Scalar s{Scalar::Kind::kNull};
    if (!lex_token(token, text_end_, s, &scratch_.text)) return syntax();
    const bool null = s.kind == Scalar::Kind::kNull;
    const char* expected = nullptr;
    switch (m.as) {
        case As::kText:
            expected = read_text(*static_cast<std::optional<std::string>*>(field), s);
            break;
        case As::kTextOrEmpty:
            expected = read_text(*static_cast<std::string*>(field), s);
            break;
        case As::kInteger:
            expected = read_integer(*static_cast<std::optional<std::int64_t>*>(field), s);
            break;
        case As::kNumber:
            expected = read_number(*static_cast<std::optional<double>*>(field), s);
            break;
        case As::kTime:
            expected = read_time(*static_cast<std::optional<Timestamp>*>(field), s);
            break;
        case As::kEntries:
        case As::kToken:
            // The answer's own shape: null is absent, anything else fatal.
            m.clear(field);
            return null || fatal_member(m, expected_of(m.as));
        default:
            leave_out(m, target);
            if (!null) expected = expected_of(m.as);
            break;
    }
    if (expected != nullptr) warn(node, m, s.shape(), expected);
    return true;
}

bool AnswerWalker::member_object(Value value, const MemberSpec& m, void* target,
                                 const WalkNode& node, bool in_kept) {
    void* field = m.field(target);
    const WalkNode child{&node, m.name};
    switch (m.as) {
        case As::kObject:
            return map_object(value, m.child, m.start(field, 0), child, in_kept);
        case As::kNested:
            return map_object(value, m.child, target, child, in_kept);
        case As::kJsonText:
            return kept_object(value, m, target, child, in_kept);
        case As::kEntries:
            m.clear(field);
            return fatal_member(m, "a list");
        case As::kToken:
            return fatal_member(m, "a string");
        default:
            return wrong_shape(value, m, target, node, Shape::kObject, in_kept);
    }
}

bool AnswerWalker::member_array(Value value, const MemberSpec& m, void* target,
                                const WalkNode& node, bool in_kept) {
    void* field = m.field(target);
    const WalkNode list_node{&node, m.name};
    switch (m.as) {
        case As::kObjectList:
            return object_list(value, m, field, list_node, in_kept);
        case As::kTextList: {
            auto& list = *static_cast<std::optional<std::vector<std::string>>*>(field);
            return text_list(value, list ? *list : list.emplace(), list_node);
        }
        case As::kEntries:
            return entry_list(value, m, m.start(field, std::min<std::size_t>(max_entries_, 1000)),
                              list_node, in_kept);
        case As::kToken:
            return fatal_member(m, "a string");
        default:
            return wrong_shape(value, m, target, node, Shape::kArray, in_kept);
    }
}

// An object kept whole as JSON text: read once by JsonSyntaxReader into the text, then walked
// by simdjson for the members the child table maps from it.
bool AnswerWalker::kept_object(Value value, const MemberSpec& m, void* target, const WalkNode& node,
                               bool in_kept) {
    // One object kept at a time: one inside another stays absent (no table asks for that).
    if (in_kept) {
        leave_out(m, target);
        return map_object(value, m.child, target, node, true);
    }
    // The child table's members are overwritten or left absent by map_object below.
    JsonTextWriter& writer = scratch_.writer;
    std::string& text = fresh_text(*static_cast<std::optional<std::string>*>(m.field(target)));
    writer.start(text);
    const char* begin = value.raw_json_token().data();
    if (scratch_.reader.read_value(begin, text_end_, &writer) == nullptr) return syntax();
    fit_text(text);
    const std::size_t nuls = writer.nuls_replaced();
    // Without a child table, simdjson steps over the object, already checked, by itself.
    if (m.child != nullptr && !map_object(value, m.child, target, node, true)) return false;
    if (nuls != 0 && warnings_.fits()) {
        warnings_.add(path_of(node) + ": replaced " + std::to_string(nuls) +
                      " NUL character(s) with U+FFFD");
    }
    return true;
}

// A container where `m` wants another shape: left out with a warning, checked and skipped.
bool AnswerWalker::wrong_shape(Value value, const MemberSpec& m, void* target, const WalkNode& node,
                               Shape shape, bool in_kept) {
    leave_out(m, target);
    warn(node, m, shape, expected_of(m.as));
    Shape skipped;
    return skip(value.raw_json_token(), skipped, in_kept);
}

bool AnswerWalker::skip(std::string_view token, Shape& shape, bool checked) {
    const char first = token.front();
    if (first == '{' || first == '[') {
        shape = first == '{' ? Shape::kObject : Shape::kArray;
        // simdjson steps over the value by itself, unchecked: JsonSyntaxReader reads it.
        if (!checked && scratch_.reader.read_value(token.data(), text_end_, nullptr) == nullptr) {
            return syntax();
        }
        return true;
    }
    Scalar s{Scalar::Kind::kNull};
    if (!lex_token(token, text_end_, s, nullptr)) return syntax();
    shape = s.shape();
    return true;
}

void AnswerWalker::warn(const WalkNode& node, const MemberSpec& m, Shape got,
                        const char* expected) {
    if (!warnings_.fits()) return;
    warnings_.add(member_path(node, m.name) + " is " + shape_name(got) + ", expected " + expected +
                  "; left out");
}

void AnswerWalker::warn_element(const WalkNode& list_node, std::size_t index, Shape got,
                                const char* expected) {
    if (!warnings_.fits()) return;
    warnings_.add(element_path(list_node, index) + " is " + shape_name(got) + ", expected " +
                  expected + "; left out");
}

bool AnswerWalker::syntax() {
    end_ = WalkEnd::kSyntax;
    return false;
}

bool AnswerWalker::fatal_member(const MemberSpec& m, const char* expected) {
    end_ = WalkEnd::kFatal;
    error_ = std::string(answer_.operation) + " answer: `" + std::string(m.name) + "` is not " +
             expected;
    return false;
}

}  // namespace codeguru::json_mapping::ondemand

// Part of this file: see AnswerWalker.
#include "sources/json_mapping/ondemand_walker_lists.inc"
