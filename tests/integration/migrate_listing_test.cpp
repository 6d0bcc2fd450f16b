// schema/0030 on a database that 0022 left: pages of one URL merged into one
// listing, their exposures merged (earliest first seen, latest last seen,
// notified if any was), plaintext text gone, unread pages queued again.
#include <doctest/doctest.h>

#include "harness.h"

using namespace leakwatch::testing;

TEST_CASE("migrate: 0030 merges a listing's versions and their exposures, and keeps no plaintext text") {
  TestDatabase db;
  std::string schema = std::string(LEAKWATCH_SOURCE_DIR) + "/schema/";
  for (const char* file : {"0001_create_customer_identifiers", "0010_create_frontier",
                           "0020_create_sightings", "0021_create_exposures", "0022_create_runs"}) {
    auto r =
        run_program({"psql", db.url(), "-q", "-1", "-v", "ON_ERROR_STOP=1", "-f", schema + file + ".sql"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  auto seeded = run_program({"psql", db.url(), "-q", "-v", "ON_ERROR_STOP=1"}, R"SQL(
CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO schema_migrations (version, name) VALUES (1, '0001'), (10, '0010'), (20, '0020'), (21, '0021'), (22, '0022');
INSERT INTO crawl_sources (name) VALUES ('shop');
INSERT INTO frontier (url, source, depth, state, etag) VALUES
 ('http://shop.onion/counter', 'shop', 0, 'done', '"3"'), ('http://shop.onion/new', 'shop', 0, 'done', '"n"');
INSERT INTO pages (content_hash, url, final_url, source, status, content_type, text, bytes, extracted_version, fetched_at) VALUES
 ('\x01', 'http://shop.onion/counter', 'http://shop.onion/counter', 'shop', 200, 'text/html', 'v1 secret', 2, 1, now() - interval '3 days'),
 ('\x02', 'http://shop.onion/counter', 'http://shop.onion/counter', 'shop', 200, 'text/html', 'v2 secret', 2, 1, now() - interval '2 days'),
 ('\x03', 'http://shop.onion/counter', 'http://shop.onion/counter', 'shop', 200, 'text/html', 'v3 secret', 2, 1, now() - interval '1 days'),
 ('\x04', 'http://shop.onion/new', 'http://shop.onion/new', 'shop', 200, 'text/html', 'unread secret', 2, 0, now());
INSERT INTO page_urls (url, page_id, source) VALUES ('http://shop.onion/counter', 3, 'shop'), ('http://shop.onion/new', 4, 'shop');
INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen, confidence, notified_at) VALUES
 ('c1', 'email', '00000000-0000-0000-0000-000000000001', 1, 'a***@qq.com', 1, now() - interval '3 days', now() - interval '3 days', 'single', now()),
 ('c1', 'email', '00000000-0000-0000-0000-000000000001', 1, 'a***@qq.com', 2, now() - interval '2 days', now() - interval '2 days', 'confirmed', NULL),
 ('c1', 'email', '00000000-0000-0000-0000-000000000001', 1, 'a***@qq.com', 3, now() - interval '1 days', now() - interval '1 days', 'single', NULL),
 ('c2', 'phone', '00000000-0000-0000-0000-000000000002', 1, '+86138****5678', 2, now() - interval '2 days', now() - interval '2 days', 'single', NULL);
)SQL");
  REQUIRE_MESSAGE(seeded.exit_code == 0, seeded.err);

  auto migrated = run_cli({"db", "migrate"}, "", {{"LEAKWATCH_DATABASE_URL", db.url()}});
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
  CHECK(migrated.err.find("applied 0030_key_pages_by_listing") != std::string::npos);

  CHECK(db.query_value("SELECT string_agg(id || ' ' || url, ',' ORDER BY id) FROM pages") ==
        "3 http://shop.onion/counter,4 http://shop.onion/new");
  CHECK(db.query_value(
            "SELECT string_agg(customer_id || ' ' || page_id || ' ' || confidence || ' ' ||"
            " (notified_at IS NOT NULL) || ' ' || (now() - first_seen > interval '70 hours') || ' ' ||"
            " (now() - last_seen < interval '26 hours'), ',' ORDER BY customer_id) FROM exposures") ==
        "c1 3 confirmed true true true,c2 3 single false false false");
  CHECK(db.query_value("SELECT count(*) FROM page_urls WHERE page_id <> 3 AND page_id <> 4") == "0");
  CHECK(db.query_value("SELECT count(*) FROM information_schema.columns WHERE table_name = 'pages'"
                       " AND column_name = 'text'") == "0");
  CHECK(db.query_value(
            "SELECT string_agg(url || ' ' || state || ' ' || coalesce(etag, '-'), ',' ORDER BY url)"
            " FROM frontier") == "http://shop.onion/counter done \"3\",http://shop.onion/new queued -");
  auto dump = run_program({"pg_dump", "--no-owner", db.url()});
  REQUIRE(dump.exit_code == 0);
  CHECK(dump.out.find("secret") == std::string::npos);
}
