// The table of subcommands (Ninja's style): one file per command, each
// registering itself with CLI11 through an `add` function listed in
// command_table.cpp.
#pragma once

#include <span>
#include <string_view>

#include <CLI/CLI.hpp>

#include "app/context.h"

namespace leakwatch::app {

struct Command {
  std::string_view name;
  std::string_view summary;
  // Adds the subcommand to `root`. Its callback runs the command and sets
  // ctx.exit_code; failures are thrown (ConfigError -> 2, others -> 1).
  void (*add)(CLI::App& root, Context& ctx, const Command& self);
};

std::span<const Command> commands();

// Prints the table of commands (for `leakwatch help`).
void print_command_table(std::ostream& out);

// The known command closest to `word` by edit distance, or "" when none is close.
std::string_view suggest_command(std::string_view word);

}  // namespace leakwatch::app
