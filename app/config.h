// leakwatch.toml: where it is found, what it holds, and how it is validated.
// Every error names the file, the line and the key at fault (ConfigError).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <toml++/toml.h>

namespace leakwatch::app {

struct Config {
  std::filesystem::path file;  // empty when no config file was found
  toml::table table;           // the whole document, for sections read elsewhere ([[source]], [crawl])
  std::string database_url;    // [database] url
  std::optional<std::filesystem::path> key_file;  // [hashing] key_file, relative to the config file
  int key_version = 1;                            // [hashing] key_version
  std::string default_region = "CN";              // [identity] default_region; a list as "US,CA"
  int retention_days = 30;                        // [retention] days
};

// Finds the config: `explicit_path` (--config), else $LEAKWATCH_CONFIG, else
// ./leakwatch.toml when it exists, else an empty Config. A named file that does
// not exist, does not parse, or holds a value of the wrong type throws
// ConfigError "FILE:LINE: [section] key: what is wrong".
Config load_config(const std::optional<std::filesystem::path>& explicit_path);

// Parses `text` as if read from `file` (tests).
Config parse_config(std::string_view text, const std::filesystem::path& file);

// "FILE:LINE: " for a node, for error messages of code that reads `table`.
std::string where(const Config& config, const toml::node& node);

}  // namespace leakwatch::app
