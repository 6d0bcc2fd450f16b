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
  // [database] lock_timeout_s and statement_timeout_s: how long any statement
  // of any command may wait for a lock, and run, before the server cancels it
  // (PostgreSQL's lock_timeout, statement_timeout; 0: no limit).
  int lock_timeout_s = 60;
  int statement_timeout_s = 1800;
  // [run] stuck_after_s: a run holding the run lock longer than this is
  // reported as stuck by the next `leakwatch run`, which then exits 1.
  int stuck_after_s = 6 * 3600;
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
