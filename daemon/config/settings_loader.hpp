#pragma once

#include "aws/env_lookup.hpp"
#include "config/command_line.hpp"
#include "config/settings.hpp"

namespace codeguru {

// The effective settings: the INI file named by the command line (SPEC §4), then its
// --section.key overrides (a sync.scan override replaces the file's list), then --scan
// (replaces the scan list), then --log-level. Every value is validated. A default config
// path that does not exist is skipped; an explicit one must be readable. In the file, text
// from ';' or '#' to the end of a line is a comment. An empty aws.region is found as the
// AWS SDKs do: AWS_REGION, then AWS_DEFAULT_REGION, then the `region` of the AWS profile
// (aws.profile, else AWS_PROFILE, else "default"), all read through `env`.
// Throws ConfigError naming the key.
Settings load_settings(const CommandLine& command_line,
                       const aws::EnvLookup& env = aws::process_environment());

// Syncing needs something to sync: throws ConfigError("sync.scan", ...) unless the settings
// name at least one scan or a scan prefix. Other modes (--migrate) need not call it.
void require_scans(const Settings& settings);

}  // namespace codeguru
