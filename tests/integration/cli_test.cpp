#include <doctest/doctest.h>

#include <algorithm>

#include "harness.h"

using namespace leakwatch::testing;

TEST_CASE("cli: --help and help list the commands, exit 0") {
  auto help = run_cli({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("customers") != std::string::npos);
  auto table = run_cli({"help"});
  CHECK(table.exit_code == 0);
  CHECK(table.out.find("  db ") != std::string::npos);
  CHECK(table.out.find("  customers ") != std::string::npos);
  auto sub = run_cli({"customers", "import", "--help"});
  CHECK(sub.exit_code == 0);
  CHECK(sub.out.find("--strict") != std::string::npos);
}

TEST_CASE("cli: an unknown command gets a suggestion and exit 2") {
  auto r = run_cli({"custmers", "import", "x.csv"});
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "leakwatch: error: unknown command 'custmers' (did you mean 'customers'?); `leakwatch help` lists "
        "the commands\n");
  CHECK(r.out.empty());
}

TEST_CASE("cli: a bad option is a usage error on one line, exit 2") {
  auto r = run_cli({"customers", "import", "--no-such-flag", "x.csv"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.starts_with("leakwatch: error: "));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("config: a malformed file names the file and line, exit 2") {
  TempDir dir;
  auto cfg =
      dir.write("leakwatch.toml", "[database]\nurl = \"postgresql://x\"\n\n[hashing\nkey_file = \"k\"\n");
  auto r = run_cli({"--config", cfg.string(), "db", "status"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(cfg.string() + ":4:") != std::string::npos);
}

TEST_CASE("config: a value of the wrong type names file, line and key") {
  TempDir dir;
  auto cfg = dir.write("leakwatch.toml", "[database]\nurl = \"postgresql://x\"\n[hashing]\nkey_file = 42\n");
  auto r = run_cli({"--config", cfg.string(), "customers", "import", "-"}, "customer_id,email\n");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "leakwatch: error: " + cfg.string() + ":4: [hashing] key_file: expected a string\n");
}

TEST_CASE("config: an unknown key in any table is refused with file, line and key, exit 2") {
  TempDir dir;
  struct Typo {
    std::string toml;
    std::string message;  // after "FILE:"
  };
  const Typo typos[] = {
      {"[hashing]\nkey_file = \"k\"\nkey_verison = 2\n",
       "3: [hashing] key_verison: unknown key (known: key_file, key_version)"},
      {"[database]\nurll = \"postgresql://x\"\n",
       "2: [database] urll: unknown key (known: url, lock_timeout_s, statement_timeout_s)"},
      {"[identity]\ndefault_regoin = \"US\"\n",
       "2: [identity] default_regoin: unknown key (known: default_region)"},
      {"[retention]\n\ndayz = 7\n", "3: [retention] dayz: unknown key (known: days)"},
      {"[database]\nurl = \"x\"\n[hasing]\nkey_file = \"k\"\n",
       "3: [hasing]: unknown table (known: database, hashing, identity, retention, run, crawl, source)"},
      {"typo = 1\n",
       "1: typo: unknown key (known: database, hashing, identity, retention, run, crawl, source)"},
  };
  for (const auto& typo : typos) {
    CAPTURE(typo.toml);
    auto cfg = dir.write("leakwatch.toml", typo.toml);
    // `db status` and `scan` read different tables; both refuse the file.
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"db", "status"}, std::vector<std::string>{"scan", "-"}}) {
      std::vector<std::string> args{"--config", cfg.string()};
      args.insert(args.end(), command.begin(), command.end());
      auto r = run_cli(args, "nothing here\n");
      CHECK(r.exit_code == 2);
      CHECK_MESSAGE(r.err.starts_with("leakwatch: error: " + cfg.string() + ":" + typo.message), r.err);
      CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
  }
  // Out of range values name their line too.
  auto cfg = dir.write("leakwatch.toml", "[hashing]\nkey_version = 0\n");
  auto r = run_cli({"--config", cfg.string(), "scan", "-"}, "");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "leakwatch: error: " + cfg.string() + ":2: [hashing] key_version: must be between 1 and 32767\n");
}

TEST_CASE("config: found through $LEAKWATCH_CONFIG and ./leakwatch.toml; --database wins over both") {
  TestDatabase db;
  TempDir dir;
  auto cfg = dir.write("leakwatch.toml", "[database]\nurl = \"" + db.url() + "\"\n");
  auto via_env = run_cli({"db", "migrate"}, "", {{"LEAKWATCH_CONFIG", cfg.string()}});
  CHECK_MESSAGE(via_env.exit_code == 0, via_env.err);
  auto via_cwd = run_cli({"db", "status"}, "", {}, dir.path());
  CHECK_MESSAGE(via_cwd.exit_code == 0, via_cwd.err);
  CHECK(via_cwd.out.find("applied  0001") != std::string::npos);
  auto override_url =
      run_cli({"--database", "postgresql://nobody@127.0.0.1:1/x?connect_timeout=2", "db", "status"}, "",
              {{"LEAKWATCH_CONFIG", cfg.string()}});
  CHECK(override_url.exit_code == 1);
  CHECK(override_url.err.find("127.0.0.1:1") != std::string::npos);
  auto env_url = run_cli({"db", "status"}, "",
                         {{"LEAKWATCH_CONFIG", cfg.string()},
                          {"LEAKWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/y?connect_timeout=2"}});
  CHECK(env_url.exit_code == 1);
  CHECK(env_url.err.find("127.0.0.1:1/y") != std::string::npos);
}

TEST_CASE("config: an explicit --config that does not exist is an error naming it") {
  auto r = run_cli({"--config", "/nonexistent/leakwatch.toml", "db", "status"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/nonexistent/leakwatch.toml") != std::string::npos);
}

TEST_CASE("cli: with no config and no database given, the connection error says that no config was found") {
  TempDir dir;  // the working directory: no ./leakwatch.toml
  // libpq's defaults, aimed at a socket directory where no server runs.
  std::map<std::string, std::string> env{{"PGHOST", dir.path().string()}, {"PGPORT", "5"}};
  auto r = run_cli({"report"}, "", env, dir.path());
  CHECK(r.exit_code == 1);
  CHECK(r.err.starts_with("leakwatch: error: cannot connect to database (from PG* environment): "));
  CHECK(r.err.find("no config file was found (--config FILE, $LEAKWATCH_CONFIG or ./leakwatch.toml)") !=
        std::string::npos);
  CHECK(r.err.find("`leakwatch doctor`") != std::string::npos);

  // A database named on the command line: its own error, no word of configs.
  auto named = run_cli({"--database", "postgresql://127.0.0.1:5/x", "report"}, "", env, dir.path());
  CHECK(named.exit_code == 1);
  CHECK(named.err.find("cannot connect to database postgresql://127.0.0.1:5/x") != std::string::npos);
  CHECK(named.err.find("no config file") == std::string::npos);
}
