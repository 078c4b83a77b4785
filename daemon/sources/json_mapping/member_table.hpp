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

// A name's first eight bytes (fewer for a shorter name) as one little-endian word, and the
// mask of the bytes it holds: a key is told from most names by one compare.
constexpr std::uint64_t name_head(std::string_view name) {
    std::uint64_t head = 0;
    for (std::size_t i = 0; i < name.size() && i < 8; ++i) {
        head |= std::uint64_t{static_cast<unsigned char>(name[i])} << (8 * i);
    }
    return head;
}
constexpr std::uint64_t name_head_mask(std::string_view name) {
    return name.size() >= 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * name.size())) - 1;
}

// One member of an object. `field` finds the field inside the model object being filled
// (for kNested, that object itself). The function pointers are set as `as` needs them.
struct MemberSpec {
    std::string_view name;
    As as;
    void* (*field)(void* object);
    const ObjectSpec* child = nullptr;
    // kObject, kObjectList, kEntries: starts the value afresh (a repeated member replaces
    // the earlier one) and returns the object or list to fill; `expected`: elements to
    // reserve room for.
    void* (*start)(void* field, std::size_t expected) = nullptr;
    void (*clear)(void* field) = nullptr;     // leaves the field absent (all but kNested)
    void* (*append)(void* list) = nullptr;    // kObjectList, kEntries: a new last element
    void (*drop_last)(void* list) = nullptr;  // kEntries: removes the last element
    std::uint64_t head = name_head(name);     // see name_head()
    std::uint64_t head_mask = name_head_mask(name);
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
    static void* get(void* object) { return &(static_cast<Object*>(object)->*kField); }
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
    return &static_cast<std::optional<T>*>(field)->emplace();
}

template <class Field>
void* start_list(void* field, std::size_t expected) {
    if constexpr (Optional<Field>::value) {
        auto& list = static_cast<Field*>(field)->emplace();
        list.reserve(expected);
        return &list;
    } else {
        auto& list = *static_cast<Field*>(field);
        list.clear();
        list.reserve(expected);
        return &list;
    }
}

template <class List>
void* append(void* list) {
    return &static_cast<List*>(list)->emplace_back();
}

template <class List>
void drop_last(void* list) {
    static_cast<List*>(list)->pop_back();
}

inline void* same_object(void* object) {
    return object;
}

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
    MemberSpec m{name, As::kText, &detail::FieldOf<kField>::get, child};
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
        m.append = &detail::append<Field>;
    } else if constexpr (detail::Optional<Field>::value) {
        using Value = typename detail::Optional<Field>::Value;
        if constexpr (detail::Vector<Value>::value) {
            m.as = As::kObjectList;
            m.start = &detail::start_list<Field>;
            m.append = &detail::append<Value>;
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
    return MemberSpec{name, As::kNested, &detail::same_object, &child};
}

// An object kept as compact JSON text in an std::optional<std::string> field; `child`, if
// given, maps some of its members into the model object being filled as well.
template <auto kField>
constexpr MemberSpec json_text(std::string_view name, const ObjectSpec* child = nullptr) {
    using Field = typename detail::FieldOf<kField>::Type;
    static_assert(std::is_same_v<Field, std::optional<std::string>>);
    MemberSpec m{name, As::kJsonText, &detail::FieldOf<kField>::get, child};
    m.clear = &detail::clear<Field>;
    return m;
}

// The answer's list of entries (std::vector<T>), each an object `child` fills.
template <auto kField>
constexpr MemberSpec entries(std::string_view name, const ObjectSpec& child) {
    using Field = typename detail::FieldOf<kField>::Type;
    static_assert(detail::Vector<Field>::value);
    MemberSpec m{name, As::kEntries, &detail::FieldOf<kField>::get, &child};
    m.start = &detail::start_list<Field>;
    m.clear = &detail::clear<Field>;
    m.append = &detail::append<Field>;
    m.drop_last = &detail::drop_last<Field>;
    return m;
}

// The answer's paging token (std::optional<std::string>).
template <auto kField>
constexpr MemberSpec token(std::string_view name) {
    using Field = typename detail::FieldOf<kField>::Type;
    static_assert(std::is_same_v<Field, std::optional<std::string>>);
    MemberSpec m{name, As::kToken, &detail::FieldOf<kField>::get};
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
