#include <iostream>

#include "app/command.h"

namespace leakwatch::app {

void add_help_command(CLI::App& root, Context&, const Command& self) {
  auto* sub = root.add_subcommand(std::string(self.name), std::string(self.summary));
  sub->callback([] { print_command_table(std::cout); });
}

}  // namespace leakwatch::app
