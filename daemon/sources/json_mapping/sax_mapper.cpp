#include "sources/json_mapping/sax_mapper.hpp"

#include <algorithm>

#include "sources/json_mapping/json_text_writer.hpp"
#include "sources/json_mapping/page_warnings.hpp"
#include "sources/json_mapping/scalar_reader.hpp"
#include "util/text_sanitizer.hpp"

namespace codeguru::json_mapping {
namespace {

using aws::MalformedResponseError;
using nlohmann::json;

enum class FrameKind {
    kObject,    // a model object: its members are looked up in `spec`
    kList,      // a kObjectList: elements filled by `spec`
    kEntries,   // a kEntries list: each element an entry filled by `spec`
    kTextList,  // a kTextList
    kSkip,      // anything not mapped (unknown members, wrong shapes), skipped whole
};

// One open object or array of the document. Plain data: the stack reuses its capacity, so
// walking a page allocates nothing per member.
struct Frame {
    FrameKind kind;
    const ObjectSpec* spec;  // kObject: its members (nullptr: none); lists: the elements'
    const MemberSpec* list;  // list frames: the member whose list `target` is
    void* target;            // the model object or list being filled
    std::string_view label;  // the member's name in its parent, for warning paths
    bool is_element;         // the frame is element `element` of its parent list instead
    std::size_t element;
    bool is_entry;                       // paths start below an entry; warnings carry its name
    std::size_t index = 0;               // list frames: the next element's index
    const MemberSpec* member = nullptr;  // kObject: the member being read (nullptr: unknown)
};

const MemberSpec* find_member(const ObjectSpec* spec, std::string_view name) {
    if (spec == nullptr) return nullptr;
    for (const MemberSpec& m : spec->members) {
        if (m.name == name) return &m;
    }
    return nullptr;
}

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

// The SAX handler nlohmann's parser drives. A callback returns false only to stop the parse
// on a fatal error (error(), oversized()).
class SaxMapper {
  public:
    // The document is an answer `answer` describes, to fill `page`.
    SaxMapper(const AnswerSpec& answer, void* page, std::vector<std::string>& warnings,
              std::size_t& more_warnings, std::size_t max_entries)
        : root_spec_(answer.members),
          root_(page),
          root_is_entry_(false),
          operation_(answer.operation),
          document_(std::string(answer.operation) + " answer"),
          warnings_(warnings, more_warnings),
          max_entries_(max_entries) {}

    // The document is one entry `entry` describes, to fill `object`.
    SaxMapper(const ObjectSpec& entry, void* object, std::vector<std::string>& warnings,
              std::size_t& more_warnings)
        : root_spec_(&entry),
          root_(object),
          root_is_entry_(true),
          document_("a " + std::string(entry.noun)),
          warnings_(warnings, more_warnings),
          max_entries_(0) {}

    const std::string& document() const { return document_; }
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
    bool number_float(double value, const std::string& text) {
        Scalar s{Scalar::Kind::kFloat};
        s.float_value = value;
        s.number_text = &text;
        return scalar(s);
    }
    bool string(std::string& value) {
        Scalar s{Scalar::Kind::kString};
        s.text = &value;
        return scalar(s);
    }
    bool binary(json::binary_t& /*value*/) { return true; }  // never produced by JSON text

    bool key(std::string& name) {
        if (kept_.active()) kept_.key(name);
        Frame& top = stack_.back();
        if (top.kind == FrameKind::kObject) top.member = find_member(top.spec, name);
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
    // Stops the parse; run() throws `message`.
    bool fail(std::string message) {
        error_ = std::move(message);
        return false;
    }
    bool fail_not_object() { return fail(document_ + " is not a JSON object"); }
    bool fail_member(const MemberSpec& m, const char* expected) {
        return fail(document_ + ": `" + std::string(m.name) + "` is not " + expected);
    }

    // Before each element of an entries list: stops the parse at the first element past
    // the limit, so a page of millions of entries never becomes millions of entries.
    bool entry_allowed(const Frame& entries) {
        if (max_entries_ == 0 || entries.index < max_entries_) return true;
        oversized_ = true;
        const std::string limit = std::to_string(max_entries_);
        error_ = std::string(operation_) + " returned more than " + limit + " " +
                 std::string(entries.label) + " (maxResults=" + limit + ")";
        return false;
    }

    // The path of `frame` relative to its entry: "vulnerability.filePath", "findings".
    std::string path_of(const Frame& frame) const {
        const std::size_t end = static_cast<std::size_t>(&frame - stack_.data()) + 1;
        std::size_t begin = end;
        while (begin > 0 && !stack_[begin - 1].is_entry) --begin;
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
        if (!path.empty()) path += '.';
        return path += frame.member->name;
    }
    std::string element_path(const Frame& list) const {
        return path_of(list) + "[" + std::to_string(list.index) + "]";
    }

    void warn(const std::string& path, Shape got, const char* expected) {
        if (!warnings_.fits()) return;
        warnings_.add(path + " is " + shape_name(got) + ", expected " + expected + "; left out");
    }
    // An element of an entries list that is not an object.
    void warn_entry(const Frame& entries, Shape got) {
        if (!warnings_.fits()) return;
        warnings_.add(element_path(entries) + " is " + shape_name(got) +
                      ", not an object; left out");
    }

    void push(FrameKind kind, const ObjectSpec* spec, void* target, std::string_view label,
              const MemberSpec* list = nullptr) {
        stack_.push_back(Frame{kind, spec, list, target, label, false, 0, false});
    }
    void push_element(const Frame& list, void* target, std::size_t index, bool is_entry) {
        stack_.push_back(
            Frame{FrameKind::kObject, list.spec, nullptr, target, {}, true, index, is_entry});
    }
    void skip() { push(FrameKind::kSkip, nullptr, nullptr, {}); }

    void keep_scalar(const Scalar& s) {
        switch (s.kind) {
            case Scalar::Kind::kNull:
                return kept_.null();
            case Scalar::Kind::kBoolean:
                return kept_.boolean(s.boolean);
            case Scalar::Kind::kSigned:
                return kept_.integer(s.signed_value);
            case Scalar::Kind::kUnsigned:
                return kept_.integer(s.unsigned_value);
            case Scalar::Kind::kFloat:
                return kept_.number(*s.number_text);  // as written: no precision lost
            case Scalar::Kind::kString:
                return kept_.string(*s.text);
        }
    }

    bool scalar(const Scalar& s) {
        if (stack_.empty()) return fail_not_object();
        if (kept_.active()) keep_scalar(s);  // before a string is moved into the model
        Frame& top = stack_.back();
        switch (top.kind) {
            case FrameKind::kSkip:
                return true;
            case FrameKind::kEntries:
                if (!entry_allowed(top)) return false;
                warn_entry(top, s.shape());
                ++top.index;
                return true;
            case FrameKind::kTextList: {
                auto& list = *static_cast<std::vector<std::string>*>(top.target);
                if (s.kind == Scalar::Kind::kString) {
                    list.push_back(std::move(*s.text));
                } else {
                    warn(element_path(top), s.shape(), "a string");
                }
                ++top.index;
                return true;
            }
            case FrameKind::kList:
                warn(element_path(top), s.shape(), "an object");
                ++top.index;
                return true;
            case FrameKind::kObject:
                return member_scalar(top, s);
        }
        return true;
    }

    // A scalar as the value of the member `frame` is reading.
    bool member_scalar(Frame& frame, const Scalar& s) {
        const MemberSpec* m = frame.member;
        if (m == nullptr) return true;
        void* field = m->field(frame.target);
        const bool null = s.kind == Scalar::Kind::kNull;
        const char* expected = nullptr;
        switch (m->as) {
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
            case As::kTextList:
            case As::kObjectList:
                m->clear(field);
                if (!null) expected = "a list";
                break;
            case As::kObject:
                m->clear(field);
                if (!null) expected = "an object";
                break;
            case As::kNested:
                reset_members(m->child, frame.target);
                if (!null) expected = "an object";
                break;
            case As::kJsonText:
                m->clear(field);
                reset_members(m->child, frame.target);
                if (!null) expected = "an object";
                break;
            case As::kEntries:
                m->clear(field);
                return null || fail_member(*m, "a list");
            case As::kToken: {
                auto& token = *static_cast<std::optional<std::string>*>(field);
                token.reset();
                if (s.kind == Scalar::Kind::kString) {
                    if (!s.text->empty()) token = std::move(*s.text);
                    return true;
                }
                return null || fail_member(*m, "a string");
            }
        }
        if (expected != nullptr) warn(member_path(frame), s.shape(), expected);
        return true;
    }

    bool structure(Shape shape) {
        const bool object = shape == Shape::kObject;
        if (stack_.empty()) {
            if (!object) return fail_not_object();
            push(FrameKind::kObject, root_spec_, root_, {});
            if (root_is_entry_) {
                stack_.back().is_entry = true;
                warnings_.begin_entry();
            }
            return true;
        }
        if (kept_.active()) kept_.open(!object);
        Frame& top = stack_.back();
        switch (top.kind) {
            case FrameKind::kSkip:
                skip();
                return true;
            case FrameKind::kTextList:
                warn(element_path(top), shape, "a string");
                ++top.index;
                skip();
                return true;
            case FrameKind::kEntries:
                if (!entry_allowed(top)) return false;
                if (!object) {
                    warn_entry(top, shape);
                    ++top.index;
                    skip();
                    return true;
                }
                warnings_.begin_entry();
                push_element(top, top.list->append(top.target), top.index++, true);
                return true;
            case FrameKind::kList:
                if (!object) {
                    warn(element_path(top), shape, "an object");
                    ++top.index;
                    skip();
                    return true;
                }
                push_element(top, top.list->append(top.target), top.index++, false);
                return true;
            case FrameKind::kObject:
                return member_structure(top, shape);
        }
        return true;
    }

    // An object or array as the value of the member `frame` is reading.
    bool member_structure(Frame& frame, Shape shape) {
        const bool object = shape == Shape::kObject;
        const MemberSpec* m = frame.member;
        if (m == nullptr) {
            skip();
            return true;
        }
        void* field = m->field(frame.target);
        const char* expected = nullptr;
        switch (m->as) {
            case As::kObject:
                if (object) {
                    push(FrameKind::kObject, m->child, m->start(field, 0), m->name);
                    return true;
                }
                m->clear(field);
                expected = "an object";
                break;
            case As::kObjectList:
                if (!object) {
                    push(FrameKind::kList, m->child, m->start(field, 0), m->name, m);
                    return true;
                }
                m->clear(field);
                expected = "a list";
                break;
            case As::kTextList: {
                auto& list = *static_cast<std::optional<std::vector<std::string>>*>(field);
                if (!object) {
                    push(FrameKind::kTextList, nullptr, &list.emplace(), m->name);
                    return true;
                }
                list.reset();
                expected = "a list";
                break;
            }
            case As::kNested:
                reset_members(m->child, frame.target);
                if (object) {
                    push(FrameKind::kObject, m->child, frame.target, m->name);
                    return true;
                }
                expected = "an object";
                break;
            case As::kJsonText:
                m->clear(field);
                reset_members(m->child, frame.target);
                if (object) {
                    // One object kept at a time: one inside another stays absent (no table
                    // asks for that).
                    if (!kept_.active()) {
                        kept_.start(static_cast<std::optional<std::string>*>(field)->emplace());
                        kept_.open(false);
                    }
                    push(FrameKind::kObject, m->child, frame.target, m->name);
                    return true;
                }
                expected = "an object";
                break;
            case As::kEntries:
                if (!object) {
                    void* list = m->start(field, std::min<std::size_t>(max_entries_, 1000));
                    push(FrameKind::kEntries, m->child, list, m->name, m);
                    return true;
                }
                m->clear(field);
                return fail_member(*m, "a list");
            case As::kToken:
                return fail_member(*m, "a string");
            case As::kText:
            case As::kTextOrEmpty:
                m->clear(field);
                expected = "a string";
                break;
            case As::kInteger:
                m->clear(field);
                expected = "an integer";
                break;
            case As::kNumber:
                m->clear(field);
                expected = "a number";
                break;
            case As::kTime:
                m->clear(field);
                expected = "a timestamp";
                break;
        }
        warn(member_path(frame), shape, expected);
        skip();
        return true;
    }

    bool end() {
        const Frame& frame = stack_.back();
        if (kept_.active() && kept_.close()) end_kept(frame);
        if (frame.is_entry) end_entry(frame);
        stack_.pop_back();
        return true;
    }

    // The object kept as JSON text ended: says if NULs had to be replaced in it.
    void end_kept(const Frame& frame) {
        if (kept_.nuls_replaced() == 0 || !warnings_.fits()) return;
        warnings_.add(path_of(frame) + ": replaced " + std::to_string(kept_.nuls_replaced()) +
                      " NUL character(s) with U+FFFD");
    }

    // Puts the entry's warnings under its name; leaves it out if it lacks a required key.
    void end_entry(const Frame& frame) {
        const ObjectSpec& spec = *frame.spec;
        const std::string* key = spec.key != nullptr ? spec.key(frame.target) : nullptr;
        if (warnings_.entry_has_warnings()) {
            warnings_.end_entry(
                std::string(spec.noun) + " " +
                (key != nullptr ? "\"" + *key + "\"" : "without " + std::string(spec.key_name)));
        } else {
            warnings_.end_entry({});
        }
        const bool listed =
            stack_.size() >= 2 && stack_[stack_.size() - 2].kind == FrameKind::kEntries;
        if (spec.key_required && listed && (key == nullptr || key->empty())) {
            const Frame& list = stack_[stack_.size() - 2];
            list.list->drop_last(list.target);  // `frame.target`, and `key`, are gone now
            if (warnings_.fits()) {
                warnings_.add(path_of(list) + "[" + std::to_string(frame.element) + "] has no " +
                              std::string(spec.key_name) + "; left out");
            }
        }
    }

    const ObjectSpec* root_spec_;
    void* root_;
    bool root_is_entry_;
    std::string_view operation_;
    std::string document_;  // names the document in errors: "GetFindings answer"
    PageWarnings warnings_;
    std::size_t max_entries_;
    bool oversized_ = false;
    std::string error_;
    std::vector<Frame> stack_;
    JsonTextWriter kept_;  // the object kept as JSON text, while inside one
};

// Runs `mapper` over `text`; throws MalformedResponseError naming what is wrong, or
// OversizedPageError.
void run(SaxMapper& mapper, std::string_view text) {
    if (json::sax_parse(text, &mapper)) return;
    if (mapper.oversized()) throw OversizedPageError(mapper.error());
    if (!mapper.error().empty()) throw MalformedResponseError(mapper.error());
    throw MalformedResponseError(mapper.document() + " is not valid JSON (" +
                                 std::to_string(text.size()) + " bytes)");
}

}  // namespace

std::size_t map_answer(std::string_view body, const AnswerSpec& spec, void* page,
                       std::vector<std::string>& warnings, std::size_t& more_warnings,
                       std::size_t max_entries) {
    // Only a body with invalid UTF-8 is copied, to be repaired.
    std::string repaired;
    std::string_view text = body;
    std::size_t replaced = 0;
    if (!is_valid_utf8(body)) {
        repaired.assign(body);
        replaced = replace_invalid_utf8(repaired);
        text = repaired;
    }
    SaxMapper mapper(spec, page, warnings, more_warnings, max_entries);
    run(mapper, text);
    return replaced;
}

void map_entry(const json& object, const ObjectSpec& spec, void* entry,
               std::vector<std::string>& warnings) {
    if (!object.is_object()) return;
    std::vector<std::string> kept;
    std::size_t more = 0;
    SaxMapper mapper(spec, entry, kept, more);
    run(mapper, object.dump());
    for (auto& w : kept) warnings.push_back(std::move(w));
    if (more > 0) warnings.push_back("... and " + std::to_string(more) + " more warning(s)");
}

}  // namespace codeguru::json_mapping
