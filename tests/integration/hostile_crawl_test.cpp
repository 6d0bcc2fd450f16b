// `leakwatch run` against the fixture market's hostile section
// (scripts/fixture_market/hostile.py) next to an ordinary market: a hostile
// page must cost only itself, never the other sources.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct HostileSetup {
  TestDatabase db;
  TempDir dir;
  FixtureMarket market;
  std::filesystem::path key = write_key_file(dir);
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", key.string()}};

  explicit HostileSetup(const MarketOptions& options) : market(dir.path(), options) {
    auto r = run_cli({"db", "migrate"}, "", env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // [crawl] through the market's SOCKS5 proxy, then `sources`.
  void config(const std::string& sources, int timeout_s = 20) {
    std::string text =
        "[crawl]\nproxy = \"" + market.proxy() +
        "\"\nconcurrency = 8\nper_host_concurrency = 4\ntimeout_s = " + std::to_string(timeout_s) +
        "\n"
        "connect_timeout_s = 5\nretry_base_ms = 100\nmax_page_bytes = 4194304\nlease_s = 60\n\n" +
        sources;
    env["LEAKWATCH_CONFIG"] = dir.write("leakwatch.toml", text).string();
  }

  // Imports one customer per email.
  void customers(const std::vector<std::string>& emails) {
    std::string csv = "customer_id,email\n";
    for (size_t i = 0; i < emails.size(); ++i) csv += "C" + std::to_string(i + 1) + "," + emails[i] + "\n";
    auto r = run_cli({"customers", "import", "-"}, csv, env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }

  // The market's times of every request to `host`, sorted.
  std::vector<double> request_times(const std::string& host) {
    std::vector<double> at;
    for (const auto& e : market.requests()) {
      if (e["host"].get<std::string>().rfind(host, 0) != 0) continue;
      for (const auto& t : e["at"]) at.push_back(t.get<double>());
    }
    std::sort(at.begin(), at.end());
    return at;
  }
};

std::string source(const std::string& name, const std::string& path) {
  return "[[source]]\nname = \"" + name + "\"\nseeds = [\"http://hostile.onion" + path +
         "\"]\nallow_private = true\nmax_depth = 0\n\n";
}

bool reported(const std::string& report_json, const std::string& customer_id, const std::string& url) {
  for (const auto& e : nlohmann::json::parse(report_json)) {
    if (e["customer_id"] == customer_id && e["url"] == url) return true;
  }
  return false;
}

double longest_gap(const std::vector<double>& times) {
  double gap = 0;
  for (size_t i = 1; i < times.size(); ++i) gap = std::max(gap, times[i] - times[i - 1]);
  return gap;
}

}  // namespace

TEST_CASE("hostile crawl: 100,000 nested <div> stop no other source, and the page's record is found") {
  // The shop answers in 200 ms, four at a time: its crawl takes a few
  // seconds, so it is still going when the nested page arrives.
  HostileSetup t(
      MarketOptions{.pages = 40, .latency_ms = 200, .rate_limit = 0, .slow_s = 0.2, .hostile = true});
  auto manifest = t.market.manifest();
  const auto& nested = manifest["hostile"]["pages"]["/nested"];
  REQUIRE(nested["records"].size() == 1);
  std::string email = nested["records"][0]["email"].get<std::string>();
  t.customers({email});
  t.config(
      "[[source]]\nname = \"shop\"\nseeds = [\"http://shop.onion/\"]\nallow_private = true\nrate = 100\n"
      "cookies = \"session=demo\"\n\n"
      "[[source]]\nname = \"hostile\"\nseeds = [\"http://hostile.onion/nested\"]\nallow_private = true\n"
      "max_depth = 0\n");

  auto run = run_cli({"run"}, "", t.env);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  auto nested_at = t.request_times("hostile.onion");
  REQUIRE(nested_at.size() == 1);
  auto shop = t.request_times("shop.onion");
  REQUIRE(shop.size() > 20);
  // The nested page came while the shop was being crawled, and no fetch of
  // the shop waited on it (18 s when pages were parsed in the fetch loop).
  CHECK(nested_at[0] < shop[shop.size() / 2]);
  // Measured over the 10 s after the nested page came (its parse took 18 s
  // in the fetch loop), not the crawl's tail, where a retry's backoff is the
  // only thing left to wait for.
  REQUIRE_MESSAGE(shop.back() > nested_at[0] + 10, "the shop's crawl ended too soon to tell");
  std::vector<double> window;
  for (double at : shop) {
    if (at >= nested_at[0] - 1 && at <= nested_at[0] + 10) window.push_back(at);
  }
  double gap = longest_gap(window);
  MESSAGE("longest pause between the shop's requests after the nested page: " << gap << " s");
  CHECK(gap < 2.0);

  auto report = run_cli({"report", "--all", "--format", "json"}, "", t.env);
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK_MESSAGE(reported(report.out, "C1", "http://hostile.onion/nested"), report.out);
}

TEST_CASE(
    "hostile crawl: a body that stalls after its first bytes is kept, marked truncated; a 1 MB header is "
    "named") {
  HostileSetup t(MarketOptions{.pages = 5, .rate_limit = 0, .hostile = true, .hostile_s = 30});
  auto manifest = t.market.manifest();
  t.customers({manifest["hostile"]["pages"]["/slow-body"]["records"][0]["email"].get<std::string>()});
  t.config(source("slow", "/slow-body") + source("header", "/huge-header"), /*timeout_s=*/3);

  auto run = run_cli({"run"}, "", t.env);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("response header too large") != std::string::npos);
  CHECK(run.err.find("Out of memory") == std::string::npos);
  CHECK(t.db.query_value(
            "SELECT count(*) FROM pages WHERE url = 'http://hostile.onion/slow-body' AND truncated") == "1");
  auto report = run_cli({"report", "--all", "--format", "json"}, "", t.env);
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK_MESSAGE(reported(report.out, "C1", "http://hostile.onion/slow-body"), report.out);
}

TEST_CASE(
    "hostile crawl: a gzip bomb and an endless body are cut at the caps with their records kept; header "
    "floods cost only their own page") {
  HostileSetup t(MarketOptions{.pages = 5, .rate_limit = 0, .hostile = true, .hostile_s = 30});
  auto manifest = t.market.manifest();
  const auto& pages = manifest.at("hostile").at("pages");
  t.customers({pages.at("/gzip-bomb").at("records").at(0).at("email").get<std::string>(),
               pages.at("/endless").at("records").at(0).at("email").get<std::string>()});
  // 4 MiB per page (HostileSetup's max_page_bytes); 3 s per fetch.
  t.config(source("bomb", "/gzip-bomb") + source("endless", "/endless") + source("header", "/huge-header") +
               source("headers", "/many-headers"),
           /*timeout_s=*/3);

  auto run = run_cli({"run", "--json"}, "", t.env);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.find("Out of memory") == std::string::npos);
  // Each page was asked for once: the hostile answers are no reason to retry.
  for (const char* path : {"/gzip-bomb", "/endless"}) {
    CAPTURE(path);
    CHECK(t.db.query_value("SELECT count(*) FROM pages WHERE url = 'http://hostile.onion" +
                           std::string(path) + "' AND truncated") == "1");
  }
  // 1 GiB decoded, 4 MiB kept.
  CHECK(std::stol(t.db.query_value("SELECT coalesce(max(octet_length(text_sealed)), 0) FROM pages")) <
        5 * 1024 * 1024);
  auto report = run_cli({"report", "--all", "--format", "json"}, "", t.env);
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK_MESSAGE(reported(report.out, "C1", "http://hostile.onion/gzip-bomb"), report.out);
  CHECK_MESSAGE(reported(report.out, "C2", "http://hostile.onion/endless"), report.out);
}

TEST_CASE("hostile crawl: redirects to loopback, in every spelling, never reach the canary") {
  HostileSetup t(MarketOptions{.pages = 5, .rate_limit = 0, .hostile = true, .hostile_s = 2});
  auto manifest = t.market.manifest();
  std::string seeds;
  int n = 0;
  for (const auto& [path, page] : manifest.at("hostile").at("pages").items()) {
    if (path.rfind("/redirect/", 0) != 0) continue;
    seeds += std::string(seeds.empty() ? "" : ", ") + "\"http://hostile.onion" + path + "\"";
    ++n;
  }
  REQUIRE(n >= 6);
  // As on Tor: the market by its .onion name through socks5h://, and
  // allow_private off, so loopback is out of bounds.
  t.config("[[source]]\nname = \"hostile\"\nseeds = [" + seeds + "]\nmax_depth = 1\n");
  auto run = run_cli({"run"}, "", t.env);
  INFO(run.err);
  CHECK(run.exit_code != 2);
  int redirects_fetched = 0;
  for (const auto& e : t.market.requests()) {
    CHECK_MESSAGE(e.at("path").get<std::string>().find("/canary") == std::string::npos, e.dump());
    if (e.at("path").get<std::string>().rfind("/redirect/", 0) == 0) ++redirects_fetched;
  }
  CHECK(redirects_fetched == n);  // the test reached what it is about
  for (const auto& e : t.market.proxy_log()) {
    if (e.at("action") == "connected") CHECK_MESSAGE(e.at("destination") == "hostile.onion", e.dump());
  }
  CHECK(t.db.query_value("SELECT count(*) FROM pages WHERE title LIKE '%canary%'") == "0");
}
