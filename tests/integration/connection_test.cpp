// The database connection from the user's side: connection strings whose
// password must never reach stderr, and a server that stops mid-run.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

// Every line of `err` is a message: none is blank.
bool has_blank_line(const std::string& err) {
  return err.empty() || err.starts_with("\n") || err.find("\n\n") != std::string::npos || err.back() != '\n';
}

// A line of `err` that starts with `prefix` and goes on, after what the
// store was doing (if it said), with `then`.
bool has_line(const std::string& err, const std::string& prefix, const std::string& then) {
  size_t start = 0;
  while (start < err.size()) {
    size_t end = err.find('\n', start);
    if (end == std::string::npos) end = err.size();
    std::string_view line(err.data() + start, end - start);
    if (line.starts_with(prefix) && line.find(then, prefix.size()) != std::string_view::npos) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

TEST_CASE("db: passwords never reach stderr, whatever shape the connection string has") {
  const std::string port = std::to_string(unused_port());
  const std::string at = "127.0.0.1:" + port;
  struct Form {
    std::string url;
    int exit_code;
    std::string shown;  // what the message must say it could not reach
  };
  const Form forms[] = {
      // libpq would take "pa" for a port and "ss-SECRET@..." for a database.
      {"postgresql://pwuser:pa/ss-SECRET@" + at + "/db", 2, "postgresql://pwuser:***@" + at + "/db"},
      // libpq's own error quotes the token: "invalid percent-encoded token: "p%zzSECRET"".
      {"postgresql://u:p%zzSECRET@" + at + "/db", 2, "postgresql://u:***@" + at + "/db"},
      // libpq would look up the host name "SECRET@127.0.0.1".
      {"postgresql://u:S3cret@SECRET@" + at + "/db", 2, "postgresql://u:***@" + at + "/db"},
      // A quoted value with an escaped quote: the old redaction stopped at \'.
      {"host=127.0.0.1 port=" + port + R"( connect_timeout=3 password='ab\' SECRET-TAIL')", 1,
       "host=127.0.0.1 port=" + port + " password=***"},
      {"host=127.0.0.1 port=" + port + " connect_timeout=3 password=xyzSECRET", 1,
       "host=127.0.0.1 port=" + port + " password=***"},
      {"postgresql://u:pwSECRET@" + at + "/db?connect_timeout=3", 1, "postgresql://u:***@" + at + "/db"},
  };
  for (const auto& form : forms) {
    CAPTURE(form.url);
    auto r = run_cli({"--database", form.url, "db", "status"});
    INFO(r.err);
    CHECK(r.exit_code == form.exit_code);
    CHECK(r.err.find("SECRET") == std::string::npos);
    CHECK(r.err.find("S3cret") == std::string::npos);
    CHECK(r.err.starts_with("leakwatch: error: cannot connect to database " + form.shown));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    // The same through the environment and the config file, named as the origin.
    auto env = run_cli({"db", "status"}, "", {{"LEAKWATCH_DATABASE_URL", form.url}});
    CHECK(env.exit_code == form.exit_code);
    CHECK(env.err.find("SECRET") == std::string::npos);
    CHECK(env.err.find("S3cret") == std::string::npos);
  }

  // A key=value string libpq cannot parse is not echoed at all.
  TempDir dir;
  auto cfg = dir.write("leakwatch.toml", "[database]\nurl = \"host=127.0.0.1 password='xyz SECRET\"\n");
  auto r = run_cli({"--config", cfg.string(), "db", "status"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "leakwatch: error: cannot connect to database: the connection string from " + cfg.string() +
                     " [database] url does not parse (unterminated quoted string in connection info string); "
                     "it is not shown, as it may hold a password\n");
}

TEST_CASE("db: PostgreSQL stopping mid-run is said in words on every line, never a blank one") {
  // A throwaway server of its own: stopping the suite's server would break
  // the other tests.
  TempDir pg;
  std::filesystem::permissions(pg.path(), std::filesystem::perms(0755));
  const std::string pg_script = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/pg";
  struct StopServer {
    std::string script, dir;
    ~StopServer() { run_program({script, "stop", dir}); }
  } stop_server{pg_script, pg.path().string()};
  auto started = run_program({pg_script, "start", pg.path().string()});
  REQUIRE_MESSAGE(started.exit_code == 0, started.err);
  std::string url = started.out.substr(0, started.out.find('\n'));
  const std::string server = url.substr(url.find('@') + 1, url.rfind('/') - url.find('@') - 1);  // host:port

  // A "market" that accepts the crawler's connection and never answers:
  // while leakwatch waits on it, its database session is open and idle.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const int market_port = ntohs(addr.sin_port);

  TempDir dir;
  auto key = write_key_file(dir);
  auto cfg = dir.write("leakwatch.toml",
                       "[crawl]\nproxy = \"none\"\ntimeout_s = 120\nmax_tries = 1\n\n"
                       "[[source]]\nname = \"stall\"\nseeds = [\"http://127.0.0.1:" +
                           std::to_string(market_port) + "/\"]\nallow_private = true\n");
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", url},
                                         {"LEAKWATCH_CONFIG", cfg.string()}};
  auto migrated = run_cli({"db", "migrate"}, "", env);
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);

  ChildProcess run({LEAKWATCH_BINARY, "run"}, env, dir.path() / "run.out", dir.path() / "run.err");
  pollfd waiting{listener, POLLIN, 0};
  REQUIRE_MESSAGE(::poll(&waiting, 1, 120'000) == 1, read_file(dir.path() / "run.err"));
  int fetch = ::accept(listener, nullptr, nullptr);
  REQUIRE(fetch >= 0);

  auto stopped = run_program({pg_script, "stop", pg.path().string()});
  REQUIRE(stopped.exit_code == 0);
  ::close(fetch);  // the fetch fails; the crawler goes back to its database
  ::close(listener);

  CHECK(run.wait() == 1);
  std::string err = read_file(dir.path() / "run.err");
  INFO(err);
  CHECK_FALSE(has_blank_line(err));
  CHECK(err.find("Could not obtain client encoding") == std::string::npos);
  // The crawl says it lost the connection; the later stages are not run on
  // a new session (pqxx would reconnect) without the run lock, which went
  // with the lost one; recording the run's end says what it was doing.
  const std::string lost = "lost the connection to the database at " + server + " (";
  CHECK(has_line(err, "leakwatch: error: crawl: ", lost));
  CHECK(err.find("leakwatch: error: extract:") == std::string::npos);
  CHECK(err.find("leakwatch: run 1: the stages after the lost connection did not run") != std::string::npos);
  CHECK(has_line(err, "leakwatch: error: recording the end of run 1: ", lost));
  CHECK(err.find("Is the server running") ==
        std::string::npos);  // libpq's second line, once a blank-line maker

  // A command started after the server stopped says what it could not reach.
  auto status = run_cli({"db", "status"}, "", env);
  CHECK(status.exit_code == 1);
  CHECK(status.err.starts_with("leakwatch: error: cannot connect to database postgresql://leakwatch@" +
                               server));
  CHECK_FALSE(has_blank_line(status.err));
}
