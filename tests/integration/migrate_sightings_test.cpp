// schema/0050 on a database that 0031 left, with sightings stored one row
// each: the same sightings afterwards (compact, per location and bucket),
// no staging table, and the first match joins everything, so sightings not
// matched before the migration are not missed.
#include <doctest/doctest.h>

#include "harness.h"

using namespace leakwatch::testing;

TEST_CASE("migrate: 0050 keeps every old sighting, compact, and the next match finds their exposures") {
  TestDatabase db;
  std::string schema = std::string(LEAKWATCH_SOURCE_DIR) + "/schema/";
  for (const char* file :
       {"0001_create_customer_identifiers", "0010_create_frontier", "0012_create_url_param_rules",
        "0020_create_sightings", "0021_create_exposures", "0022_create_runs", "0030_key_pages_by_listing",
        "0031_create_key_fingerprints"}) {
    auto r =
        run_program({"psql", db.url(), "-q", "-1", "-v", "ON_ERROR_STOP=1", "-f", schema + file + ".sql"});
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  auto seeded = run_program({"psql", db.url(), "-q", "-v", "ON_ERROR_STOP=1"}, R"SQL(
CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
                                applied_at timestamptz NOT NULL DEFAULT now());
INSERT INTO schema_migrations (version, name) VALUES (1, '0001'), (10, '0010'), (12, '0012'), (20, '0020'),
  (21, '0021'), (22, '0022'), (30, '0030'), (31, '0031');
INSERT INTO crawl_sources (name) VALUES ('shop');
INSERT INTO pages (id, content_hash, url, final_url, source, status, content_type, bytes, extracted_version, fetched_at) VALUES
 (1, '\x01', 'http://shop.onion/1', 'http://shop.onion/1', 'shop', 200, 'text/html', 2, 1, '2026-01-01'),
 (2, '\x02', 'http://shop.onion/2', 'http://shop.onion/2', 'shop', 200, 'text/html', 2, 1, '2026-01-02');
INSERT INTO page_urls (url, page_id, source, last_seen) VALUES
 ('http://shop.onion/1', 1, 'shop', '2026-01-01'), ('http://shop.onion/2', 2, 'shop', '2026-01-05');
INSERT INTO sightings (page_id, record, hash, key_version, kind, masked, seen_at) VALUES
 (1, 0, '10000000-0000-0000-0000-00000000000a', 1, 'email', 'a***@qq.com', '2026-01-01'),
 (1, 0, 'f0000000-0000-0000-0000-00000000000b', 1, 'phone', '+86139****0001', '2026-01-01'),
 (1, 0, '80000000-0000-0000-0000-00000000000c', 1, 'name', 'W** Wei', '2026-01-01'),
 (1, 7, 'f0000000-0000-0000-0000-00000000000d', 1, 'phone', '+86139****0002', '2026-01-01'),
 (2, 3, '10000000-0000-0000-0000-00000000000a', 1, 'email', 'a***@qq.com', '2026-01-02');
INSERT INTO sightings_staging (batch, page_id, record, hash, key_version, kind, masked, seen_at)
  SELECT gen_random_uuid(), page_id, record, hash, key_version, kind, masked, seen_at FROM sightings;
DELETE FROM sightings_staging;
INSERT INTO customer_identifiers (hash, kind, customer_id) VALUES
 ('10000000-0000-0000-0000-00000000000a', 'email', 'c1'), ('f0000000-0000-0000-0000-00000000000b', 'phone', 'c1'),
 ('80000000-0000-0000-0000-00000000000c', 'name', 'c1'), ('f0000000-0000-0000-0000-00000000000d', 'phone', 'c2');
)SQL");
  REQUIRE_MESSAGE(seeded.exit_code == 0, seeded.err);

  auto migrated = run_cli({"db", "migrate"}, "", {{"LEAKWATCH_DATABASE_URL", db.url()}});
  REQUIRE_MESSAGE(migrated.exit_code == 0, migrated.err);
  CHECK(migrated.err.find("applied 0050_compact_sightings") != std::string::npos);

  // The same five sightings; names keep no masked form (they are never reported).
  CHECK(db.query_value("SELECT string_agg(concat_ws(' ', page_id, record, hash, kind, masked, seen_at::date),"
                       " ',' ORDER BY page_id, record, hash) FROM sighting_rows") ==
        "1 0 10000000-0000-0000-0000-00000000000a email a***@qq.com 2026-01-01,"
        "1 0 80000000-0000-0000-0000-00000000000c name  2026-01-01,"
        "1 0 f0000000-0000-0000-0000-00000000000b phone +86139****0001 2026-01-01,"
        "1 7 f0000000-0000-0000-0000-00000000000d phone +86139****0002 2026-01-01,"
        "2 3 10000000-0000-0000-0000-00000000000a email a***@qq.com 2026-01-02");
  // Page 1's sightings fall in three buckets (hashes 1…, 8…, f…): three rows.
  CHECK(db.query_value("SELECT string_agg(l.page_id || ':' || s.bucket, ',' ORDER BY l.page_id, s.bucket)"
                       " FROM sightings s JOIN sighting_locations l ON l.id = s.location_id") ==
        "1:1,1:8,1:15,2:1");
  CHECK(db.query_value("SELECT count(*) FROM pg_class WHERE relname LIKE 'sightings_staging%'"
                       " OR relname LIKE 'sightings_v1%'") == "0");

  auto match = run_cli({"match"}, "", {{"LEAKWATCH_DATABASE_URL", db.url()}});
  REQUIRE_MESSAGE(match.exit_code == 0, match.err);
  CHECK(match.err.find("match: 4 new exposures, 0 updated, 4 in all; full join") != std::string::npos);
  CHECK(db.query_value("SELECT string_agg(concat_ws(' ', customer_id, page_id, kind, masked, confidence,"
                       " first_seen::date, last_seen::date), ',' ORDER BY customer_id, page_id, kind)"
                       " FROM exposures") ==
        "c1 1 email a***@qq.com confirmed 2026-01-01 2026-01-01,"
        "c1 1 phone +86139****0001 confirmed 2026-01-01 2026-01-01,"
        "c1 2 email a***@qq.com single 2026-01-02 2026-01-05,"
        "c2 1 phone +86139****0002 single 2026-01-01 2026-01-01");
  auto again = run_cli({"match"}, "", {{"LEAKWATCH_DATABASE_URL", db.url()}});
  CHECK(again.err.find("match: 0 new exposures, 0 updated, 4 in all; 0 listings matched again") !=
        std::string::npos);
}
