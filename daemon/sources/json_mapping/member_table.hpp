#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "util/timestamp.hpp"

namespace codeguru::json_mapping {

// The tables a source writes to say how its API's JSON maps onto its model: for each object
// of the API shape, its members by wire name, each with the model field it fills and how.
// The On-Demand mapper (ondemand_mapper.hpp) walks them; they hold no state, only constant data
// built at compile time with member<&Model::field>("wireName") and the builders below.

// How a member's value is read into its field.
enum class As {
    kText,         // std::optional<std::string>; a number or boolean keeps its JSON text
    kTextOrEmpty,  // std::string, empty when absent; otherwise as kText
    kInteger,      // std::optional<std::int64_t>; also an integral float or a numeric string
    kNumber,       // std::optional<double>; also a numeric string
    kTime,         // std::optional<Timestamp>: epoch seconds or an ISO-8601 string
    kTextList,     // std::optional<std::vector<std::string>>
    kObject,       // std::optional<T>, filled by `child`
    kObjectList,   // std::optional<std::vector<T>> or std::vector<T>, elements filled by `child`
    kNested,       // an object the model flattens: `child` fills the same model object
    kJsonText,     // std::optional<std::string>: the object as compact JSON; `child` (optional)
                   // also fills the same model object from its members, as kNested
    kEntries,      // answer level: std::vector<T> of entries (findings), each filled by `child`
    kToken,        // answer level: std::optional<std::string>, "" as absent
};

struct ObjectSpec;

// Eight bytes of a name from byte `from` (fewer where the name ends first) as one
// little-endian word, and the mask of the bytes it holds: a key is told from a name of up to
// sixteen bytes by two compares.
constexpr std::uint64_t name_word(std::string_view name, std::size_t from = 0) {
    std::uint64_t word = 0;
    for (std::size_t i = from; i < name.size() && i < from + 8; ++i) {
        word |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * (i - from));
    }
    return word;
}
constexpr std::uint64_t name_word_mask(std::string_view name, std::size_t from = 0) {
    const std::size_t bytes = name.size() > from ? name.size() - from : 0;
    return bytes >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * bytes)) - 1;
}

// One member of an object. `offset` says where its field lies in the model object being
// filled (for kNested, 0: that object itself). The function pointers are set as `as` needs
// them.
struct MemberSpec {
    std::string_view name;
    As as;
    // Read where the field is (detail::FieldOf::offset): no call per member of a page.
    const std::ptrdiff_t* offset;
    const ObjectSpec* child = nullptr;
    // kObject, kObjectList, kEntries: returns the object or list to fill, present; what it
    // held before is still there, for the walk to reuse (ondemand_walker.hpp: it overwrites
    // or clears every member and cuts every list to what it filled); `expected`: elements
    // to reserve room for.
    void* (*start)(void* field, std::size_t expected) = nullptr;
    void (*clear)(void* field) = nullptr;  // leaves the field absent (all but kNested)
    // kObjectList, kEntries: element `index` (at most the list's size; one past the end is
    // appended), as the list holds it.
    void* (*element)(void* list, std::size_t index) = nullptr;
    // kObjectList, kEntries: cuts the list to its first `size` elements.
    void (*truncate)(void* list, std::size_t size) = nullptr;
    std::uint64_t head = name_word(name);  // see name_word()
    std::uint64_t head_mask = name_word_mask(name);
    std::uint64_t second = name_word(name, 8);
    std::uint64_t second_mask = name_word_mask(name, 8);

    void* field(void* object) const { return static_cast<char*>(object) + *offset; }
};

// The members of one object. An entry (an element of a kEntries list) also names itself
// in warnings: `noun "key"`, or `noun without key_name` when it has no key.
struct ObjectSpec {
    std::span<const MemberSpec> members;
    std::string_view noun = {};
    std::string_view key_name = {};
    const std::string* (*key)(const void* entry) = nullptr;  // nullptr: the entry has none
    // An entry without its key (absent or empty) is left out with a warning.
    bool key_required = false;
};

// An answer body: a JSON object whose members `members` lists (kEntries, kToken and others).
struct AnswerSpec {
    std::string_view operation;  // "GetFindings": names the answer in errors
    const ObjectSpec* members;
};

namespace detail {

template <auto kField>
struct FieldOf;
template <class Object, class Field, Field Object::*kField>
struct FieldOf<kField> {
    using Type = Field;
    // The field's place in its object, measured on one object when the program starts (a
    // pointer to member gives no offset at compile time). Tables are only read at run time.
    inline static const std::ptrdiff_t offset = [] {
        const Object object{};
        return reinterpret_cast<const char*>(&(object.*kField)) -
               reinterpret_cast<const char*>(&object);
    }();
    static const Field& read(const void* object) {
        return static_cast<const Object*>(object)->*kField;
    }
};

template <class T>
struct Optional : std::false_type {};
template <class T>
struct Optional<std::optional<T>> : std::true_type {
    using Value = T;
};

template <class T>
struct Vector : std::false_type {};
template <class T>
struct Vector<std::vector<T>> : std::true_type {
    using Element = T;
};

template <class T>
constexpr bool kAlwaysFalse = false;

template <class Field>
void clear(void* field) {
    if constexpr (Optional<Field>::value) {
        static_cast<Field*>(field)->reset();
    } else {
        static_cast<Field*>(field)->clear();
    }
}

template <class T>
void* start_object(void* field, std::size_t /*expected*/) {
    auto& object = *static_cast<std::optional<T>*>(field);
    return object ? &*object : &object.emplace();
}

// A list's capacity beyond this many elements, and four times what a page asks for, is
// given back rather than kept for reuse: one hostile page does not stay in memory.
constexpr std::size_t kKeptListCapacity = 4096;

// `list` (reused from an earlier page) with room for `expected` elements, and without more
// than kKeptListCapacity it does not need.
template <class List>
void fit_list(List& list, std::size_t expected) {
    if (list.capacity() > kKeptListCapacity && list.capacity() / 4 > expected) {
        List().swap(list);  // assigning {} would keep the capacity
    }
    list.reserve(expected);
}

template <class Field>
void* start_list(void* field, std::size_t expected) {
    auto* list = static_cast<Field*>(field);
    if constexpr (Optional<Field>::value) {
        if (!*list) list->emplace();
        fit_list(**list, expected);
        return &**list;
    } else {
        fit_list(*list, expected);
        return list;
    }
}

template <class List>
void* element(void* list, std::size_t index) {
    auto& elements = *static_cast<List*>(list);
    return index < elements.size() ? &elements[index] : &elements.emplace_back();
}

template <class List>
void truncate(void* list, std::size_t size) {
    auto& elements = *static_cast<List*>(list);
    if (size < elements.size())
        elements.erase(elements.begin() + static_cast<std::ptrdiff_t>(size), elements.end());
}

// A nested member's offset: the object being filled is its own.
inline constexpr std::ptrdiff_t kSameObject = 0;

template <auto kField>
const std::string* key_of(const void* entry) {
    const auto& key = FieldOf<kField>::read(entry);
    if constexpr (Optional<typename FieldOf<kField>::Type>::value) {
        return key ? &*key : nullptr;
    } else {
        return key.empty() ? nullptr : &key;
    }
}

}  // namespace detail

// A member read by its field's type: text, integer, number, time, text list, object
// (child: its members) or object list (child: the elements' members).
template <auto kField>
constexpr MemberSpec member(std::string_view name, const ObjectSpec* child = nullptr) {
    using Field = typename detail::FieldOf<kField>::Type;
    MemberSpec m{name, As::kText, &detail::FieldOf<kField>::offset, child};
    m.clear = &detail::clear<Field>;
    if constexpr (std::is_same_v<Field, std::optional<std::string>>) {
        m.as = As::kText;
    } else if constexpr (std::is_same_v<Field, std::string>) {
        m.as = As::kTextOrEmpty;
    } else if constexpr (std::is_same_v<Field, std::optional<std::int64_t>>) {
        m.as = As::kInteger;
    } else if constexpr (std::is_same_v<Field, std::optional<double>>) {
        m.as = As::kNumber;
    } else if constexpr (std::is_same_v<Field, std::optional<Timestamp>>) {
        m.as = As::kTime;
    } else if constexpr (std::is_same_v<Field, std::optional<std::vector<std::string>>>) {
        m.as = As::kTextList;
    } else if constexpr (detail::Vector<Field>::value) {
        m.as = As::kObjectList;
        m.start = &detail::start_list<Field>;
        m.element = &detail::element<Field>;
        m.truncate = &detail::truncate<Field>;
    } else if constexpr (detail::Optional<Field>::value) {
        using Value = typename detail::Optional<Field>::Value;
        if constexpr (detail::Vector<Value>::value) {
            m.as = As::kObjectList;
            m.start = &detail::start_list<Field>;
            m.element = &detail::element<Value>;
            m.truncate = &detail::truncate<Value>;
        } else {
            m.as = As::kObject;
            m.start = &detail::start_object<Value>;
        }
    } else {
        static_assert(detail::kAlwaysFalse<Field>, "no JSON reading for this field type");
    }
    return m;
}

// An object whose members `child` maps into the model object being filled (flattened).
constexpr MemberSpec nested(std::string_view name, const ObjectSpec& child) {
    return MemberSpec{name, As::kNested, &detail::kSameObject, &child};
}

// An object kept as compact JSON text in an std::optional<std::string> field; `child`, if
// given, maps some of its members into the model object being filled as well.
template <auto kField>
constexpr MemberSpec json_text(std::string_view name, const ObjectSpec* child = nullptr) {
    using Field = typename detail::FieldOf<kField>::Type;
    static_assert(std::is_same_v<Field, std::optional<std::string>>);
    MemberSpec m{name, As::kJsonText, &detail::FieldOf<kField>::offset, child};
    m.clear = &detail::clear<Field>;
    return m;
}

// The answer's list of entries (std::vector<T>), each an object `child` fills.
template <auto kField>
constexpr MemberSpec entries(std::string_view name, const ObjectSpec& child) {
    using Field = typename detail::FieldOf<kField>::Type;
    static_assert(detail::Vector<Field>::value);
    MemberSpec m{name, As::kEntries, &detail::FieldOf<kField>::offset, &child};
    m.start = &detail::start_list<Field>;
    m.clear = &detail::clear<Field>;
    m.element = &detail::element<Field>;
    m.truncate = &detail::truncate<Field>;
    return m;
}

// The answer's paging token (std::optional<std::string>).
template <auto kField>
constexpr MemberSpec token(std::string_view name) {
    using Field = typename detail::FieldOf<kField>::Type;
    static_assert(std::is_same_v<Field, std::optional<std::string>>);
    MemberSpec m{name, As::kToken, &detail::FieldOf<kField>::offset};
    m.clear = &detail::clear<Field>;
    return m;
}

// An entry's members, named in warnings by `noun` and its key field (the wire member
// `key_name`); with `key_required`, an entry without that key is left out.
template <auto kKey>
constexpr ObjectSpec entry(std::span<const MemberSpec> members, std::string_view noun,
                           std::string_view key_name, bool key_required = false) {
    return ObjectSpec{members, noun, key_name, &detail::key_of<kKey>, key_required};
}

}  // namespace codeguru::json_mapping
