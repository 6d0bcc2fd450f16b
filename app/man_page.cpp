#include "app/man_page.h"

#include <string>
#include <string_view>

#include "app/command.h"

namespace leakwatch::app {
namespace {

// Text as roff shows it: backslashes and hyphens escaped, and a line never
// starting with a control character.
std::string roff(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out.front() == '.' || out.front() == '\'')) out.insert(0, "\\&");
  return out;
}

void write_options(std::ostream& out, const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    if (option == app.get_help_ptr() || option == app.get_help_all_ptr()) continue;
    std::string name = option->get_name(true, true);
    std::string type = option->get_type_name();
    if (option->nonpositional() && !type.empty() && option->get_expected_max() != 0) name += " " + type;
    out << ".TP\n.B " << roff(name) << "\n" << roff(option->get_description()) << "\n";
  }
}

void write_command(std::ostream& out, const CLI::App& app, const std::string& prefix) {
  out << ".SS " << roff(prefix + app.get_name()) << "\n" << roff(app.get_description()) << "\n";
  write_options(out, app);
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    write_command(out, *sub, prefix + app.get_name() + " ");
  }
}

}  // namespace

void write_man_page(std::ostream& out, const CLI::App& root) {
  out << ".TH LEAKWATCH 1 \"\" \"leakwatch " << roff(LEAKWATCH_VERSION) << "\" \"User Commands\"\n"
      << ".SH NAME\nleakwatch \\- " << roff("finds customers whose data is sold on black markets") << "\n"
      << ".SH SYNOPSIS\n.B leakwatch\n"
      << roff("[--config FILE] [--database URL] COMMAND [OPTIONS]") << "\n"
      << ".SH DESCRIPTION\n"
      << roff(
             "leakwatch crawls dark-web markets, breach forums and paste sites through Tor, pulls leaked "
             "Apple IDs (email addresses) and phone numbers out of the listings, and matches keyed hashes "
             "of them against the customer set, which PostgreSQL holds as hashes only. `leakwatch run` is "
             "what cron or a systemd timer calls; `leakwatch doctor` checks beforehand that it can work; "
             "`leakwatch report` writes the breach-notification report.")
      << "\n.SH OPTIONS\n";
  write_options(out, root);
  out << ".SH COMMANDS\n";
  for (const auto& command : commands()) {
    const CLI::App* app = root.get_subcommand(std::string(command.name));
    write_command(out, *app, "");
  }
  out << ".SH FILES\n.TP\n.I /etc/leakwatch/leakwatch.toml\n"
      << roff(
             "the configuration (TOML): [database], [hashing] key_file, [crawl] proxy, one [[source]] per "
             "market; the installed example explains every key")
      << "\n.TP\n.I /etc/leakwatch/leakwatch.key\n"
      << roff(
             "the HMAC key, at least 64 hex digits, mode 0600 (created with `openssl rand -hex 32`); it "
             "never goes into the database")
      << "\n.SH ENVIRONMENT\n.TP\n.B LEAKWATCH_CONFIG\n"
      << roff("the config file when --config is not given (else ./leakwatch.toml)")
      << "\n.TP\n.B LEAKWATCH_DATABASE_URL\n"
      << roff("the database when --database is not given; else [database] url, else libpq's PG* variables")
      << "\n.TP\n.B LEAKWATCH_HMAC_KEY_FILE\n"
      << roff("the key file, instead of [hashing] key_file") << "\n.SH EXIT STATUS\n"
      << roff(
             "0 success; 1 a runtime failure (database, network, every source failed); 2 bad usage or "
             "config. scan: 0 something found, 1 nothing found, 2 an error. doctor: 0 all checks ok, 1 "
             "warnings, 2 failures.")
      << "\n.SH SEE ALSO\n.BR tor (1),\n.BR psql (1),\n.BR systemd.timer (5)\n";
}

}  // namespace leakwatch::app
