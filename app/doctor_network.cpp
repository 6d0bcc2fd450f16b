#include "app/doctor_network.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "app/crawl_config.h"
#include "crawler/crawl.h"
#include "crawler/fetcher.h"
#include "crawler/parse/page_parser.h"
#include "crawler/parse/url.h"

namespace leakwatch::app {
namespace {

constexpr const char* kStartTor =
    "start Tor (apt-get install tor; systemctl enable --now tor; it listens on 127.0.0.1:9050) or correct "
    "[crawl] proxy";

// One page fetched for one source: its first seed, or its login_check page.
struct Probe {
  size_t source = 0;
  bool login_check = false;
  std::string url;
  crawler::FetchResult result;
  bool login_wall = false;  // redirected to a login page, or the page asks for a login
};

bool is_onion(std::string_view url) {
  auto parts = crawler::parse_url(url);
  return parts && (parts->host.ends_with(".onion") || parts->host == "onion");
}

// socks5:// and socks4:// make libcurl resolve the name itself, here.
bool resolves_locally(std::string_view proxy) {
  return proxy.starts_with("socks5://") || proxy.starts_with("socks4://");
}

void fetch_all(const crawler::CrawlOptions& crawl, const std::vector<crawler::FetchProfile>& profiles,
               std::vector<Probe>& probes) {
  crawler::FetcherOptions options = crawl.defaults;
  options.concurrency = std::max<int>(1, static_cast<int>(probes.size()));
  options.max_tries = 1;
  options.max_rate_limited_tries = 1;
  options.timeout_s = std::min(options.timeout_s, 120);
  crawler::Fetcher fetcher(options);
  for (size_t i = 0; i < probes.size(); ++i) {
    fetcher.submit({i, probes[i].url, &profiles[probes[i].source], {}, {}});
  }
  while (fetcher.pending() > 0) {
    for (auto& r : fetcher.poll(std::chrono::milliseconds(200))) {
      Probe& p = probes[r.id];
      p.result = std::move(r);
      if (p.result.error == crawler::FetchError::kLoginWall) {
        p.login_wall = true;
      } else if (p.result.ok()) {
        p.login_wall = crawler::parse_page(p.result.body, p.result.content_type, p.result.final_url, {},
                                           /*want_links=*/false)
                           .login_wall;
      }
    }
  }
}

CheckResult proxy_result(const std::string& proxy, const std::vector<const Probe*>& probes, bool onion) {
  std::string shown = proxy.empty() ? "no proxy" : proxy;
  if (proxy.empty()) {
    return {"proxy", onion ? CheckStatus::kFail : CheckStatus::kWarn,
            onion ? "no proxy, but seeds are .onion hosts, which only Tor reaches"
                  : "no proxy: direct connections, the sites see this machine's address",
            "[crawl] proxy = \"socks5h://127.0.0.1:9050\" (Tor)"};
  }
  if (resolves_locally(proxy)) {
    std::string fixed = proxy;
    fixed.insert(fixed.find("://"), "h");
    if (fixed.starts_with("socks4h")) fixed.replace(0, 7, "socks4a");
    return {"proxy", onion ? CheckStatus::kFail : CheckStatus::kWarn,
            proxy + " resolves names here, not in the proxy: " +
                (onion ? std::string(".onion names do not resolve, and each is sent to the local DNS")
                       : std::string("every host name is sent to the local DNS")),
            "write " + fixed};
  }
  const Probe* answered = nullptr;
  const Probe* unreachable = nullptr;
  for (const Probe* p : probes) {
    if (p->result.status > 0 || p->login_wall) answered = answered ? answered : p;
    if (p->result.error == crawler::FetchError::kProxyUnreachable) unreachable = p;
  }
  if (answered != nullptr) {
    auto parts = crawler::parse_url(answered->url);
    std::string host = parts ? parts->host : answered->url;
    bool remote = proxy.starts_with("socks5h://") || proxy.starts_with("socks4a://") ||
                  proxy.starts_with("http://") || proxy.starts_with("https://");
    return {"proxy", CheckStatus::kOk,
            proxy + " answers" +
                (remote ? "; it resolved " + host + " itself (names never reach local DNS)" : ""),
            ""};
  }
  if (unreachable != nullptr) {
    return {"proxy", CheckStatus::kFail, "cannot connect to " + shown + ": " + unreachable->result.message,
            kStartTor};
  }
  if (probes.empty()) return {"proxy", CheckStatus::kSkip, shown + ": no source uses it", ""};
  return {"proxy", CheckStatus::kWarn, proxy + " accepts connections but reached none of its sources",
          "is Tor connected? `journalctl -u tor@default | grep Bootstrapped` should say 100%"};
}

std::string page_fix(const crawler::FetchResult& r) {
  using crawler::FetchError;
  switch (r.error) {
    case FetchError::kProxyUnreachable:
      return kStartTor;
    case FetchError::kTimeout:
      return "the host did not answer in time: onion services come and go, try again later (or raise "
             "[crawl] timeout_s)";
    case FetchError::kProxy:
    case FetchError::kResolve:
      return "check the address (a v3 onion name has 56 characters) and whether the site is up";
    case FetchError::kHttpStatus:
      return "check the seed URL: HTTP " + std::to_string(r.status);
    default:
      return "check the URL and that the site is up";
  }
}

CheckResult source_result(const crawler::SourceOptions& s, const Probe& seed, const Probe* login_check) {
  std::string check = "source " + s.name;
  bool has_cookie = !s.cookies.empty() || !s.cookie_file.empty();
  std::string cookie_fix =
      has_cookie ? "the session has expired: log in with Tor Browser, copy the new session cookie into "
                   "cookies = \"name=value\" (or cookie_file) of [[source]] " +
                       s.name
                 : "log in with Tor Browser and copy the session cookie into cookies = \"name=value\" (or "
                   "cookie_file) of [[source]] " +
                       s.name;
  std::string login_note = has_cookie ? "the login cookie is not accepted" : "it asks for a login";
  for (const Probe* p : {&seed, login_check}) {
    if (p == nullptr) continue;
    if (p->login_wall) {
      std::string where = p->result.error == crawler::FetchError::kLoginWall
                              ? p->url + " redirects to the login page " + p->result.login_url
                              : p->url + " shows a login form";
      return {check, CheckStatus::kFail, where + ": " + login_note, cookie_fix};
    }
    if (!p->result.ok()) {
      return {check, CheckStatus::kFail, p->result.message.empty() ? p->url : p->result.message,
              page_fix(p->result)};
    }
  }
  std::string message = seed.url + " answered HTTP " + std::to_string(seed.result.status) + " through " +
                        (s.proxy.empty() ? "a direct connection" : s.proxy);
  if (login_check != nullptr) {
    message += "; the login cookie is accepted (" + login_check->url + ")";
  } else if (has_cookie) {
    message +=
        "; the cookie is checked on the seed only (login_check = URL of a members-only page checks "
        "it there)";
  }
  return {check, CheckStatus::kOk, message, ""};
}

}  // namespace

std::vector<CheckResult> check_network(Context& ctx) {
  const Config& config = ctx.config();
  if (config.table.get("source") == nullptr) return {};
  crawler::CrawlOptions crawl = read_crawl_options(config, {});
  std::vector<crawler::FetchProfile> profiles(crawl.sources.size());
  std::vector<Probe> probes;
  for (size_t i = 0; i < crawl.sources.size(); ++i) {
    const auto& s = crawl.sources[i];
    profiles[i] = crawler::fetch_profile(s, crawl.defaults);
    probes.push_back({i, false, s.seeds.front(), {}, false});
    if (!s.login_check.empty()) probes.push_back({i, true, s.login_check, {}, false});
  }
  fetch_all(crawl, profiles, probes);

  std::vector<CheckResult> results;
  std::map<std::string, std::vector<const Probe*>> by_proxy;
  std::map<std::string, bool> onion_by_proxy;
  for (const auto& p : probes) {
    const auto& s = crawl.sources[p.source];
    by_proxy[s.proxy].push_back(&p);
    onion_by_proxy[s.proxy] = onion_by_proxy[s.proxy] || is_onion(p.url);
  }
  for (const auto& [proxy, list] : by_proxy)
    results.push_back(proxy_result(proxy, list, onion_by_proxy[proxy]));
  for (size_t i = 0; i < crawl.sources.size(); ++i) {
    const Probe* seed = nullptr;
    const Probe* login_check = nullptr;
    for (const auto& p : probes) {
      if (p.source != i) continue;
      (p.login_check ? login_check : seed) = &p;
    }
    results.push_back(source_result(crawl.sources[i], *seed, login_check));
  }
  return results;
}

}  // namespace leakwatch::app
