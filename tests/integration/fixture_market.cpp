#include "fixture_market.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <curl/curl.h>

#include "harness.h"

namespace leakwatch::testing {
namespace {

struct CurlEasyDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

size_t append_body(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

}  // namespace

int wait_for_port_file(const std::filesystem::path& file, ChildProcess& child, const std::string& what,
                       const std::filesystem::path& err_file) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(file);
    int port = 0;
    if (in >> port && port > 0) return port;
    if (!child.running()) {
      std::string err = read_file(err_file);
      if (err.size() > 2000) err = "..." + err.substr(err.size() - 2000);
      throw std::runtime_error(what + " exited with status " + std::to_string(child.wait()) +
                               " before listening; its stderr: " + (err.empty() ? "(empty)" : err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error(what + " did not write its port file " + file.string() + " within 10 s");
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env,
                           const std::filesystem::path& out_file, const std::filesystem::path& err_file) {
  pid_ = start_child(argv, env, "/dev/null", out_file, err_file);
}

ChildProcess::~ChildProcess() {
  if (running()) {
    kill_now();
    wait();
  }
}

bool ChildProcess::running() {
  if (status_ != -1 || pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
  }
  return true;
}

int ChildProcess::wait() {
  if (status_ != -1) return status_;
  int status = 0;
  ::waitpid(pid_, &status, 0);
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

void ChildProcess::kill_now() {
  if (status_ == -1 && pid_ > 0) ::kill(pid_, SIGKILL);
}

FixtureMarket::FixtureMarket(const std::filesystem::path& dir, const MarketOptions& o)
    : dir_(dir), bind_(o.bind) {
  std::string scripts = std::string(LEAKWATCH_SOURCE_DIR) + "/scripts/fixture_market/";
  std::ostringstream rate, slow, huge;
  rate << o.rate_limit;
  slow << o.slow_s;
  huge << o.huge_mb;
  std::vector<std::string> argv{"python3",      scripts + "server.py",
                                "--port",       "0",
                                "--port-file",  (dir / "market.port").string(),
                                "--pages",      std::to_string(o.pages),
                                "--latency-ms", std::to_string(o.latency_ms),
                                "--rate-limit", rate.str(),
                                "--slow-s",     slow.str(),
                                "--huge-mb",    huge.str(),
                                "--bind",       o.bind};
  if (o.variants) argv.push_back("--variants");
  if (o.hostile) {
    std::ostringstream limit;
    limit << o.hostile_s;
    argv.insert(argv.end(), {"--hostile", "--hostile-s", limit.str()});
  }
  server_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, dir / "market.out",
                                           dir / "market.err");
  port_ = wait_for_port_file(dir / "market.port", *server_, "fixture market", dir / "market.err");
  proxy_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{"python3", scripts + "socks5_proxy.py", "--port", "0", "--port-file",
                               (dir / "proxy.port").string(), "--target-port", std::to_string(port_),
                               "--log-file", (dir / "proxy.log").string()},
      std::map<std::string, std::string>{}, dir / "proxy.out", dir / "proxy.err");
  proxy_port_ = wait_for_port_file(dir / "proxy.port", *proxy_, "SOCKS5 proxy", dir / "proxy.err");
}

nlohmann::json FixtureMarket::manifest() const {
  return nlohmann::json::parse(http_get(port_, "/__manifest", bind_));
}

nlohmann::json FixtureMarket::requests() const {
  return nlohmann::json::parse(http_get(port_, "/__requests", bind_));
}

nlohmann::json FixtureMarket::crawl_summary(bool reset) const {
  return nlohmann::json::parse(http_get(port_, reset ? "/__crawl?reset=1" : "/__crawl", bind_));
}

std::vector<nlohmann::json> FixtureMarket::proxy_log() const {
  std::vector<nlohmann::json> out;
  std::ifstream in(dir_ / "proxy.log");
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

std::string http_get(int port, const std::string& path, const std::string& host) {
  // curl_global_init is not thread-safe: run it once, before the first handle.
  static const bool curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  std::string url = "http://" + host + ":" + std::to_string(port) + path;
  CurlEasy curl(curl_ready ? curl_easy_init() : nullptr);
  if (!curl) throw std::runtime_error("GET " + url + ": libcurl could not be set up");
  std::string body;
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");  // never an http_proxy from the environment
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    throw std::runtime_error("GET " + url + ": " + (error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    throw std::runtime_error("GET " + url + ": HTTP " + std::to_string(status) + ": " + body);
  return body;
}

int unused_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace leakwatch::testing
