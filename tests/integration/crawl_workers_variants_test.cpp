// Crawl workers share which pages were fetched in the pass (issue #18,
// part 4): a page one worker fetched under a URL variant (a parameter that
// never changes it) is not fetched again under its plain URL by another,
// and comes back with that variant at the next revisit, so nothing is lost.
// From the user's side: two `leakwatch crawl` processes on one database,
// each behind a proxy of its own to a fixture market of its own (the same
// seed, so the same pages), as two machines each with its own Tor client
// would be; each market's request log is then one worker's requests.
#include <doctest/doctest.h>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

constexpr int kPages = 20;  // the shop's listings, all on its first index page
const std::string kPlain = "/listing/1";
const std::string kVariant = "/listing/1?sort=price";

struct TwoMachines {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  FixtureMarket market_a{dir.subdir("a"), MarketOptions{.pages = kPages, .latency_ms = 0, .rate_limit = 0}};
  // Slow: worker B is stopped while it waits for its first answer.
  FixtureMarket market_b{dir.subdir("b"), MarketOptions{.pages = kPages, .latency_ms = 500, .rate_limit = 0}};

  TwoMachines() {
    auto r = run_cli({"db", "migrate"}, "", env(market_a, "a.toml", "", ""));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // A worker behind `market`'s proxy, crawling the shop (its listings sit
  // behind a login cookie) from `seed`; `crawl` and `source` go into the
  // [crawl] and [[source]] tables.
  std::map<std::string, std::string> env(const FixtureMarket& market, const std::string& file,
                                         const std::string& crawl, const std::string& source,
                                         const std::string& seed = "/") {
    const std::string config = "[crawl]\nproxy = \"" + market.proxy() +
                               "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = 20\n" + crawl +
                               "\n[[source]]\nname = \"shop\"\nseeds = [\"http://shop.onion" + seed +
                               "\"]\nallow_private = true\nrate = 100\ncookies = \"session=demo\"\n" +
                               source + "\n";
    return {{"LEAKWATCH_DATABASE_URL", db.url()},
            {"LEAKWATCH_HMAC_KEY_FILE", key.string()},
            {"LEAKWATCH_CONFIG", dir.write(file, config).string()}};
  }

  long count(const std::string& sql) const { return std::stol(db.query_value(sql)); }
};

// How often `market` was asked for `path` (with its query, as sent).
long requests_for(const FixtureMarket& market, const std::string& path) {
  long n = 0;
  for (const auto& entry : market.requests()) {
    if (entry["path"] == path) n += entry["count"].get<long>();
  }
  return n;
}

}  // namespace

TEST_CASE("crawl workers: a page one worker fetched under a URL variant is not fetched again by another") {
  TwoMachines t;
  // Worker B knows `sort` never changes a page (pinned here; learned or
  // read from another worker alike) and crawls the shop's first index page
  // and the listings it links (listing/1 among them).
  const auto b_env = t.env(t.market_b, "b.toml", "heartbeat_s = 30",
                           "drop_params = [\"sort\"]\nmax_depth = 1", "/listings?page=1");
  auto b = std::make_unique<ChildProcess>(std::vector<std::string>{LEAKWATCH_BINARY, "crawl"}, b_env,
                                          t.dir.path() / "b.out", t.dir.path() / "b.err");
  // B has begun its pass and leased the index page when it holds a lease;
  // it is stopped then, while it waits for the slow market's answer (its
  // 30 s heartbeat keeps it live, and its lease its own, meanwhile).
  bool leased = false;
  for (int i = 0; i < 1000 && !leased && b->running(); ++i) {
    leased = t.count("SELECT count(*) FROM frontier WHERE state = 'leased' AND lease_owner LIKE '%:" +
                     std::to_string(b->pid()) + ":%'") > 0;
    if (!leased) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE_MESSAGE(leased, read_file(t.dir.path() / "b.err"));
  REQUIRE(::kill(b->pid(), SIGSTOP) == 0);

  // Worker A, which knows no rule, fetches listing 1 under a variant URL
  // meanwhile (its seed), and only that.
  auto a = run_cli({"crawl", "--max-pages", "1"}, "",
                   t.env(t.market_a, "a.toml", "", "learn_params = false\nmax_depth = 0", kVariant));
  REQUIRE_MESSAGE(a.exit_code == 0, a.err);
  INFO("worker A: " << a.err);
  REQUIRE(requests_for(t.market_a, kVariant) == 1);

  // B goes on: it meets listing 1's plain URL on the index page, and does
  // not fetch it; it fetches the other listings. Workers read the others'
  // fetches once a second (crawl_pass.h kOthersInterval): B stays stopped
  // past that, so its first step after waking reads A's fetch before it
  // takes the index page's links (else the plain URL could be leased in
  // the second before B's next read).
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  REQUIRE(::kill(b->pid(), SIGCONT) == 0);
  REQUIRE(b->wait() == 0);
  INFO("worker B: " << read_file(t.dir.path() / "b.err"));
  CHECK(requests_for(t.market_b, "/listings?page=1") == 1);
  for (int i = 2; i <= kPages; ++i)
    CHECK_MESSAGE(requests_for(t.market_b, "/listing/" + std::to_string(i)) == 1, i);
  CHECK(requests_for(t.market_b, kPlain) == 0);
  CHECK(requests_for(t.market_b, kVariant) == 0);
  CHECK(t.count("SELECT count(*) FROM frontier WHERE state IN ('queued', 'leased')") == 0);

  // Nothing is lost: at the next revisit listing 1 is fetched again (once,
  // under its plain URL), with every other page.
  const auto revisit =
      t.env(t.market_b, "b2.toml", "", "drop_params = [\"sort\"]\nmax_depth = 1\nrevisit_hours = 0",
            "/listings?page=1");
  auto again = run_cli({"crawl"}, "", revisit);
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  INFO("revisit: " << again.err);
  CHECK(requests_for(t.market_b, kPlain) == 1);
  CHECK(requests_for(t.market_b, kVariant) == 0);
  for (int i = 2; i <= kPages; ++i)
    CHECK_MESSAGE(requests_for(t.market_b, "/listing/" + std::to_string(i)) == 2, i);
}
