// Files the command line writes for other programs to read.
#pragma once

#include <filesystem>
#include <string>

namespace leakwatch::app {

// Writes `content` to `path` through a temp file in the same folder, flushed
// to disk and renamed over it, so readers see the old file or the new one.
// For `report -o` and `run --metrics-file`. Throws RuntimeError naming the file.
void write_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace leakwatch::app
