// `leakwatch purge --rewrite` on a database an older leakwatch (schema 0022)
// wrote to: what it stored in plaintext — titles, fields, URLs, errors — is
// masked as today's leakwatch stores it; a listing stored again since under
// its masked URL is merged, its exposure notified once.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "harness.h"
#include "listing_store.h"

using namespace leakwatch::testing;

namespace {

constexpr const char* kEmail = "zhou.ming8@163.com";

}  // namespace

TEST_CASE(
    "purge --rewrite: rows a pre-0030 leakwatch stored in plaintext are masked; a dump then holds none") {
  TestDatabase db;
  TempDir dir;
  auto key = write_key_file(dir);
  std::map<std::string, std::string> env{{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                                         {"LEAKWATCH_DATABASE_URL", db.url()},
                                         {"LEAKWATCH_CONFIG", dir.write("leakwatch.toml", "").string()}};
  std::string schema = std::string(LEAKWATCH_SOURCE_DIR) + "/schema/";
  for (const char* file : {"0001_create_customer_identifiers", "0010_create_frontier",
                           "0020_create_sightings", "0021_create_exposures", "0022_create_runs"}) {
    auto r =
        run_program({"psql", db.url(), "-q", "-1", "-v", "ON_ERROR_STOP=1", "-f", schema + file + ".sql"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  // What a leakwatch of that time stored: nothing masked.
  const std::string contact = std::string("http://shop.onion/contact/") + kEmail;
  const std::string wall = std::string("http://forum.onion/login?next=/u/") + kEmail;
  auto seeded = run_program({"psql", db.url(), "-q", "-v", "ON_ERROR_STOP=1", "-v", "contact=" + contact,
                             "-v", "email=" + std::string(kEmail), "-v", "wall=" + wall},
                            R"SQL(
CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO schema_migrations (version, name) VALUES (1, '0001'), (10, '0010'), (20, '0020'), (21, '0021'), (22, '0022');
INSERT INTO crawl_sources (name) VALUES ('shop'), ('forum');
INSERT INTO frontier (url, source, depth, state, last_error) VALUES
 (:'contact', 'shop', 1, 'done', NULL),
 ('http://shop.onion/listing/1', 'shop', 1, 'failed', 'fetch http://shop.onion/listing/1?by=' || :'email' || ': timeout');
INSERT INTO pages (content_hash, url, final_url, source, status, content_type, title, listing_title, price, seller,
                   text, bytes, extracted_version) VALUES
 ('\x01', :'contact', :'contact', 'shop', 200, 'text/html', 'listing for ' || :'email', 'sold by ' || :'email',
  '$5', :'email', 'secret ' || :'email', 2, 1);
INSERT INTO page_urls (url, page_id, source) SELECT url, id, source FROM pages;
INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen, confidence,
                       matched_at, notified_at)
  SELECT 'c1', 'email', '00000000-0000-0000-0000-000000000001', 1, 'z***@163.com', id, now() - interval '9 days',
         now() - interval '9 days', 'single', now() - interval '9 days', now() - interval '8 days' FROM pages;
INSERT INTO login_walls (source, url, reason) VALUES ('forum', :'wall', 'login form at ' || :'wall');
INSERT INTO runs (status, errors) VALUES
 ('failed', jsonb_build_array(jsonb_build_object('stage', 'crawl', 'error', 'bad page ' || :'contact')));
)SQL");
  REQUIRE_MESSAGE(seeded.exit_code == 0, seeded.err);
  auto migrated = run_cli({"db", "migrate"}, "", env);
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
  // Since the upgrade, a crawl stored the same listing again, under the
  // form URLs are stored in now, and matched the same customer there.
  Listing again;
  again.url = contact;
  again.title = std::string("listing for ") + kEmail;
  again.text = std::string("contact ") + kEmail;
  store_listing(db.url(), key, again);
  const std::string stored = privacy_for(key).stored_url(contact);
  REQUIRE(stored != contact);
  {
    pqxx::connection conn(db.url());
    pqxx::work tx(conn);
    tx.exec_params0(
        "INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen,"
        " confidence, matched_at) SELECT 'c1', 'email', '00000000-0000-0000-0000-000000000001', 1,"
        " 'z***@163.com', id, now(), now(), 'single', now() FROM pages WHERE url = $1",
        stored);
    tx.commit();
  }
  REQUIRE(db.query_value("SELECT count(*) FROM pages") == "2");

  auto dump = run_program({"pg_dump", "--no-owner", db.url()});
  REQUIRE(dump.out.find(kEmail) != std::string::npos);  // what the test is about

  auto r = run_cli({"purge", "--rewrite"}, "", env);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("purge --rewrite: masked 0 pages (1 merged into the listing stored under the masked URL), "
                   "1 page URLs, 2 frontier URLs, 2 login walls and runs; tables rewritten") !=
        std::string::npos);
  dump = run_program({"pg_dump", "--no-owner", db.url()});
  REQUIRE_MESSAGE(dump.exit_code == 0, dump.err);
  CHECK(dump.out.find(kEmail) == std::string::npos);
  CHECK(dump.out.find("zhou.ming8") == std::string::npos);

  // One listing, its exposure notified (the old one was): never reported again.
  CHECK(db.query_value("SELECT count(*) FROM pages") == "1");
  CHECK(db.query_value("SELECT count(*) FROM exposures WHERE notified_at IS NOT NULL") == "1");
  CHECK(db.query_value("SELECT count(*) FROM exposures") == "1");
  auto report = run_cli({"report", "--format", "json"}, "", env);
  REQUIRE_MESSAGE(report.exit_code == 0, report.err);
  CHECK(nlohmann::json::parse(report.out).empty());
  // The frontier still knows where the listing is: sealed under the stored form.
  {
    pqxx::connection conn(db.url());
    pqxx::read_transaction tx(conn);
    auto row = tx.exec_params1("SELECT url_sealed FROM frontier WHERE url = $1", stored);
    pqxx::binarystring sealed(row[0]);
    CHECK(privacy_for(key).open(std::string_view(sealed.get(), sealed.size())) == contact);
  }

  auto again_r = run_cli({"purge", "--rewrite"}, "", env);
  CHECK(again_r.exit_code == 0);
  CHECK(again_r.out.find(
            "masked 0 pages (0 merged into the listing stored under the masked URL), 0 page URLs, 0 "
            "frontier URLs, 0 login walls and runs") != std::string::npos);
}
