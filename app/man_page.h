// leakwatch.1: the manual page, written from the same command table and
// CLI11 option descriptions as `--help` (`leakwatch help --man`; the build
// runs it to make build/app/leakwatch.1.gz, which `cmake --install` and the
// .deb put under share/man/man1).
#pragma once

#include <ostream>

#include <CLI/CLI.hpp>

namespace leakwatch::app {

// Writes the page in roff (man(7) macros) for the fully built `root`.
void write_man_page(std::ostream& out, const CLI::App& root);

}  // namespace leakwatch::app
