// `leakwatch extract` and `leakwatch match` from the user's side: pages as
// the crawler stores them, the real binary, a real PostgreSQL.
#include <doctest/doctest.h>

#include <pqxx/pqxx>

#include "fixture_market.h"
#include "harness.h"
#include "identity/keyed_hash.h"
#include "listing_store.h"

using namespace leakwatch::testing;
using leakwatch::identity::HashKey;
using leakwatch::identity::Kind;
using leakwatch::identity::to_hex;

namespace {

struct Stages : CliFixture {
  CliResult cli(const std::vector<std::string>& args, const std::string& in = "") {
    auto r = run_cli(args, in, env);
    INFO(r.err);
    return r;
  }
  void exec(const std::string& sql) {
    pqxx::connection conn(db.url());
    pqxx::nontransaction tx(conn);
    tx.exec(sql);
  }
  // A crawled page as `leakwatch crawl` stores it.
  void page(int n, const std::string& text, const std::string& title = "listing") {
    Listing l;
    l.url = "http://shop.onion/listing/" + std::to_string(n);
    l.title = l.listing_title = title;
    l.price = "$5";
    l.seller = "seller";
    l.text = text;
    store_listing(db.url(), key, l);
  }
  long count(const std::string& sql) { return std::stol(db.query_value(sql)); }
  std::string hash_of(Kind kind, const std::string& normalized) {
    return to_hex(HashKey::load(key).hash(kind, normalized));
  }
};

const char* kListing =
    "Fresh records, sample below\n"
    "name | email | phone\n"
    "Zhang Wei | Zhang.Wei@iCloud.com | +86 138 1234 5678\n"
    "Li Na | li.na[at]qq.com | 139-1234-5678\n"
    "contact seller for the full file\n";

}  // namespace

TEST_CASE(
    "extract: sightings hold keyed hashes and masked forms, never plaintext; a second extract adds nothing") {
  Stages s;
  s.page(1, kListing);
  s.page(2, "nothing here\n");
  auto r = s.cli({"extract"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("extract: 2 pages") != std::string::npos);
  CHECK(s.count("SELECT count(*) FROM sighting_rows WHERE kind <> 'name'") == 4);
  CHECK(s.count("SELECT count(*) FROM sighting_rows WHERE hash = '" +
                s.hash_of(Kind::kEmail, "zhang.wei@icloud.com") +
                "' AND record = 2 AND masked = 'z***@icloud.com'") == 1);
  CHECK(s.count("SELECT count(*) FROM sighting_rows WHERE hash = '" +
                s.hash_of(Kind::kPhone, "+8613912345678") + "' AND record = 3 AND kind = 'phone'") == 1);
  CHECK(
      s.count(
          "SELECT count(*) FROM sighting_rows WHERE masked LIKE '%zhang.wei%' OR masked LIKE '%12345678%'") ==
      0);
  CHECK(s.count("SELECT count(*) FROM pages WHERE extracted_version = 0") == 0);
  // No staging table to bloat: the rows go straight into sightings.
  CHECK(s.count("SELECT count(*) FROM pg_class WHERE relname LIKE 'sightings_staging%'") == 0);
  CHECK(r.err.find("zhang.wei") == std::string::npos);

  long before = s.count("SELECT count(*) FROM sighting_rows");
  auto again = s.cli({"extract"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("extract: 0 pages") != std::string::npos);
  // Even a forced re-extraction of every page adds nothing.
  s.exec("UPDATE pages SET extracted_version = 0");
  REQUIRE(s.cli({"extract"}).exit_code == 0);
  CHECK(s.count("SELECT count(*) FROM sighting_rows") == before);
}

TEST_CASE("extract: concurrent workers share the pages and never double a sighting") {
  Stages s;
  for (int i = 1; i <= 300; ++i) {
    s.page(i, "seller list " + std::to_string(i) + "\nuser" + std::to_string(i) + "@qq.com | 1381234" +
                  std::to_string(1000 + i) + "\n");
  }
  std::vector<std::unique_ptr<ChildProcess>> workers;
  for (int w = 0; w < 3; ++w) {
    workers.push_back(std::make_unique<ChildProcess>(std::vector<std::string>{LEAKWATCH_BINARY, "extract"},
                                                     s.env,
                                                     s.dir.path() / (std::to_string(w) + "-worker.out"),
                                                     s.dir.path() / (std::to_string(w) + "-worker.err")));
  }
  for (auto& w : workers) CHECK(w->wait() == 0);
  CHECK(s.count("SELECT count(*) FROM pages WHERE extracted_version = 0") == 0);
  CHECK(s.count("SELECT count(*) FROM sighting_rows") == 600);
}

TEST_CASE("match: exposures from one join; a second match adds nothing; confidence from the record") {
  Stages s;
  REQUIRE(s.cli({"customers", "import", "-"},
                "customer_id,email,phone\nc1,zhang.wei@icloud.com,+8613812345678\nc2,li.na@qq.com,\n")
              .exit_code == 0);
  s.page(1, kListing);
  REQUIRE(s.cli({"extract"}).exit_code == 0);
  auto r = s.cli({"match"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("match: 3 new exposures") != std::string::npos);
  CHECK(s.count("SELECT count(*) FROM exposures WHERE customer_id = 'c1' AND confidence = 'confirmed'") == 2);
  CHECK(s.count("SELECT count(*) FROM exposures WHERE customer_id = 'c2' AND confidence = 'single'") == 1);
  auto again = s.cli({"match"});
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("match: 0 new exposures, 0 updated, 3 in all") != std::string::npos);
}

TEST_CASE("match: customers imported after the crawl are matched against the stored sightings") {
  Stages s;
  s.page(1, kListing);
  REQUIRE(s.cli({"extract"}).exit_code == 0);
  REQUIRE(s.cli({"match"}).exit_code == 0);
  CHECK(s.count("SELECT count(*) FROM exposures") == 0);
  REQUIRE(s.cli({"customers", "import", "-"}, "customer_id,phone\nc9,13912345678\n").exit_code == 0);
  auto r = s.cli({"match"});
  REQUIRE(r.exit_code == 0);
  CHECK(s.count("SELECT count(*) FROM exposures WHERE customer_id = 'c9' AND kind = 'phone'"
                " AND masked = '+86139****5678'") == 1);
}

TEST_CASE("match: a later sighting of the same exposure moves last_seen, not first_seen") {
  Stages s;
  REQUIRE(s.cli({"customers", "import", "-"}, "customer_id,email\nc2,li.na@qq.com\n").exit_code == 0);
  s.page(1, kListing);
  s.exec("UPDATE pages SET fetched_at = now() - interval '10 days'");
  REQUIRE(s.cli({"extract"}).exit_code == 0);
  s.exec("UPDATE page_urls SET last_seen = now() - interval '10 days'");
  REQUIRE(s.cli({"match"}).exit_code == 0);
  CHECK(s.count("SELECT count(*) FROM exposures WHERE last_seen < now() - interval '9 days'") == 1);
  // The crawler sees the same content again under its URL.
  s.page(1, kListing);
  auto r = s.cli({"match"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("0 new exposures, 1 updated") != std::string::npos);
  CHECK(s.count("SELECT count(*) FROM exposures WHERE last_seen > now() - interval '1 hour'"
                " AND first_seen < now() - interval '9 days'") == 1);
}
