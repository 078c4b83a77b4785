#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>

#include "config/settings.hpp"

namespace codeguru::service {

// True when stderr is connected to the systemd journal (JOURNAL_STREAM names
// stderr's device and inode), not merely inherited from a parent.
bool stderr_is_journal();

// The line format of `format`. Text: readable local timestamps, or under the journal no
// timestamp and a "<N>" syslog priority prefix that journald stores as the entry's
// priority. JSON: one object per line, {"time":"<UTC, ms>","level":"...","message":"..."},
// with the "<N>" prefix as well under the journal.
std::unique_ptr<spdlog::formatter> make_log_formatter(LogFormat format, bool journal);

// Makes the default logger write to stderr in `settings`' format and level. Call it once,
// before other threads log.
void setup_logging(const LogSettings& settings, bool journal);

// Changes the level and format of the running logger (after a config reload).
// Thread-safe: log calls from other threads go on.
void reconfigure_logging(const LogSettings& settings, bool journal);

}  // namespace codeguru::service
