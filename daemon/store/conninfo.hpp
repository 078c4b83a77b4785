#pragma once

#include <chrono>
#include <string>

namespace codeguru::store {

// The daemon's connection defaults, each applied only when the operator's URL does not set
// that keyword: connect_timeout=10, keepalives=1, keepalives_idle=30, keepalives_interval=10,
// keepalives_count=3, application_name=codeguru-syncd and, when `server_timeout` is true,
// options='-c statement_timeout=<ms>'. Returns a key=value conninfo holding everything the
// URL set (URI or key=value form) plus those defaults. Throws std::invalid_argument with
// libpq's reason (never the URL, which may hold a password) when the URL does not parse.
std::string effective_conninfo(const std::string& url, std::chrono::milliseconds statement_timeout,
                               bool server_timeout);

// True when a connection failure says that the server side refuses the startup parameter
// `options` (PgBouncer without ignore_startup_parameters = options, some proxies).
bool rejects_startup_options(const std::string& connection_error);

}  // namespace codeguru::store
