// Helpers for integration tests: a fresh database on the test server
// ($LEAKWATCH_TEST_DATABASE_URL, started by scripts/test), the real
// `leakwatch` binary run as a user would, temp dirs and key files.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace leakwatch::testing {

// A database created for one test and dropped when the object dies.
class TestDatabase {
 public:
  TestDatabase();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }
  // Runs `sql` (a single statement returning one value) and returns the value as text.
  std::string query_value(const std::string& sql) const;

 private:
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// A temporary directory removed with its contents when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const;
  // A folder of its own inside this one (one per fixture market, say), made.
  std::filesystem::path subdir(const std::string& name) const;

 private:
  std::filesystem::path path_;
};

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the leakwatch binary with `args`, `stdin_text` on its stdin, and `env`
// added to the environment (LEAKWATCH_* variables of the test process are
// cleared first so tests say what they use).
CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "",
                  const std::map<std::string, std::string>& env = {}, const std::filesystem::path& cwd = {});

// Starts argv[0] (PATH searched) as a child process: stdin, stdout and stderr
// from/to the given files, in `cwd` when given, with LEAKWATCH_* variables
// removed (LEAKWATCH_TEST_* kept) and `env` added. Returns its pid; the caller
// reaps it. Throws std::runtime_error("could not run NAME: CAUSE") when the
// child cannot be started (program not found, not executable, a file or `cwd`
// that cannot be opened): the child reports errno through a close-on-exec
// pipe, which a successful exec closes unread.
pid_t start_child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  const std::filesystem::path& in, const std::filesystem::path& out,
                  const std::filesystem::path& err, const std::filesystem::path& cwd = {});

// Runs any program the same way (e.g. pg_dump) and waits for it; throws as
// start_child does when it cannot be started.
CliResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text = "",
                      const std::map<std::string, std::string>& env = {},
                      const std::filesystem::path& cwd = {});

// Runs the leakwatch binary as run_cli does, but with its stderr on a
// terminal (a pseudo-terminal this process reads), as when a user types the
// command: `err` is what the terminal received (its line discipline turns
// "\n" into "\r\n"); stdout still goes to a file.
CliResult run_cli_on_terminal(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env = {});

// A fresh 32-byte key as hex, written to `dir/name` with mode 0600.
std::filesystem::path write_key_file(const TempDir& dir, const std::string& name = "leakwatch.key");

std::string read_file(const std::filesystem::path& path);

// What most CLI tests start from: a fresh migrated database, a key file, and
// the environment that points leakwatch at both.
struct CliFixture {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", db.url()}};
  CliFixture();  // runs `leakwatch db migrate`; throws if it fails
  // Runs `leakwatch args` with this fixture's env; the test stops (REQUIRE)
  // unless it exits 0, with its stderr in the message.
  CliResult ok(const std::vector<std::string>& args, const std::string& stdin_text = "");
};

}  // namespace leakwatch::testing
