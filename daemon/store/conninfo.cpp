#include "store/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace codeguru::store {
namespace {

// A value quoted for a key=value conninfo: single quotes, with ' and \ escaped.
std::string quoted(std::string_view value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

}  // namespace

std::string effective_conninfo(const std::string& url, std::chrono::milliseconds statement_timeout,
                               bool server_timeout) {
    char* error = nullptr;
    const std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> parsed(
        PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
    if (!parsed) {
        std::string reason = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
            reason.pop_back();
        }
        throw std::invalid_argument("database.url does not parse: " + reason);
    }

    std::vector<std::pair<std::string, std::string>> defaults = {
        {"connect_timeout", "10"}, {"keepalives", "1"},
        {"keepalives_idle", "30"}, {"keepalives_interval", "10"},
        {"keepalives_count", "3"}, {"application_name", "codeguru-syncd"},
    };
    if (server_timeout) {
        defaults.emplace_back("options",
                              "-c statement_timeout=" + std::to_string(statement_timeout.count()));
    }

    std::string conninfo;
    const auto append = [&conninfo](std::string_view key, std::string_view value) {
        if (!conninfo.empty()) conninfo += ' ';
        conninfo.append(key).append("=").append(quoted(value));
    };
    for (const PQconninfoOption* option = parsed.get(); option->keyword != nullptr; ++option) {
        if (option->val == nullptr) continue;
        append(option->keyword, option->val);
        std::erase_if(defaults, [&](const auto& d) { return d.first == option->keyword; });
    }
    for (const auto& [key, value] : defaults) append(key, value);
    return conninfo;
}

bool rejects_startup_options(const std::string& connection_error) {
    return connection_error.find("unsupported startup parameter") != std::string::npos &&
           connection_error.find("options") != std::string::npos;
}

}  // namespace codeguru::store
