#include <algorithm>
#include <iomanip>
#include <ostream>
#include <vector>

#include "app/command.h"

namespace leakwatch::app {

void add_db_command(CLI::App&, Context&, const Command&);
void add_customers_command(CLI::App&, Context&, const Command&);
void add_help_command(CLI::App&, Context&, const Command&);
void add_crawl_command(CLI::App&, Context&, const Command&);
void add_scan_command(CLI::App&, Context&, const Command&);
void add_extract_command(CLI::App&, Context&, const Command&);
void add_match_command(CLI::App&, Context&, const Command&);
void add_report_command(CLI::App&, Context&, const Command&);
void add_run_command(CLI::App&, Context&, const Command&);
void add_purge_command(CLI::App&, Context&, const Command&);
void add_doctor_command(CLI::App&, Context&, const Command&);

namespace {

const Command kCommands[] = {
    {"db", "apply or list schema migrations (db migrate | db status)", add_db_command},
    {"customers", "import the customer set, hashed on the fly (customers import FILE|-)",
     add_customers_command},
    {"crawl", "fetch the sources' pages (crawl [--source NAME]... [--max-pages N])", add_crawl_command},
    {"scan",
     "match a dump or an archive against the customers, ad hoc (scan [--format text|json] [--all] [--stats] "
     "[FILE...])",
     add_scan_command},
    {"extract", "find identifiers in crawled pages, store them as sightings (hashes only)",
     add_extract_command},
    {"match", "join new sightings and new customers with the other side into exposures (--full: all)", add_match_command},
    {"report",
     "breach-notification report of exposures (report [--since TIME] [--all] [--format json|csv|html] "
     "[-o FILE] [--mark-notified] [--group-by customer])",
     add_report_command},
    {"run", "crawl + extract + match under a lock, for cron (run [--wait] [--json] [--metrics-file PATH])",
     add_run_command},
    {"purge", "drop raw page text past the retention window (purge [--days N])", add_purge_command},
    {"doctor",
     "preflight before `run`: config, database, key file, proxy, sources, disk; exit 0 ok, 1 warnings, "
     "2 failures (doctor [--json] [--quiet])",
     add_doctor_command},
    {"help", "print this table of commands", add_help_command},
};

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const Command> commands() { return kCommands; }

void print_command_table(std::ostream& out) {
  out << "usage: leakwatch [--config FILE] [--database URL] <command> [options]\n\ncommands:\n";
  for (const auto& c : kCommands) out << "  " << std::left << std::setw(11) << c.name << c.summary << "\n";
  out << "\n`leakwatch <command> --help` describes a command's options.\n";
}

std::string_view suggest_command(std::string_view word) {
  std::string_view best;
  size_t best_distance = 3;  // farther than 2 edits is no suggestion
  for (const auto& c : kCommands) {
    size_t d = edit_distance(word, c.name);
    if (c.name.starts_with(word) && !word.empty()) d = 0;
    if (d < best_distance) best = c.name, best_distance = d;
  }
  return best;
}

}  // namespace leakwatch::app
