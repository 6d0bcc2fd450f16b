// Several `leakwatch crawl` workers on one frontier (issue #18, part 4), as
// they would run on several machines: the real binary started N times
// against one database and the fixture market (scripts/fixture_market/),
// judged by the market's own request log and the database.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct Workers {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  FixtureMarket market;
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", key.string()}};

  explicit Workers(const MarketOptions& options) : market(dir.path(), options) {
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // [crawl] with fast retries plus `crawl_extra`, then `sources`.
  void config(const std::string& crawl_extra, const std::string& sources) {
    std::string text = "[crawl]\nproxy = \"" + market.proxy() +
                       "\"\ntimeout_s = 20\nconnect_timeout_s = 5\nretry_base_ms = 100\nmax_depth = 8\n" +
                       crawl_extra + "\n" + sources;
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", text).string();
  }

  static std::string source(const std::string& name, const std::string& extra) {
    return "[[source]]\nname = \"" + name + "\"\nseeds = [\"http://" + name +
           ".onion/\"]\nallow_private = true\n" + extra + "\n";
  }

  std::unique_ptr<ChildProcess> start(const std::string& tag) {
    return std::make_unique<ChildProcess>(std::vector<std::string>{LEAKWATCH_BINARY, "crawl"}, env,
                                          dir.path() / (tag + ".out"), dir.path() / (tag + ".err"));
  }
  std::string err(const std::string& tag) const { return read_file(dir.path() / (tag + ".err")); }

  long count(const std::string& sql) const { return std::stol(db.query_value(sql)); }

  // The worker id (frontier.lease_owner) of the process `pid`, once registered.
  std::string worker_of(pid_t pid) const {
    for (int i = 0; i < 200; ++i) {
      std::string w = db.query_value(
          "SELECT coalesce(max(worker), '') FROM crawl_workers WHERE worker LIKE '%:" + std::to_string(pid) +
          ":%'");
      if (!w.empty()) return w;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }
};

// "crawl: 57 pages fetched (...)" of a worker's summary; -1 when absent.
long pages_fetched(const std::string& err) {
  const std::string tail = " pages fetched";
  auto end = err.find(tail);
  if (end == std::string::npos) return -1;
  auto start = err.rfind("crawl: ", end);
  if (start == std::string::npos) return -1;
  return std::stol(err.substr(start + 7, end - start - 7));
}

}  // namespace

TEST_CASE(
    "crawl workers: a worker killed with SIGKILL gives its leases back within heartbeats, not lease_s") {
  // Slow answers, so that the worker holds leases when it is killed; a lease
  // of 300 s, so that only the registry of live workers can free them early.
  Workers t(MarketOptions{.pages = 80, .latency_ms = 300, .rate_limit = 0});
  t.config("concurrency = 4\nper_host_concurrency = 4\nlease_s = 300\nheartbeat_s = 1",
           Workers::source("shop", "rate = 50\ncookies = \"session=demo\"") +
               Workers::source("forum", "rate = 50"));
  auto victim = t.start("victim");
  const std::string dead = t.worker_of(victim->pid());
  REQUIRE_MESSAGE(!dead.empty(), t.err("victim"));
  auto survivor = t.start("survivor");
  const std::string leased_by_dead =
      "SELECT count(*) FROM frontier WHERE state = 'leased' AND lease_owner = '" + dead + "'";
  for (int i = 0; i < 400 && (t.count("SELECT count(*) FROM pages") < 10 || t.count(leased_by_dead) < 2);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  // Counted while the victim is stopped, then killed: counted after the
  // kill, the survivor may already have taken them (its session ends with
  // it); counted before, a running victim may finish them in between.
  REQUIRE(::kill(victim->pid(), SIGSTOP) == 0);
  const long stranded = t.count(leased_by_dead);
  victim->kill_now();
  victim->wait();
  REQUIRE_MESSAGE(stranded > 0, t.err("victim"));
  REQUIRE(survivor->running());

  // The survivor takes them over while it crawls: at once in fact (the dead
  // worker's database session ended with it), well inside the bound.
  auto killed_at = std::chrono::steady_clock::now();
  while (t.count(leased_by_dead) > 0 &&
         std::chrono::steady_clock::now() - killed_at < std::chrono::seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  double took_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  INFO("survivor: " << t.err("survivor"));
  INFO(stranded << " leases of " << dead << " taken over after " << took_s << " s");
  CHECK(t.count(leased_by_dead) == 0);
  CHECK(took_s < 20.0);  // 300 s without the registry

  REQUIRE(survivor->wait() == 0);
  std::string err = t.err("survivor");
  CHECK(err.find("took back the leases of crawl worker " + dead) != std::string::npos);
  // The crawl completed: nothing queued or leased is left, and the dead
  // worker's URLs were fetched by the survivor.
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state IN ('queued', 'leased')") == 0);
  CHECK(t.count(
            "SELECT count(*) FROM frontier WHERE state = 'done' AND url = 'http://shop.onion/listing/80'") ==
        1);
  // The survivor left the registry; the dead worker's row stays, not live.
  CHECK(t.count("SELECT count(*) FROM live_crawl_workers") == 0);
}

TEST_CASE("crawl workers: two workers on one host share its rate: together they stay under the cap") {
  // rate = 8 per host, for all workers together; the market itself does not
  // cap, so that its log shows what the workers asked for. Two workers each
  // at 8/s would ask 16/s.
  Workers t(MarketOptions{.pages = 3000, .latency_ms = 50, .rate_limit = 0});
  t.config("concurrency = 8\nheartbeat_s = 1", Workers::source("forum", "rate = 8\nmax_pages = 130"));
  auto a = t.start("a");
  auto b = t.start("b");
  CHECK(a->wait() == 0);
  CHECK(b->wait() == 0);
  std::string err_a = t.err("a"), err_b = t.err("b");
  INFO(err_a);
  INFO(err_b);
  // Both crawled.
  CHECK(pages_fetched(err_a) >= 20);
  CHECK(pages_fetched(err_b) >= 20);
  CHECK(err_a.find("shared by 2 workers") != std::string::npos);

  std::vector<double> at;
  for (const auto& entry : t.market.requests()) {
    for (const auto& x : entry["at"]) at.push_back(x.get<double>());
  }
  std::sort(at.begin(), at.end());
  REQUIRE(at.size() >= 100);
  // Requests per second after the seed (which alone waits for its answer
  // before there is work for two): 8/s allowed, checked at 11/s, which two
  // workers at 8/s each (16/s) exceed by far.
  double span = at.back() - at[1];
  double per_s = static_cast<double>(at.size() - 2) / span;
  INFO(at.size() << " requests in " << span << " s: " << per_s << "/s");
  CHECK(per_s <= 11.0);
  // And no burst: in any 3 s, at most 3 s at 8/s plus a margin for the
  // heartbeat it takes a worker to learn of the other (16/s for 1 s).
  for (size_t i = 0; i + 36 < at.size(); ++i) CHECK(at[i + 36] - at[i] >= 3.0);
}

TEST_CASE(
    "crawl workers: three workers crawl a market once: every URL fetched once, the exposures of one worker") {
  // Both crawls under one key: the hashes of one database are the other's.
  TempDir keys;
  const auto key = write_key_file(keys);
  auto crawl = [&](int n) {
    auto t = std::make_unique<Workers>(MarketOptions{.pages = 60, .latency_ms = 40, .rate_limit = 0});
    t->key = key;
    t->env["LEAKWATCH_HMAC_KEY_FILE"] = key.string();
    t->config("concurrency = 8\nper_host_concurrency = 4\nheartbeat_s = 1",
              Workers::source("shop", "rate = 100\ncookies = \"session=demo\"") +
                  Workers::source("forum", "rate = 100") + Workers::source("paste", "rate = 100"));
    std::vector<std::unique_ptr<ChildProcess>> workers;
    for (int i = 0; i < n; ++i) workers.push_back(t->start("w" + std::to_string(i)));
    for (int i = 0; i < n; ++i) {
      INFO(t->err("w" + std::to_string(i)));
      CHECK(workers[i]->wait() == 0);
      CHECK(pages_fetched(t->err("w" + std::to_string(i))) > 0);
    }
    return t;
  };
  auto one = crawl(1);
  auto three = crawl(3);

  // Each URL was fetched once, by one of the three ("/flaky" answers 503
  // once, then 200: two requests by design).
  for (const auto& entry : three->market.requests()) {
    INFO(entry.dump());
    if (entry["path"] == "/flaky") continue;
    CHECK(entry["count"].get<int>() == 1);
  }
  // The same frontier, URL by URL, with the same outcomes.
  const std::string outcomes = "SELECT string_agg(url || ' ' || state, E'\\n' ORDER BY url) FROM frontier";
  CHECK(one->db.query_value(outcomes) == three->db.query_value(outcomes));
  CHECK(three->count("SELECT count(*) FROM frontier WHERE state IN ('queued', 'leased')") == 0);

  // The same exposures: every identifier the one worker's pages hold becomes
  // a customer (hashed, so both databases hold the same set), then both
  // extract, match and report.
  auto cli = [](Workers& w, const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, w.env);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r.out;
  };
  cli(*one, {"extract"});
  std::string customers = "customer_id,kind,hash\n" +
                          one->db.query_value(
                              "SELECT string_agg('C' || row_number || ',' || kind || ',' || h, E'\\n') FROM"
                              " (SELECT row_number() OVER (ORDER BY kind, h), kind, h FROM"
                              " (SELECT DISTINCT kind, replace(hash::text, '-', '') AS h FROM sighting_rows"
                              " WHERE kind IN ('email', 'phone')) d) n") +
                          "\n";
  REQUIRE(customers.size() > 100);
  // A listing is named by every URL that holds it: which of two URLs with
  // the same records (/dup-a, /dup-b) was stored first, and so names the
  // listing, depends on which worker committed first; that they are one
  // listing does not. One query per database: each URL and its listing's URLs.
  auto listings = [](Workers& w) {
    std::map<std::string, std::string> of;
    std::istringstream rows(
        w.db.query_value("SELECT string_agg(a.url || E'\\t' || g.urls, E'\\n') FROM page_urls a JOIN"
                         " (SELECT page_id, string_agg(url, ' ' ORDER BY url) AS urls FROM page_urls"
                         " GROUP BY page_id) g USING (page_id)"));
    for (std::string row; std::getline(rows, row);) {
      auto tab = row.find('\t');
      of[row.substr(0, tab)] = row.substr(tab + 1);
    }
    return of;
  };
  std::set<std::tuple<std::string, std::string, std::string>> exposures[2];
  int i = 0;
  for (Workers* w : {one.get(), three.get()}) {
    if (w == three.get()) cli(*w, {"extract"});
    cli(*w, {"customers", "import", "--hashed", "-"}, customers);
    cli(*w, {"match"});
    const auto listing_of = listings(*w);
    for (const auto& e : nlohmann::json::parse(cli(*w, {"report", "--all", "--format", "json"}))) {
      INFO(e.dump());
      auto listing = listing_of.find(e["url"].get<std::string>());
      REQUIRE(listing != listing_of.end());
      exposures[i].emplace(e["customer_id"], e["kind"], listing->second);
    }
    ++i;
  }
  CHECK(exposures[0].size() >= 20);
  std::string only_one, only_three;
  for (const auto& [id, kind, listing] : exposures[0]) {
    if (!exposures[1].count({id, kind, listing})) only_one += id + " " + kind + " " + listing + "\n";
  }
  for (const auto& [id, kind, listing] : exposures[1]) {
    if (!exposures[0].count({id, kind, listing})) only_three += id + " " + kind + " " + listing + "\n";
  }
  INFO("exposures of one worker only:\n" << only_one << "of three workers only:\n" << only_three);
  CHECK(exposures[0] == exposures[1]);
}
