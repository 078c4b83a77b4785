#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "util/timestamp.hpp"

namespace codeguru::json_mapping {

// What a JSON value is, as warnings name it (nlohmann's type names).
enum class Shape { kNull, kBoolean, kNumber, kString, kObject, kArray };
const char* shape_name(Shape shape);

// One scalar as the parser delivered it. `text` (strings) may be moved from; `number_text`
// (floats) is the number as written.
struct Scalar {
    enum class Kind { kNull, kBoolean, kSigned, kUnsigned, kFloat, kString } kind;
    bool boolean = false;
    std::int64_t signed_value = 0;
    std::uint64_t unsigned_value = 0;
    double float_value = 0;
    std::string* text = nullptr;
    const std::string* number_text = nullptr;

    Shape shape() const;
};

// Each read_* sets `field` from `s` (null: absent) and returns nullptr, or, when `s`
// cannot be read as the field's type, leaves the field absent and returns what was
// expected ("an integer") for the warning. Strings are moved into the field.

// Text; a number or boolean keeps its JSON text.
const char* read_text(std::optional<std::string>& field, const Scalar& s);
const char* read_text(std::string& field, const Scalar& s);  // absent: empty
// A 64-bit integer: an integer, an integral float below 9e18 in magnitude, or a string
// holding a decimal integer.
const char* read_integer(std::optional<std::int64_t>& field, const Scalar& s);
// A finite number, or a string holding one.
const char* read_number(std::optional<double>& field, const Scalar& s);
// Epoch seconds (integer or fractional) or an ISO-8601 string, within years 0001..9999.
const char* read_time(std::optional<Timestamp>& field, const Scalar& s);

}  // namespace codeguru::json_mapping
