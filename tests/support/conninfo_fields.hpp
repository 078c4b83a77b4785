#pragma once

#include <string>

namespace codeguru::test {

// The value of KEYWORD in a libpq conninfo string (the last one wins, as in libpq), or ""
// when it is not set. Throws std::runtime_error when the conninfo does not parse.
std::string conninfo_value(const std::string& conninfo, const std::string& keyword);

// The path of the unix socket a conninfo reaches ("<host>/.s.PGSQL.<port>"), for a conninfo
// whose host is a socket directory, as the `pg` fixture's is. Throws otherwise.
std::string postgres_socket_path(const std::string& conninfo);

}  // namespace codeguru::test
