#include "conninfo_fields.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>

namespace codeguru::test {

std::string conninfo_value(const std::string& conninfo, const std::string& keyword) {
    char* error = nullptr;
    std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
        PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
    if (!options) {
        const std::string message = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        throw std::runtime_error("cannot parse the conninfo: " + message);
    }
    for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
        if (keyword == o->keyword) return o->val != nullptr ? o->val : "";
    }
    throw std::runtime_error("not a libpq conninfo keyword: " + keyword);
}

std::string postgres_socket_path(const std::string& conninfo) {
    const std::string host = conninfo_value(conninfo, "host");
    const std::string port = conninfo_value(conninfo, "port");
    if (host.empty() || host.front() != '/') {
        throw std::runtime_error("the conninfo's host is not a unix socket directory: '" + host +
                                 "'");
    }
    return host + "/.s.PGSQL." + (port.empty() ? "5432" : port);
}

}  // namespace codeguru::test
