#pragma once

#include <ostream>

#include "aws/env_lookup.hpp"
#include "config/command_line.hpp"
#include "config/settings.hpp"
#include "util/stop_flag.hpp"

namespace codeguru::service {

// --check (SPEC §3): whether the daemon can run with `settings`, which the caller has loaded
// from `command_line`, checked the way the daemon works and without changing anything.
// Writes one line per check to `out`, "ok   NAME: detail", "FAIL NAME: error" or
// "skip NAME: why", in this order:
//   config       the file the settings came from and the region;
//   credentials  the AWS default chain resolves; names the source, never a secret;
//   database     reachable, and its schema at the newest migration of this binary
//                (read only: nothing is migrated);
//   endpoint     answers one signed ListScans (maxResults=1) through the daemon's client
//                stack; any error answer fails it. Skipped without credentials.
// Every check runs even when an earlier one failed, unless it needs what failed. A stop
// request aborts the API requests in flight. Returns true when every check passed.
bool run_preflight_check(const Settings& settings, const CommandLine& command_line, StopFlag& stop,
                         std::ostream& out, const aws::EnvLookup& env = aws::process_environment());

}  // namespace codeguru::service
