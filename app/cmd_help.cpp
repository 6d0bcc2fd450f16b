#include <iostream>

#include "app/command.h"
#include "app/man_page.h"

namespace leakwatch::app {

void add_help_command(CLI::App& root, Context&, const Command& self) {
  auto* sub = root.add_subcommand(std::string(self.name), std::string(self.summary));
  auto man = std::make_shared<bool>(false);
  sub->add_flag("--man", *man, "print the manual page leakwatch.1 (roff), made from this same table");
  sub->callback([&root, man] {
    if (*man) {
      write_man_page(std::cout, root);
    } else {
      print_command_table(std::cout);
    }
  });
}

}  // namespace leakwatch::app
