// Exposure identity from the user's side (issue #14 item 2, #19 part 5): an
// exposure is (customer, identifier, listing), the listing being its
// canonical URL. A listing whose text changes on every visit is reported
// once; a new customer on it is reported once; a paste and its raw copy are
// one listing.
#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "fixture_market.h"
#include "harness.h"
#include "listing_store.h"

using namespace leakwatch::testing;

namespace {

struct Market {
  TestDatabase db;
  TempDir dir;
  std::filesystem::path key = write_key_file(dir);
  FixtureMarket market;
  std::map<std::string, std::string> env{{"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_HMAC_KEY_FILE", key.string()}};

  Market(const MarketOptions& options, const std::string& sources) : market(dir.path(), options) {
    auto config = dir.write("leakwatch.toml", "[crawl]\nproxy = \"" + market.proxy() +
                                                  "\"\nconcurrency = 4\ntimeout_s = 10\nretry_base_ms = 100\n"
                                                  "revisit_hours = 0\n\n" +
                                                  sources);
    env["LEAKWATCH_CONFIG"] = config.string();
    cli({"db", "migrate"});
  }
  CliResult cli(const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, env);
    INFO(args[0] << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  }
  // The report --mark-notified prints: (customer_id, kind, url) per row.
  std::vector<std::string> notify() {
    std::vector<std::string> out;
    for (const auto& e : nlohmann::json::parse(cli({"report", "--mark-notified", "--format", "json"}).out)) {
      out.push_back(e["customer_id"].get<std::string>() + " " + e["kind"].get<std::string>() + " " +
                    e["url"].get<std::string>());
    }
    return out;
  }
  long count(const std::string& sql) { return std::stol(db.query_value(sql)); }
};

std::string customers_csv(const std::vector<std::pair<std::string, nlohmann::json>>& people) {
  std::string csv = "customer_id,email,phone\n";
  for (const auto& [id, p] : people) {
    csv += id + "," + p["email"].get<std::string>() + "," + p["phone"].get<std::string>() + "\n";
  }
  return csv;
}

}  // namespace

TEST_CASE(
    "exposures: a view counter's listing is reported once over several runs; a new customer on it once") {
  Market m(
      MarketOptions{.pages = 2, .rate_limit = 0, .hostile = true, .hostile_s = 2},
      "[[source]]\nname = \"hostile\"\nseeds = [\"http://hostile.onion/counter\"]\nallow_private = true\n"
      "max_depth = 0\nrate = 100\n");
  const auto person = m.market.manifest()["hostile"]["pages"]["/counter"]["records"][0];
  m.cli({"customers", "import", "-"}, customers_csv({{"c1", person}}));
  const std::string url = "http://hostile.onion/counter";

  m.cli({"run"});
  auto first = m.notify();
  CHECK(first == std::vector<std::string>{"c1 email " + url, "c1 phone " + url});
  const std::string first_seen = m.db.query_value("SELECT min(first_seen)::text FROM exposures");
  const std::string last_seen = m.db.query_value("SELECT max(last_seen)::text FROM exposures");

  for (int run = 2; run <= 4; ++run) {
    m.cli({"run"});
    CAPTURE(run);
    CHECK(m.notify().empty());
  }
  // Every visit changed the text (the counter), and it is still one listing:
  // one page row, its exposures seen later, never notified again.
  auto visits = m.market.requests();
  long counter_hits = 0;
  for (const auto& r : visits) {
    if (r["path"] == "/counter") counter_hits += r["count"].get<long>();
  }
  CHECK(counter_hits == 4);
  CHECK(m.count("SELECT count(*) FROM pages") == 1);
  CHECK(m.count("SELECT count(*) FROM exposures") == 2);
  CHECK(m.db.query_value("SELECT min(first_seen)::text FROM exposures") == first_seen);
  CHECK(m.count("SELECT count(*) FROM exposures WHERE last_seen > '" + last_seen + "'::timestamptz") == 2);
  // One version kept: the sightings of the current text only.
  CHECK(m.count("SELECT count(*) FROM sighting_rows WHERE kind <> 'name'") == 2);

  // A new customer on the same listing is a new exposure, reported once.
  m.cli({"customers", "import", "-"}, "customer_id,phone\nc2," + person["phone"].get<std::string>() + "\n");
  m.cli({"run"});
  CHECK(m.notify() == std::vector<std::string>{"c2 phone " + url});
  m.cli({"run"});
  CHECK(m.notify().empty());
}

TEST_CASE(
    "exposures: a customer who appears on a stored listing's new version is reported once, the others not "
    "again") {
  CliFixture f;
  auto cli = [&](const std::vector<std::string>& args, const std::string& in = "") { return f.ok(args, in); };
  auto notified = [&] {
    cli({"extract"});
    cli({"match"});
    return nlohmann::json::parse(cli({"report", "--mark-notified", "--format", "json"}).out);
  };
  cli({"customers", "import", "-"}, "customer_id,email\na,li.na@qq.com\nb,wang.fang@163.com\n");
  Listing l;
  l.url = "http://shop.onion/listing/7";
  l.text = "viewed 1 times\nLi Na | li.na@qq.com\n";
  store_listing(f.db.url(), f.key, l);
  auto first = notified();
  REQUIRE(first.size() == 1);
  CHECK(first[0]["customer_id"] == "a");

  l.text = "viewed 2 times\nLi Na | li.na@qq.com\n";
  store_listing(f.db.url(), f.key, l);
  CHECK(notified().empty());

  l.text = "viewed 3 times\nLi Na | li.na@qq.com\nWang Fang | wang.fang@163.com\n";
  store_listing(f.db.url(), f.key, l);
  auto third = notified();
  REQUIRE(third.size() == 1);
  CHECK(third[0]["customer_id"] == "b");
  CHECK(third[0]["url"] == l.url);

  l.text = "viewed 4 times\nWang Fang | wang.fang@163.com\nLi Na | li.na@qq.com\n";
  store_listing(f.db.url(), f.key, l);
  CHECK(notified().empty());
  CHECK(std::stol(f.db.query_value("SELECT count(*) FROM pages")) == 1);
}

TEST_CASE("exposures: two crawl workers storing the same records at once make one listing, not two") {
  // Worker 1 has stored /dup-a and not yet committed when worker 2 stores
  // /dup-b with the same records: worker 2 must find worker 1's listing
  // (it waits for it), or the customer is reported twice.
  CliFixture f;
  f.ok({"customers", "import", "-"}, "customer_id,email\na,li.na@qq.com\n");
  const auto privacy = privacy_for(f.key);
  Listing a, b;
  a.url = "http://shop.onion/dup-a";
  b.url = "http://shop.onion/dup-b";
  a.text = "fresh dump\nLi Na | li.na@qq.com\n";
  b.text = "same dump, other page\nLi Na | li.na@qq.com\n";
  pqxx::connection first_conn(f.db.url()), second_conn(f.db.url());
  {
    pqxx::work tx(first_conn);
    tx.exec0("INSERT INTO crawl_sources (name) VALUES ('shop') ON CONFLICT DO NOTHING");
    tx.commit();
  }
  pqxx::work first(first_conn);
  store_listing(first, privacy, a);
  const int second_pid = second_conn.backendpid();
  std::string second_error;  // an exception may not leave its thread
  std::thread second([&] {
    try {
      pqxx::work tx(second_conn);
      store_listing(tx, privacy, b);
      tx.commit();
    } catch (const std::exception& e) {
      second_error = e.what();
    }
  });
  // Give the second worker time to store (or to wait for the first) before
  // the first commits: up to 10 s until it waits on a lock.
  for (int i = 0; i < 100; ++i) {
    if (f.db.query_value("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(second_pid) +
                         " AND wait_event_type = 'Lock'") == "1") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  first.commit();
  second.join();
  REQUIRE_MESSAGE(second_error.empty(), second_error);

  CHECK(f.db.query_value("SELECT count(*) FROM pages") == "1");
  CHECK(f.db.query_value("SELECT count(DISTINCT page_id) FROM page_urls") == "1");
  f.ok({"extract"});
  f.ok({"match"});
  auto reported = nlohmann::json::parse(f.ok({"report", "--all", "--format", "json"}).out);
  REQUIRE(reported.size() == 1);
  CHECK(reported[0]["url"] == a.url);
}

TEST_CASE("exposures: a paste and its raw copy are one listing, reported once") {
  Market m(
      MarketOptions{.pages = 6, .rate_limit = 0},
      "[[source]]\nname = \"paste\"\nseeds = [\"http://paste.onion/\"]\nallow_private = true\nrate = 100\n");
  auto manifest = m.market.manifest();
  std::vector<std::pair<std::string, nlohmann::json>> planted;
  for (const auto& e : manifest["exposures"]) {
    if (e["market"] == "paste") planted.emplace_back("p" + std::to_string(planted.size() + 1), e);
  }
  REQUIRE(!planted.empty());
  m.cli({"customers", "import", "-"}, customers_csv(planted));
  m.cli({"run"});

  // Both URLs were fetched and recorded, pointing at one listing.
  long pastes = 0;
  for (const auto& path : manifest["markets"]["paste"]["listing_paths"]) {
    std::string p = path.get<std::string>();
    if (p.rfind("/paste/", 0) != 0) continue;
    ++pastes;
    std::string raw = "http://paste.onion/raw/" + p.substr(7);
    CAPTURE(p);
    CHECK(m.count("SELECT count(DISTINCT page_id) FROM page_urls WHERE url IN ('http://paste.onion" + p +
                  "', '" + raw + "')") == 1);
    CHECK(m.count("SELECT count(*) FROM page_urls WHERE url = '" + raw + "'") == 1);
  }
  CHECK(pastes > 0);
  CHECK(m.count("SELECT count(*) FROM pages WHERE url LIKE '%/raw/%'") == 0);

  // The report: each planted customer's identifier once, under the paste's URL.
  auto report = nlohmann::json::parse(m.cli({"report", "--format", "json"}).out);
  std::map<std::string, int> rows;
  for (const auto& e : report)
    rows[e["customer_id"].get<std::string>() + " " + e["kind"].get<std::string>()]++;
  CHECK(rows.size() == 2 * planted.size());
  for (const auto& [k, n] : rows) {
    CAPTURE(k);
    CHECK(n == 1);
  }
  for (const auto& e : report) CHECK(e["url"].get<std::string>().find("/paste/") != std::string::npos);
}
