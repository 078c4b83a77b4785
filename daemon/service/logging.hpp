#pragma once

#include <string>

namespace codeguru::service {

// True when stderr is connected to the systemd journal (JOURNAL_STREAM names
// stderr's device and inode), not merely inherited from a parent.
bool stderr_is_journal();

// Logs to stderr at `level` (trace|debug|info|warn|error|critical|off). Under the
// journal: no timestamps, and a "<N>" syslog priority prefix on every line so that
// journald records the level; elsewhere: readable local timestamps.
void setup_logging(const std::string& level, bool journal);

// Changes the level of the running logger (after a config reload).
void set_log_level(const std::string& level);

}  // namespace codeguru::service
