// Error types shared by every module. The CLI (app/) turns them into one line
// on stderr and an exit code: ConfigError -> 2, any other exception -> 1.
// Messages name what is at fault (file:line, source, URL) and never hold
// plaintext identifiers, passwords or cookies.
#pragma once

#include <stdexcept>
#include <string>

namespace leakwatch {

// Bad usage or configuration: the user must change the command or the config.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Something the run depends on failed: database, network, file system.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace leakwatch
