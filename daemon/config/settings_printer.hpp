#pragma once

#include <string>
#include <string_view>

#include "config/settings.hpp"

namespace codeguru {

// The effective settings as INI text that load_settings reads back (for --check-config):
// every key, durations formatted, one `scan =` line per scan, the database password masked.
std::string describe_settings(const Settings& settings);

// The libpq connection string with every password replaced by "***": in a URI's user info
// (postgresql://user:***@host/db) or `password` query parameter, in a key=value
// `password=...` (quoted or not), and in a `dbname=` that is itself a URI. The rest is kept.
std::string mask_database_url(std::string_view url);

// metrics.listen as the file spells it: "host:port", "[v6addr]:port", or "" when off.
std::string format_listen_address(const MetricsSettings& metrics);

}  // namespace codeguru
