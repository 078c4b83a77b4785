#pragma once

#include <string>
#include <string_view>

namespace codeguru::report {

// Writes `content` to `path` atomically: a temporary file in the same directory, flushed
// to disk, mode 0644, then renamed over `path`. A reader sees the old file or the whole new
// one, never a part; on failure the temporary file is removed and `path` is as it was.
// Throws std::system_error naming the path.
void write_file_atomically(const std::string& path, std::string_view content);

}  // namespace codeguru::report
