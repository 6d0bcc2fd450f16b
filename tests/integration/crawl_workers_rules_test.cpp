// Crawl workers share what they learn about URL parameters (issue #18,
// part 4): a rule one worker proved (a parameter that never changes a page)
// spares the other workers the variants, while they run. From the user's
// side: two `leakwatch crawl` processes on one database, each behind a
// proxy of its own to a fixture market of its own (the same seed, so the
// same pages), as two machines each with its own Tor client would be; each
// market's request log is then one worker's requests.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <re2/re2.h>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

constexpr int kPages = 80;

struct TwoMachines {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  FixtureMarket market_a{dir.subdir("a"),
                         MarketOptions{.pages = kPages, .latency_ms = 50, .rate_limit = 0, .variants = true}};
  // Slow: worker B is stopped while it waits for its first answers.
  FixtureMarket market_b{
      dir.subdir("b"), MarketOptions{.pages = kPages, .latency_ms = 500, .rate_limit = 0, .variants = true}};

  TwoMachines() {
    auto r = run_cli({"db", "migrate"}, "", env(market_a, ""));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // The environment of a worker behind `market`'s proxy; `extra` goes into
  // both [[source]] tables (the shop's listings sit behind its login wall).
  std::map<std::string, std::string> env(const FixtureMarket& market, const std::string& extra) {
    std::string config = "[crawl]\nproxy = \"" + market.proxy() +
                         "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = 20\n"
                         "retry_base_ms = 100\nheartbeat_s = 1\n";
    for (const char* name : {"shop", "forum"}) {
      config += std::string("[[source]]\nname = \"") + name + "\"\nseeds = [\"http://" + name +
                ".onion/\"]\nallow_private = true\nrate = 100\ncookies = \"session=demo\"\n" + extra + "\n";
    }
    const std::string file = &market == &market_a ? "a.toml" : "b.toml";
    return {{"LEAKWATCH_DATABASE_URL", db.url()},
            {"LEAKWATCH_HMAC_KEY_FILE", key.string()},
            {"LEAKWATCH_CONFIG", dir.write(file, config).string()}};
  }

  long count(const std::string& sql) const { return std::stol(db.query_value(sql)); }
};

// "http://shop.onion/listing/{n}" of host "shop.onion" and path
// "/listing/12?sort=price": the pattern rules are stored under.
std::string pattern_of(const std::string& host, const std::string& path) {
  std::string out = "http://" + host;
  const std::string bare = path.substr(0, path.find('?'));
  for (std::size_t at = 0; at < bare.size();) {  // each "/segment": all digits become {n}
    std::size_t end = bare.find('/', at + 1);
    if (end == std::string::npos) end = bare.size();
    const std::string segment = bare.substr(at + 1, end - at - 1);
    const bool number = !segment.empty() && segment.find_first_not_of("0123456789") == std::string::npos;
    out += "/" + (number ? std::string("{n}") : segment);
    at = end;
  }
  return out;
}

// The names of the query parameters of `path` ("/listing/12?sort=price&ref=x").
std::vector<std::string> param_names(const std::string& path) {
  std::vector<std::string> out;
  static const RE2 param("[?&]([^=&]+)");
  re2::StringPiece rest(path);
  std::string name;
  while (RE2::FindAndConsume(&rest, param, &name)) out.push_back(name);
  return out;
}

// "(57 URL variants left out)" of a worker's summary; -1 when absent.
long variants_left_out(const std::string& err) {
  long n = -1;
  return RE2::PartialMatch(err, R"(\((\d+) URL variants left out\))", &n) ? n : -1;
}

}  // namespace

TEST_CASE("crawl workers: a URL-parameter rule learned by one worker is applied by another while it runs") {
  TwoMachines t;
  // Worker B learns nothing itself (learn_params = false): every variant it
  // leaves out, it leaves out by a rule another worker stored.
  auto b = std::make_unique<ChildProcess>(std::vector<std::string>{LEAKWATCH_BINARY, "crawl"},
                                          t.env(t.market_b, "learn_params = false"), t.dir.path() / "b.out",
                                          t.dir.path() / "b.err");
  // B has read the stored rules (there are none yet) and leased the seeds
  // when it holds a lease; it is stopped then, while it waits for the slow
  // market's first answers, as a machine that is slow, or busy elsewhere.
  bool leased = false;
  for (int i = 0; i < 1000 && !leased && b->running(); ++i) {
    leased = t.count(
                 "SELECT count(*) FROM frontier f JOIN crawl_workers w ON w.worker = f.lease_owner"
                 " WHERE f.state = 'leased' AND w.worker LIKE '%:" +
                 std::to_string(b->pid()) + ":%'") > 0;
    if (!leased) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE_MESSAGE(leased, read_file(t.dir.path() / "b.err"));
  REQUIRE(::kill(b->pid(), SIGSTOP) == 0);
  REQUIRE(t.count("SELECT count(*) FROM url_param_rules") == 0);

  // Worker A crawls 60 pages meanwhile and learns which parameters never
  // change them (B's leases are taken back once B misses its heartbeats).
  auto a = run_cli({"crawl", "--max-pages", "60"}, "", t.env(t.market_a, ""));
  REQUIRE_MESSAGE(a.exit_code == 0, a.err);
  std::set<std::pair<std::string, std::string>> rules;
  {
    const std::string rows = t.db.query_value(
        "SELECT coalesce(string_agg(pattern || ' ' || param, E'\\n'), '') FROM url_param_rules"
        " WHERE same >= 3 AND differs = 0");
    std::istringstream lines(rows);
    std::string pattern, param;
    while (lines >> pattern >> param) rules.emplace(pattern, param);
  }
  INFO("worker A: " << a.err);
  REQUIRE_MESSAGE(!rules.empty(), "worker A learned no rule in 60 pages");
  REQUIRE(t.count("SELECT count(*) FROM frontier WHERE state = 'queued'") > 0);

  // B goes on and crawls the rest.
  REQUIRE(::kill(b->pid(), SIGCONT) == 0);
  REQUIRE(b->wait() == 0);
  const std::string b_err = read_file(t.dir.path() / "b.err");
  INFO("worker B: " << b_err);

  // B left variants out by A's rules, and fetched none that they make
  // another URL of a page: no request of B carries a parameter A proved
  // noise on that URL's pattern.
  CHECK(variants_left_out(b_err) > 0);
  long b_requests = 0;
  std::vector<std::string> against_rule;
  for (const auto& entry : t.market_b.requests()) {
    const std::string host = entry["host"], path = entry["path"];
    b_requests += entry["count"].get<long>();
    for (const auto& name : param_names(path)) {
      if (rules.count({pattern_of(host, path), name})) against_rule.push_back(host + path);
    }
  }
  CHECK(b_requests > 20);
  CHECK_MESSAGE(against_rule.empty(), against_rule.size()
                                          << " of B's requests, first "
                                          << (against_rule.empty() ? "" : against_rule.front()));

  // Nothing is lost: the crawl is complete, and A and B together fetched
  // every listing of both markets.
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state IN ('queued', 'leased')") == 0);
  std::set<std::string> fetched;
  for (const FixtureMarket* m : {&t.market_a, &t.market_b}) {
    const auto summary = m->crawl_summary();
    for (const auto& [host, h] : summary.items()) {
      for (const auto& p : h["pages"]) fetched.insert(host + p.get<std::string>());
    }
  }
  const auto manifest = t.market_a.manifest();
  for (const char* market : {"shop", "forum"}) {
    for (const auto& p : manifest.at("markets").at(market).at("listing_paths")) {
      CHECK_MESSAGE(fetched.count(std::string(market) + ".onion" + p.get<std::string>()), p);
    }
  }
}
