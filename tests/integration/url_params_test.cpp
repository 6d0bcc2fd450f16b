// Learned URL-parameter irrelevance from the user's side: `leakwatch crawl`
// on fixture markets whose links carry content-neutral parameters
// (server.py --variants), counted by the market itself (/__crawl).
#include <doctest/doctest.h>

#include <set>
#include <string>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct VariantCrawl {
  TestDatabase db;
  TempDir dir;
  FixtureMarket market;
  // A crawl seals page text and masks URLs with keys derived from the HMAC key.
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", write_key_file(dir).string()}};

  VariantCrawl() : market(dir.path(), MarketOptions{.pages = 300, .rate_limit = 0, .variants = true}) {
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // Crawls the shop and the forum; `extra` goes into both [[source]] tables.
  CliResult crawl(const std::string& extra) {
    std::string config = "[crawl]\nproxy = \"" + market.proxy() +
                         "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = 10\n";
    for (const char* name : {"shop", "forum"}) {
      config += std::string("[[source]]\nname = \"") + name + "\"\nseeds = [\"http://" + name +
                ".onion/\"]\nallow_private = true\nrate = 200\n" + extra + "\n";
    }
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", config).string();
    return run_cli({"crawl"}, "", env);
  }
};

// The pages every full crawl must fetch: the listings of shop and forum, as
// the market keys them.
std::set<std::string> listing_keys(const nlohmann::json& manifest, const std::string& market) {
  std::set<std::string> out;
  // at(): a key the manifest lacks is an error, not an empty list that checks nothing.
  for (const auto& p : manifest.at("markets").at(market).at("listing_paths"))
    out.insert(p.get<std::string>());
  REQUIRE_MESSAGE(!out.empty(), market << " lists no listing");
  return out;
}

struct Cost {
  long fetches = 0, distinct = 0, variants = 0;
  std::set<std::string> pages;
};

Cost cost_of(const nlohmann::json& summary, const std::string& host) {
  Cost c;
  if (!summary.contains(host)) return c;
  const auto& h = summary[host];
  c.fetches = h["fetches"];
  c.distinct = h["distinct_pages"];
  c.variants = h["variant_fetches"];
  for (const auto& p : h["pages"]) c.pages.insert(p.get<std::string>());
  return c;
}

}  // namespace

TEST_CASE("url params: variants of a page are learned and left out, no page is lost, page= is kept") {
  VariantCrawl naive;
  // The shop's listings sit behind its login wall: both tables get its cookie.
  auto r = naive.crawl("learn_params = false\ncookies = \"session=demo\"");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto naive_summary = naive.market.crawl_summary();

  VariantCrawl learned;
  r = learned.crawl("cookies = \"session=demo\"");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK_MESSAGE(r.err.find("URL variants left out") != std::string::npos, r.err);
  auto summary = learned.market.crawl_summary();
  auto manifest = learned.market.manifest();

  for (const char* market : {"shop", "forum"}) {
    const std::string host = std::string(market) + ".onion";
    Cost before = cost_of(naive_summary, host), after = cost_of(summary, host);
    INFO(market << ": naive " << before.fetches << " fetches, " << before.distinct << " pages, "
                << before.variants << " variant fetches; learned " << after.fetches << ", " << after.distinct
                << ", " << after.variants);
    // The naive crawl shows the market is full of variants.
    CHECK(before.variants > before.distinct / 2);
    // Learning leaves most of them out (how many are fetched before the
    // rules are learned depends on what is in flight then: a slow build
    // under load fetched 20 of 63, a quiet one a tenth) ...
    CHECK(after.variants * 2 < before.variants);
    // ... and loses no page.
    CHECK(after.pages == before.pages);
    for (const auto& key : listing_keys(manifest, market)) CHECK_MESSAGE(after.pages.count(key), key);
  }

  // The rules are stored, per source: noise dropped, content parameters kept.
  auto& db = learned.db;
  CHECK(std::stol(db.query_value("SELECT count(*) FROM url_param_rules WHERE source = 'shop'"
                                 " AND same >= 3 AND differs = 0")) >= 3);
  CHECK(db.query_value("SELECT count(*) FROM url_param_rules WHERE param IN ('page', 't', 'start', 'f')"
                       " AND differs = 0 AND same >= 3") == "0");
  CHECK(std::stol(db.query_value("SELECT count(*) FROM url_param_rules WHERE source = 'shop'"
                                 " AND param = 'page' AND differs > 0")) == 1);
  // No fetched or queued URL of the forum still carries a dropped parameter
  // that was learned before it was queued: what is left are the first
  // fetches of pages only ever linked with noise.
  CHECK(std::stol(db.query_value("SELECT count(*) FROM frontier WHERE state = 'skipped'"
                                 " AND last_error LIKE '%URL variant%'")) > 0);

  // `crawl --explain` shows them.
  auto explained = run_cli({"crawl", "--explain"}, "", learned.env);
  REQUIRE_MESSAGE(explained.exit_code == 0, explained.err);
  CHECK_MESSAGE(explained.out.find("http://shop.onion/listing/{n}") != std::string::npos, explained.out);
  CHECK_MESSAGE(explained.out.find("dropped: same page") != std::string::npos, explained.out);
  CHECK_MESSAGE(explained.out.find("page         kept (changes the page)") != std::string::npos,
                explained.out);
}

TEST_CASE("url params: pinned keep_params are never dropped, drop_params always are") {
  VariantCrawl crawl;
  auto r = crawl.crawl(
      "keep_params = [\"ref\", \"sort\", \"from\", \"utm_source\", \"utm_medium\"]\n"
      "drop_params = [\"view\"]\ncookies = \"session=demo\"");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  auto& db = crawl.db;
  CHECK(db.query_value("SELECT count(*) FROM frontier WHERE url LIKE '%view=%'") == "0");
  CHECK(std::stol(
            db.query_value("SELECT count(*) FROM frontier WHERE state = 'done' AND url LIKE '%ref=%'")) > 0);
  CHECK(db.query_value("SELECT count(*) FROM url_param_rules WHERE param IN ('ref', 'sort', 'view')") == "0");
}
