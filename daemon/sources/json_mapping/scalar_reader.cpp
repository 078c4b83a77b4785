#include "sources/json_mapping/scalar_reader.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace codeguru::json_mapping {

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

Shape Scalar::shape() const {
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

namespace {

// The text of a non-null scalar.
std::string text_of(const Scalar& s) {
    switch (s.kind) {
        case Scalar::Kind::kString:
            return std::move(*s.text);
        case Scalar::Kind::kBoolean:
            return s.boolean ? "true" : "false";
        case Scalar::Kind::kSigned:
            return std::to_string(s.signed_value);
        case Scalar::Kind::kUnsigned:
            return std::to_string(s.unsigned_value);
        case Scalar::Kind::kFloat:
            return nlohmann::json(s.float_value).dump();
        case Scalar::Kind::kNull:
            break;
    }
    return {};
}

}  // namespace

const char* read_text(std::optional<std::string>& field, const Scalar& s) {
    if (s.kind == Scalar::Kind::kNull) {
        field.reset();
    } else {
        field = text_of(s);
    }
    return nullptr;
}

const char* read_text(std::string& field, const Scalar& s) {
    if (s.kind == Scalar::Kind::kNull) {
        field.clear();
    } else {
        field = text_of(s);
    }
    return nullptr;
}

const char* read_integer(std::optional<std::int64_t>& field, const Scalar& s) {
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

const char* read_number(std::optional<double>& field, const Scalar& s) {
    field.reset();
    switch (s.kind) {
        case Scalar::Kind::kNull:
            return nullptr;
        case Scalar::Kind::kSigned:
            field = static_cast<double>(s.signed_value);
            return nullptr;
        case Scalar::Kind::kUnsigned:
            field = static_cast<double>(s.unsigned_value);
            return nullptr;
        case Scalar::Kind::kFloat:
            field = s.float_value;
            return nullptr;
        case Scalar::Kind::kString: {
            const std::string& t = *s.text;
            double value = 0;
            const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
            if (ec == std::errc() && end == t.data() + t.size() && std::isfinite(value)) {
                field = value;
                return nullptr;
            }
            break;
        }
        case Scalar::Kind::kBoolean:
            break;
    }
    return "a number";
}

const char* read_time(std::optional<Timestamp>& field, const Scalar& s) {
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

}  // namespace codeguru::json_mapping
