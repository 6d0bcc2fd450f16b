#include "harness.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

#include <pqxx/pqxx>

extern char** environ;

namespace leakwatch::testing {
namespace {

std::string test_server_url() {
  const char* url = std::getenv("LEAKWATCH_TEST_DATABASE_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error(
        "LEAKWATCH_TEST_DATABASE_URL is not set: integration tests need a PostgreSQL server "
        "(scripts/test starts one)");
  }
  return url;
}

// postgresql://user@host:port/db -> same with another database name.
std::string with_database(const std::string& url, const std::string& db) {
  auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + db;
}

}  // namespace

TestDatabase::TestDatabase() {
  static std::atomic<int> counter{0};
  admin_url_ = test_server_url();
  name_ = "lwtest_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection conn(admin_url_);
  pqxx::nontransaction tx(conn);
  tx.exec0("DROP DATABASE IF EXISTS " + name_);
  tx.exec0("CREATE DATABASE " + name_);
  url_ = with_database(admin_url_, name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection conn(admin_url_);
    pqxx::nontransaction tx(conn);
    tx.exec0("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

std::string TestDatabase::query_value(const std::string& sql) const {
  pqxx::connection conn(url_);
  pqxx::nontransaction tx(conn);
  auto r = tx.exec1(sql);
  return r[0].is_null() ? std::string("NULL") : r[0].as<std::string>();
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "leakwatch-test.XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

std::filesystem::path TempDir::subdir(const std::string& name) const {
  auto path = path_ / name;
  std::filesystem::create_directories(path);
  return path;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& content) const {
  auto p = path_ / name;
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

// What a child that could not exec writes to its parent: which step failed
// and errno.
struct StartFailure {
  enum Step : int { kStdin, kStdout, kStderr, kCwd, kExec } step;
  int error;
};

// In the child: only async-signal-safe calls (the parent may have threads).
[[noreturn]] void fail_start(int report_fd, StartFailure::Step step) {
  StartFailure f{step, errno};
  [[maybe_unused]] ssize_t n = ::write(report_fd, &f, sizeof f);
  _exit(127);
}

}  // namespace

pid_t start_child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  const std::filesystem::path& in_path, const std::filesystem::path& out_path,
                  const std::filesystem::path& err_path, const std::filesystem::path& cwd) {
  if (argv.empty()) throw std::invalid_argument("start_child: empty argv");
  // Everything the child needs is built here, before fork(), so that the
  // child allocates nothing.
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view entry(*e);
    std::string_view name = entry.substr(0, entry.find('='));
    bool ours = name.starts_with("LEAKWATCH_") && !name.starts_with("LEAKWATCH_TEST_");
    if (!ours && !env.contains(std::string(name))) env_strings.emplace_back(entry);
  }
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    throw std::runtime_error("could not run " + argv[0] + ": pipe: " + std::strerror(errno));
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(report[0]);
    ::close(report[1]);
    throw std::runtime_error("could not run " + argv[0] + ": fork: " + std::strerror(e));
  }
  if (pid == 0) {
    ::close(report[0]);
    // O_CLOEXEC: only the dup2() copies (0, 1, 2) reach the program.
    int in = ::open(in_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0 || ::dup2(in, 0) < 0) fail_start(report[1], StartFailure::kStdin);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0 || ::dup2(out, 1) < 0) fail_start(report[1], StartFailure::kStdout);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (err < 0 || ::dup2(err, 2) < 0) fail_start(report[1], StartFailure::kStderr);
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) fail_start(report[1], StartFailure::kCwd);
    ::execvpe(args[0], args.data(), envp.data());
    fail_start(report[1], StartFailure::kExec);
  }
  ::close(report[1]);
  StartFailure failure{};
  ssize_t n;
  do {
    n = ::read(report[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n != static_cast<ssize_t>(sizeof failure)) return pid;  // exec succeeded: the pipe closed unread

  ::waitpid(pid, nullptr, 0);
  std::string cause = std::strerror(failure.error);
  switch (failure.step) {
    case StartFailure::kStdin:
      cause = "open " + in_path.string() + " (stdin): " + cause;
      break;
    case StartFailure::kStdout:
      cause = "open " + out_path.string() + " (stdout): " + cause;
      break;
    case StartFailure::kStderr:
      cause = "open " + err_path.string() + " (stderr): " + cause;
      break;
    case StartFailure::kCwd:
      cause = "cd " + cwd.string() + ": " + cause;
      break;
    case StartFailure::kExec:
      break;
  }
  throw std::runtime_error("could not run " + argv[0] + ": " + cause);
}

CliResult run_program(const std::vector<std::string>& argv, const std::string& stdin_text,
                      const std::map<std::string, std::string>& env, const std::filesystem::path& cwd) {
  TempDir io;
  auto in_path = io.write("stdin", stdin_text);
  auto out_path = io.path() / "stdout";
  auto err_path = io.path() / "stderr";
  pid_t pid = start_child(argv, env, in_path, out_path, err_path, cwd);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text,
                  const std::map<std::string, std::string>& env, const std::filesystem::path& cwd) {
  std::vector<std::string> argv{LEAKWATCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, stdin_text, env, cwd);
}

CliResult run_cli_on_terminal(const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& env) {
  int master = -1, terminal = -1;
  if (::openpty(&master, &terminal, nullptr, nullptr, nullptr) != 0) {
    throw std::runtime_error(std::string("openpty: ") + std::strerror(errno));
  }
  std::string terminal_path = ::ttyname(terminal);
  // Read while the child writes: a full terminal buffer would stop it.
  std::string received;
  std::thread reader([master, &received] {
    char buf[4096];
    ssize_t n;
    // EIO once every copy of the terminal side is closed: the child ended.
    while ((n = ::read(master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {
      if (n > 0) received.append(buf, static_cast<size_t>(n));
    }
  });
  TempDir io;
  auto in_path = io.write("stdin", "");
  auto out_path = io.path() / "stdout";
  std::vector<std::string> argv{LEAKWATCH_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_t pid = -1;
  try {
    pid = start_child(argv, env, in_path, out_path, terminal_path);
  } catch (...) {
    ::close(terminal);
    reader.join();
    ::close(master);
    throw;
  }
  ::close(terminal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  reader.join();
  ::close(master);
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = std::move(received);
  return r;
}

std::filesystem::path write_key_file(const TempDir& dir, const std::string& name) {
  std::random_device rd;
  std::string hex;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 64; ++i) hex.push_back(digits[rd() % 16]);
  auto p = dir.write(name, hex + "\n");
  std::filesystem::permissions(p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return p;
}

CliFixture::CliFixture() {
  auto r = run_cli({"db", "migrate"}, "", env);
  if (r.exit_code != 0) throw std::runtime_error("leakwatch db migrate failed: " + r.err);
}

CliResult CliFixture::ok(const std::vector<std::string>& args, const std::string& stdin_text) {
  auto r = run_cli(args, stdin_text, env);
  INFO(args.front() << ": " << r.err);
  REQUIRE(r.exit_code == 0);
  return r;
}

}  // namespace leakwatch::testing
