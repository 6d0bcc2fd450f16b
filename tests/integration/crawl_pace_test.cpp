// How fast each host is asked, from the user's side: `leakwatch crawl`
// against the fixture market through its SOCKS5 proxy (three hosts: shop,
// forum and paste .onion), timed by the market's own request log.
//
// The bounds below are the behaviour the crawler promises (each host at its
// rate, all at once; an automatic rate that finds a host's cap), made
// generous for a loaded machine: they fail only when a host gets a fraction
// of its rate, as it did when 4 requests in flight were all a 1.5 s host got.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include <re2/re2.h>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct PaceCrawl {
  TestDatabase db;
  TempDir dir;
  FixtureMarket market;
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", write_key_file(dir).string()}};

  explicit PaceCrawl(const MarketOptions& options) : market(dir.path(), options) {
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  CliResult crawl(const std::string& crawl_extra,
                  const std::vector<std::pair<std::string, std::string>>& sources) {
    std::string config = "[crawl]\nproxy = \"" + market.proxy() +
                         "\"\ntimeout_s = 20\nretry_base_ms = 100\n" + crawl_extra + "\n";
    for (const auto& [name, extra] : sources) {
      config += "[[source]]\nname = \"" + name + "\"\nseeds = [\"http://" + name +
                ".onion/\"]\nallow_private = true\n" + extra + "\n";
    }
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", config).string();
    return run_cli({"crawl"}, "", env);
  }

  // Per host: the times of its requests (the market's clock, seconds), sorted.
  std::map<std::string, std::vector<double>> request_times() const {
    std::map<std::string, std::vector<double>> out;
    for (const auto& entry : market.requests()) {
      auto& times = out[entry["host"].get<std::string>()];
      for (const auto& at : entry["at"]) times.push_back(at.get<double>());
    }
    for (auto& [host, times] : out) std::sort(times.begin(), times.end());
    return out;
  }

  long statuses(const std::string& status) const {
    long n = 0;
    for (const auto& entry : market.requests()) n += entry["statuses"].value(status, 0);
    return n;
  }
};

}  // namespace

TEST_CASE(
    "crawl pace: every source runs at its own rate at once, whatever its size, and a 1.5 s host still gets "
    "its rate") {
  // Every answer takes 1.5 s. At 6 requests/s a host needs about 9 in
  // flight; the default cap allows them, from rate x latency.
  // --pages 1500: 1,500 shop listings, 75 forum threads, 30 pastes.
  PaceCrawl t(MarketOptions{.pages = 1500, .latency_ms = 1500, .rate_limit = 0});
  auto r = t.crawl("", {{"shop", "rate = 6\nmax_pages = 60\ncookies = \"session=demo\""},
                        {"forum", "rate = 6\nmax_pages = 40"},
                        {"paste", "rate = 6\nmax_pages = 30"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto times = t.request_times();
  REQUIRE(times.size() == 3);
  double start = 1e18;
  for (const auto& [host, at] : times) start = std::min(start, at.front());
  for (const auto& [host, at] : times) {
    INFO(host << ": " << at.size() << " requests from " << at.front() - start << " s to " << at.back() - start
              << " s");
    REQUIRE(at.size() >= 20);
    // No host waits for another: each starts with the crawl, the last listed too.
    CHECK(at.front() - start < 3.0);
    // Each gets its rate while it has work: 6/s, checked at 3.6/s (a 1.5 s
    // host with 4 in flight got at most 2.7/s). The first request (the
    // seed) waits for its answer before links exist, so it is left out.
    double span = at.back() - at[1];
    CHECK(static_cast<double>(at.size() - 2) / span >= 3.6);
    // And never above it: at most 6 per second, plus one for the slot's edge.
    for (size_t i = 0; i + 7 < at.size(); ++i) CHECK(at[i + 7] - at[i] >= 0.99);
  }
  // The summary says how each host was paced.
  CHECK(r.err.find("crawl: host shop.onion") != std::string::npos);
  CHECK(r.err.find("rate now 6.0/s") != std::string::npos);
}

TEST_CASE(
    "crawl pace: rate = \"auto\" finds a capped host's pace: it rises, backs off at 429s, and stays under "
    "max_rate") {
  // The market answers 429 (Retry-After: 1) above 8 requests/s per host.
  PaceCrawl t(MarketOptions{.pages = 3000, .latency_ms = 100, .rate_limit = 8});
  auto r = t.crawl("rate = \"auto\"\nmax_rate = 40", {{"forum", "max_pages = 150"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Nothing was lost to the cap: every page in the frontier was fetched.
  CHECK(t.db.query_value("SELECT count(*) FROM frontier WHERE state NOT IN ('done', 'skipped')") == "0");
  CHECK(std::stol(t.db.query_value("SELECT count(*) FROM frontier WHERE state = 'done'")) >= 100);
  long requests = 0, limited = 0;
  double rate_now = 0;
  REQUIRE_MESSAGE(
      RE2::PartialMatch(
          r.err,
          R"(crawl: host forum\.onion\S*: (\d+) requests, [0-9.]+/s; rate now ([0-9.]+)/s \(auto\), (\d+) answered 429/503)",
          &requests, &rate_now, &limited),
      r.err);
  // It found the cap: 429s happened (that is how AIMD learns it), but few,
  // and the rate it ended at is near the cap, far under max_rate = 40.
  CHECK(limited > 0);
  CHECK(limited == t.statuses("429"));
  CHECK(limited * 5 <= requests);
  CHECK(rate_now <= 14.0);
  CHECK(rate_now >= 2.0);
}

TEST_CASE("crawl pace: rate must be a number or \"auto\"") {
  PaceCrawl t(MarketOptions{.pages = 5, .rate_limit = 0});
  auto r = t.crawl("rate = \"fast\"", {{"paste", ""}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("rate") != std::string::npos);
  CHECK(r.err.find("\"auto\"") != std::string::npos);
}
