#include "store/sql_support.hpp"

namespace codeguru::store {

std::string with_schema(std::string_view sql, std::string_view quoted_schema) {
    constexpr std::string_view kPlaceholder = "{schema}";
    std::string result;
    std::size_t from = 0;
    for (std::size_t at; (at = sql.find(kPlaceholder, from)) != std::string_view::npos;
         from = at + kPlaceholder.size()) {
        result.append(sql.substr(from, at - from)).append(quoted_schema);
    }
    return result.append(sql.substr(from));
}

std::optional<std::string> optional_text(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<std::string>();
}

std::optional<std::int64_t> optional_int(const pqxx::field& field) {
    if (field.is_null()) return std::nullopt;
    return field.as<std::int64_t>();
}

}  // namespace codeguru::store
