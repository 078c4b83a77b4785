#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <string_view>

namespace codeguru::store {

// Returns `sql` with every "{schema}" replaced by `quoted_schema`, an identifier already
// quoted with quote_name(). The store's SQL constants name their schema only this way.
std::string with_schema(std::string_view sql, std::string_view quoted_schema);

// Debian's libpqxx 6.4 is built without std::optional support; these bridge it.
// A bound parameter: nullptr binds SQL NULL.
inline const char* nullable(const std::optional<std::string>& value) {
    return value ? value->c_str() : nullptr;
}
std::optional<std::string> optional_text(const pqxx::field& field);
std::optional<std::int64_t> optional_int(const pqxx::field& field);

}  // namespace codeguru::store
