// leakwatch: the command-line entry point. Parses the global options, hands
// the subcommand to its file (see command_table.cpp), and turns failures into
// one line on stderr and an exit code: 0 success, 1 runtime failure, 2 usage.
#include <iostream>
#include <string>

#include <curl/curl.h>

#include "app/command.h"
#include "core/errors.h"
#include "core/one_line.h"

namespace {

int fail(int code, const std::string& message) {
  std::cerr << "leakwatch: error: " << leakwatch::one_line(message) << "\n";
  return code;
}

// CLI11 reports an unknown command as an unexpected argument; find it first
// so the user gets "did you mean".
std::optional<std::string> unknown_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" || arg == "--database") {
      ++i;
      continue;
    }
    if (arg.starts_with("-")) continue;
    for (const auto& c : leakwatch::app::commands()) {
      if (c.name == arg) return std::nullopt;
    }
    return std::string(arg);
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace leakwatch;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  struct CurlGlobal {
    ~CurlGlobal() { curl_global_cleanup(); }
  } curl_global;

  if (auto word = unknown_command(argc, argv)) {
    auto suggestion = app::suggest_command(*word);
    std::string message = "unknown command '" + *word + "'";
    if (!suggestion.empty()) message += " (did you mean '" + std::string(suggestion) + "'?)";
    fail(2, message + "; `leakwatch help` lists the commands");
    return 2;
  }

  app::GlobalOptions options;
  CLI::App cli("leakwatch: finds customers whose data is sold on black markets", "leakwatch");
  cli.set_version_flag("--version", std::string(LEAKWATCH_VERSION));
  cli.add_option("--config", options.config_path,
                 "config file (default: $LEAKWATCH_CONFIG or ./leakwatch.toml)");
  cli.add_option("--database", options.database_url,
                 "PostgreSQL URL (default: $LEAKWATCH_DATABASE_URL, [database] url, or PG* variables)");
  cli.require_subcommand(1);
  cli.footer("Run `leakwatch help` for the table of commands, `leakwatch <command> --help` for one.");

  app::Context ctx(options);
  for (const auto& command : app::commands()) command.add(cli, ctx, command);

  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(2, std::string(e.what()) + "; see `leakwatch --help`");
  } catch (const ConfigError& e) {
    return fail(2, ctx.describe_failure(e));
  } catch (const std::exception& e) {
    return fail(ctx.failure_exit_code, ctx.describe_failure(e));
  }
  return ctx.exit_code;
}
