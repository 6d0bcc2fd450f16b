// Crawl-test helpers: the fixture market (scripts/fixture_market/server.py)
// and its SOCKS5 proxy as child processes on free loopback ports, HTTP GETs
// of its JSON endpoints, and `leakwatch` started in the background (for
// kill -9 and concurrent runs).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace leakwatch::testing {

// A child process; killed (SIGKILL) and reaped on destruction if still running.
class ChildProcess {
 public:
  // Starts `argv` with `env` added to (and LEAKWATCH_* removed from) the
  // environment; stdout and stderr go to `out_file` and `err_file`.
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::filesystem::path& out_file, const std::filesystem::path& err_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for the exit and returns the exit code (128 + signal when killed).
  int wait();
  void kill_now();  // SIGKILL
  bool running();

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

struct MarketOptions {
  int pages = 20;
  int latency_ms = 0;
  double rate_limit = 20;  // requests/s per host before 429; 0: none
  double slow_s = 1.0;
  double huge_mb = 3.0;
  bool variants = false;           // --variants: links carry content-neutral parameters
  bool hostile = false;            // serve the hostile market (hostile.onion) too
  double hostile_s = 30;           // when its endless and stalled bodies are closed
  std::string bind = "127.0.0.1";  // the loopback address it listens on
};

// The fixture market and a SOCKS5 proxy in front of it, for one test.
class FixtureMarket {
 public:
  FixtureMarket(const std::filesystem::path& dir, const MarketOptions& options = {});
  int port() const { return port_; }
  int proxy_port() const { return proxy_port_; }
  std::string proxy(const std::string& scheme = "socks5h") const {
    return scheme + "://127.0.0.1:" + std::to_string(proxy_port_);
  }
  nlohmann::json manifest() const;
  // The request log: one object per (host, path) with "count", "statuses"
  // and "at" (the market's monotonic clock, seconds, one per request).
  nlohmann::json requests() const;
  // /__crawl: per Host, fetches, distinct pages, variant fetches and the
  // page keys (scripts/fixture_market/README.md); `reset` starts it again.
  nlohmann::json crawl_summary(bool reset = false) const;
  // The proxy's CONNECT log (one JSON object per line).
  std::vector<nlohmann::json> proxy_log() const;

 private:
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> server_;
  std::unique_ptr<ChildProcess> proxy_;
  int port_ = 0;
  int proxy_port_ = 0;
  std::string bind_;
};

// GETs http://127.0.0.1:port/path with libcurl (no proxy) and returns the
// body; throws std::runtime_error on a transfer error or a status other than 200.
std::string http_get(int port, const std::string& path, const std::string& host = "127.0.0.1");

// Waits (up to 10 s) for `child` to write the port it listens on into `file`
// and returns it. Throws std::runtime_error naming `what` if the child exits
// first (with its exit status and the end of `err_file`, its stderr) or never
// writes the file.
int wait_for_port_file(const std::filesystem::path& file, ChildProcess& child, const std::string& what,
                       const std::filesystem::path& err_file);

// A loopback TCP port nothing listens on (bound, then closed).
int unused_port();

}  // namespace leakwatch::testing
