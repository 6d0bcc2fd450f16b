#include "matcher/match_stage.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "db/store_error.h"
#include "matcher/attachment_match.h"
#include "matcher/imported_identifiers_sql.h"

namespace leakwatch::matcher {
namespace {

// Past this many new customer identifiers, one join of everything is cheaper
// than finding the sightings of each by hash.
constexpr int64_t kMaxProbedIdentifiers = 200'000;
// Up to MatchPlanLimits::max_probed_pages listings, their sightings are
// probed one by one in the customers' primary key. The planner cannot see
// it: it guesses 10 elements per array, and name hashes (shared by many
// customers) make it expect many rows per hash, so it would hash the whole
// customer set for one page.
constexpr const char* kPlanForProbes =
    "SELECT set_config('enable_mergejoin', 'off', true), set_config('enable_hashjoin', 'off', true),"
    " set_config('jit', 'off', true);";
constexpr const char* kPlanForHashJoin =
    "SELECT set_config('enable_nestloop', 'off', true), set_config('enable_mergejoin', 'off', true);";
// What the choice of plan past max_probed_pages needs: whether some
// customer_identifiers partition lives on a shard, the customers' row count
// as last analysed, and the sightings of the listings ($1::bigint[]).
#define LW_CUSTOMERS_SHARDED                                                  \
  "EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid" \
  "  WHERE i.inhparent = 'customer_identifiers'::regclass AND c.relkind = 'f')"
constexpr const char* kPlanInputs =
    "SELECT " LW_CUSTOMERS_SHARDED
    ","
    " (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint FROM pg_inherits i JOIN pg_class c"
    "  ON c.oid = i.inhrelid WHERE i.inhparent = 'customer_identifiers'::regclass),"
    " (SELECT coalesce(sum(cardinality(g.hashes)), 0) FROM sightings g WHERE g.location_id = ANY("
    "  (SELECT array_agg(id) FROM sighting_locations WHERE page_id = ANY($1::bigint[]))::integer[]))";
// Whether some customer_identifiers partition lives on a shard (db/shard.h),
// for the few listings' join (match_pages).
constexpr const char* kCustomersSharded = "SELECT " LW_CUSTOMERS_SHARDED;
#undef LW_CUSTOMERS_SHARDED
// Hashing every customer identifier pays when they are fewer than this many
// times the new sightings: at 200k customers and 1M new sightings the hash
// join is 2x faster than the planner's own plan; at 10M and 1M the planner's
// plan (index probes) was 0.60x the hand-written hash join (BENCHMARKS.md).
constexpr int64_t kHashJoinCustomersPerSighting = 4;
// Sightings and customer_identifiers share their partitions (schema/0070):
// joined pair by pair, each pair where it lives (a shard, or here).
constexpr const char* kPlanPartitionWise = "SELECT set_config('enable_partitionwise_join', 'on', true);";

// m: the sightings rows holding a customer's hash, one row per (row,
// customer hash): a join of sightings and customer_identifiers on the bucket
// (their partition key, schema/0070) and the hash, so that it is a
// partition-wise join, run by each shard where the partitions live on other
// servers (postgres_fdw). s: one row per sighting of a customer's hash (each
// position of the hash in the row), with its customer. hits: that record's
// evidence for the customer (window over location, record, customer; a
// location holds each (record, hash) once, so count(*) is a count of distinct
// identifiers). Grouped to one row per (customer, hash, page); last_seen
// also follows the page's URLs (page_urls.last_seen moves when the crawler
// sees the same content again). xmax = 0 tells an inserted row from an
// updated one. Kinds: 0 email, 1 phone, 2 name.
#define LW_MATCH(WHERE)                                                                                  \
  "WITH m AS MATERIALIZED ("                                                                             \
  "  SELECT g.location_id, g.key_version, g.seen_at, g.hashes, g.codes, g.masked, c.hash, c.customer_id" \
  "  FROM sightings g JOIN customer_identifiers c"                                                       \
  "   ON c.bucket = g.bucket AND c.key_version = g.key_version AND c.hash = ANY(g.hashes)" WHERE         \
  "), s AS ("                                                                                            \
  "  SELECT l.page_id, m.location_id, m.codes[p.i] >> 2 AS record, m.codes[p.i] & 3 AS kind, m.hash,"    \
  "   m.key_version, (string_to_array(m.masked, E'\\n'))[p.i] AS masked, m.seen_at, m.customer_id"       \
  "  FROM m JOIN sighting_locations l ON l.id = m.location_id,"                                          \
  "   LATERAL unnest(array_positions(m.hashes, m.hash)) AS p(i)"                                         \
  ")," LW_MATCH_HITS
// The same s, one row per sighting first (unnest, each position of each
// hash), then an equijoin with customer_identifiers on (bucket, key_version,
// hash): for many listings, one hash join, as a join written by hand would
// be (match_pages). Not partition-wise: the function scan is not a
// partitioned relation.
#define LW_MATCH_UNNESTED(WHERE)                                                                         \
  "WITH s AS ("                                                                                          \
  "  SELECT l.page_id, g.location_id, u.code >> 2 AS record, u.code & 3 AS kind, u.hash, g.key_version," \
  "   u.masked, g.seen_at, c.customer_id"                                                                \
  "  FROM sightings g JOIN sighting_locations l ON l.id = g.location_id CROSS JOIN"                      \
  "   LATERAL unnest(g.hashes, g.codes, string_to_array(g.masked, E'\\n')) AS u(hash, code, masked)"     \
  "  JOIN customer_identifiers c ON c.bucket = g.bucket AND c.key_version = g.key_version"               \
  "   AND c.hash = u.hash" WHERE ")," LW_MATCH_HITS
// The same rows for a few listings on one server, probing the customers'
// key with the hashes of identifiers only (kinds 0 and 1): a name (kind 2)
// only ever raises the confidence of a customer's identifier in the same
// record, so names are looked up afterwards as (name hash, customer) pairs,
// for the records and customers the identifiers found. Probing every name
// on the page instead fetches every customer who shares it, and common
// names are shared by more customers the more customers there are: the
// one-page join grew with the customer set (BENCHMARKS.md). A name row here
// stands for every sighting of that name of that customer in the record
// (hits reads only its location, record, customer and kind). The ARRAY
// subquery is not shippable to postgres_fdw, so sharded layouts keep LW_MATCH.
#define LW_MATCH_PROBED(WHERE)                                                                           \
  "WITH m AS MATERIALIZED ("                                                                             \
  "  SELECT g.location_id, g.key_version, g.seen_at, g.hashes, g.codes, g.masked, c.hash, c.customer_id" \
  "  FROM sightings g JOIN customer_identifiers c"                                                       \
  "   ON c.bucket = g.bucket AND c.key_version = g.key_version AND c.hash = ANY(ARRAY("                  \
  "    SELECT u.hash FROM unnest(g.hashes, g.codes) AS u(hash, code) WHERE u.code & 3 <> 2))" WHERE      \
  "), ids AS ("                                                                                          \
  "  SELECT l.page_id, m.location_id, m.codes[p.i] >> 2 AS record, m.codes[p.i] & 3 AS kind, m.hash,"    \
  "   m.key_version, (string_to_array(m.masked, E'\\n'))[p.i] AS masked, m.seen_at, m.customer_id"       \
  "  FROM m JOIN sighting_locations l ON l.id = m.location_id,"                                          \
  "   LATERAL unnest(array_positions(m.hashes, m.hash)) AS p(i)"                                         \
  "), names AS MATERIALIZED ("                                                                           \
  "  SELECT g.location_id, g.bucket, g.key_version, u.hash, u.code >> 2 AS record"                       \
  "  FROM sightings g, LATERAL unnest(g.hashes, g.codes) AS u(hash, code)" WHERE                         \
  " AND u.code & 3 = 2"                                                                                  \
  "), s AS ("                                                                                            \
  "  SELECT * FROM ids UNION ALL"                                                                        \
  "  SELECT NULL, r.location_id, r.record, 2, NULL, NULL, NULL, NULL, r.customer_id"                     \
  "  FROM (SELECT DISTINCT location_id, record, customer_id FROM ids) r"                                 \
  "  WHERE EXISTS (SELECT 1 FROM names n JOIN customer_identifiers c ON c.bucket = n.bucket"             \
  "   AND c.key_version = n.key_version AND c.hash = n.hash AND c.customer_id = r.customer_id"           \
  "   WHERE n.location_id = r.location_id AND n.record = r.record)"                                      \
  ")," LW_MATCH_HITS
#define LW_MATCH_HITS                                                                                      \
  " hits AS ("                                                                                             \
  "  SELECT s.page_id, s.hash, s.key_version, s.kind, s.masked, s.seen_at, s.customer_id,"                 \
  "   count(*) FILTER (WHERE s.kind <> 2) OVER w AS identifiers,"                                          \
  "   bool_or(s.kind = 2) OVER w AS named"                                                                 \
  "  FROM s WINDOW w AS (PARTITION BY s.location_id, s.record, s.customer_id)),"                           \
  " found AS ("                                                                                            \
  "  SELECT customer_id, hash, page_id, CASE min(kind) WHEN 0 THEN 'email' ELSE 'phone' END AS kind,"      \
  "   min(key_version) AS key_version, min(masked) AS masked, min(seen_at) AS first_seen,"                 \
  "   max(seen_at) AS last_seen,"                                                                          \
  "   CASE WHEN bool_or(identifiers >= 2 OR named) THEN 'confirmed' ELSE 'single' END AS confidence"       \
  "  FROM hits WHERE kind <> 2 GROUP BY customer_id, hash, page_id),"                                      \
  " upsert AS ("                                                                                           \
  "  INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen," \
  "   confidence)"                                                                                         \
  "  SELECT f.customer_id, f.kind, f.hash, f.key_version, f.masked, f.page_id, f.first_seen,"              \
  "   greatest(f.last_seen, (SELECT max(u.last_seen) FROM page_urls u WHERE u.page_id = f.page_id)),"      \
  "   f.confidence FROM found f"                                                                           \
  "  ON CONFLICT (customer_id, hash, page_id) DO UPDATE SET"                                               \
  "   last_seen = greatest(exposures.last_seen, excluded.last_seen),"                                      \
  "   confidence = CASE WHEN excluded.confidence = 'confirmed' THEN 'confirmed'"                           \
  "    ELSE exposures.confidence END"                                                                      \
  "  WHERE excluded.last_seen > exposures.last_seen"                                                       \
  "   OR (excluded.confidence = 'confirmed' AND exposures.confidence <> 'confirmed')"                      \
  "  RETURNING (xmax = 0) AS inserted)"                                                                    \
  " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upsert"

constexpr const char* kMatchAll = LW_MATCH("");
// kPagesHere is replaced by the pages, a quoted array literal (everywhere).
#define LW_OF_PAGES                                                                           \
  " WHERE g.location_id = ANY((SELECT array_agg(id) FROM sighting_locations WHERE page_id = " \
  "ANY(:pages))::integer[])"
constexpr const char* kMatchPages = LW_MATCH(LW_OF_PAGES);
constexpr const char* kMatchPagesUnnested = LW_MATCH_UNNESTED(LW_OF_PAGES);
constexpr const char* kMatchPagesProbed = LW_MATCH_PROBED(LW_OF_PAGES);
constexpr std::string_view kPagesHere = ":pages";
#undef LW_OF_PAGES
#undef LW_MATCH
#undef LW_MATCH_UNNESTED
#undef LW_MATCH_PROBED
#undef LW_MATCH_HITS

// Everything a match takes, in one round trip: the state and the three
// queues, emptied (pages whose sightings changed, pages only seen again
// under their URLs, imports, listings whose attachments changed), each as
// an array literal the match binds again. Only the queues and match_state
// are named, so that a match with nothing new plans no statement over the
// partitioned tables (in a new session, opening their 16 partitions and
// indexes costs more than the rest of such a match). Entries committed
// after this statement's snapshot are not deleted: they wait for the next
// match. Two concurrent matches each take what the other did not (row locks
// on the deleted entries) and upsert with ON CONFLICT: safe, only wasteful.
constexpr const char* kTake =
    "WITH p AS (DELETE FROM match_queue_pages RETURNING page_id, urls_only),"
    " i AS (DELETE FROM match_queue_imports RETURNING imported_at),"
    " a AS (DELETE FROM match_queue_attachments RETURNING page_id),"
    " changed AS (SELECT DISTINCT page_id FROM p WHERE NOT urls_only),"
    " seen AS (SELECT DISTINCT page_id FROM p WHERE urls_only EXCEPT SELECT page_id FROM changed),"
    " files AS (SELECT DISTINCT page_id FROM a)"
    " SELECT full_needed, exposures_total,"
    "  (SELECT coalesce(array_agg(page_id ORDER BY page_id), '{}')::text FROM changed),"
    "  (SELECT count(*) FROM changed), (SELECT array_agg(page_id ORDER BY page_id)::text FROM seen),"
    "  (SELECT array_agg(DISTINCT imported_at)::text FROM i),"
    "  (SELECT coalesce(array_agg(page_id ORDER BY page_id), '{}')::text FROM files),"
    "  (SELECT count(*) FROM files)"
    " FROM match_state";
// The changed pages ($1) and those of the pages only seen again ($2) that
// have exposures (whose last_seen may move): a listing without any had no
// match at the last match, and nothing it holds has changed since.
constexpr const char* kAddPagesSeenAgain =
    "SELECT coalesce(array_agg(page_id ORDER BY page_id), '{}')::text, count(*) FROM"
    " (SELECT unnest($1::bigint[]) AS page_id UNION SELECT s.page_id FROM unnest($2::bigint[]) AS s(page_id)"
    "  WHERE EXISTS (SELECT 1 FROM exposures e WHERE e.page_id = s.page_id)) t";
constexpr const char* kFinish =
    "UPDATE match_state SET full_needed = false, exposures_total = exposures_total + $1"
    " RETURNING exposures_total";

// The rows of the queued imports (the bounds let the BRIN index skip all
// older rows; BRIN takes no = ANY in PostgreSQL 15).
constexpr const char* kCountNewIdentifiers = "SELECT count(*)" LW_IDENTIFIERS_IMPORTED_AT;
// The queued pages ($2) and the listings holding a sighting of one of the
// new identifiers: candidates by 20-bit prefix through the GIN index on
// `keys`, then the exact test on the hashes. Only built-in operators touch
// sightings, so on a sharded layout the test runs on the shards.
constexpr const char* kAddPagesOfNewIdentifiers =
    "WITH n AS MATERIALIZED (SELECT array_agg(DISTINCT hash) AS h, array_agg(DISTINCT "
    "sighting_hash_key(hash)) AS k" LW_IDENTIFIERS_IMPORTED_AT
    "), found AS MATERIALIZED ("
    " SELECT g.location_id FROM sightings g WHERE g.keys && (SELECT k FROM n) AND g.hashes && (SELECT h FROM "
    "n))"
    " SELECT coalesce(array_agg(page_id ORDER BY page_id), '{}')::text, count(*) FROM"
    " (SELECT unnest($2::bigint[]) AS page_id"
    "  UNION SELECT l.page_id FROM found f JOIN sighting_locations l ON l.id = f.location_id) t";

// The join of the listings in `pages` (a bigint[] literal, `count` of
// them), in one round trip with its planner settings:
// - up to `max_probed`, the partition-wise join, its rows probed in the
//   customers' primary key (milliseconds for one listing): on one server
//   with the identifiers' hashes only, then the names of the customers found
//   (LW_MATCH_PROBED); on shards with every hash (LW_MATCH, run by each shard);
// - past that, on one server, when the customers are few for the new
//   sightings (kHashJoinCustomersPerSighting), one sighting per row (unnest)
//   hash-joined with customer_identifiers on (bucket, key_version, hash), as
//   a join written by hand would be. The planner cannot count the listings'
//   sightings (it guesses 10 elements per array and a few locations for the
//   = ANY of an init plan), so it would pick nested loops: they are turned off;
// - otherwise (many customers, or shards: db/shard.h) the partition-wise
//   join, planned freely; on shards each bucket's join runs on its shard.
pqxx::row match_pages(pqxx::work& tx, const std::string& pages, int64_t count, int64_t max_probed) {
  std::string plan = kPlanPartitionWise;
  std::string sql = kMatchPages;
  if (count <= max_probed) {
    plan += kPlanForProbes;
    if (!tx.exec1(kCustomersSharded)[0].as<bool>()) sql = kMatchPagesProbed;
  } else {
    pqxx::row in = tx.exec_params1(kPlanInputs, pages);
    const bool sharded = in[0].as<bool>();
    const int64_t customers = in[1].as<int64_t>(), sightings = in[2].as<int64_t>();
    if (!sharded && customers < kHashJoinCustomersPerSighting * sightings) {
      plan += kPlanForHashJoin;
      sql = kMatchPagesUnnested;
    }
  }
  const std::string literal = tx.quote(pages) + "::bigint[]";
  for (auto at = sql.find(kPagesHere); at != std::string::npos;
       at = sql.find(kPagesHere, at + literal.size())) {
    sql.replace(at, kPagesHere.size(), literal);
  }
  return tx.exec(plan + sql).at(0);
}

MatchStats finish(pqxx::work& tx, MatchStats stats, std::chrono::steady_clock::time_point start) {
  tx.commit();
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace

MatchStats run_match(pqxx::connection& conn, MatchMode mode, const MatchPlanLimits& limits) {
  MatchStats stats;
  auto start = std::chrono::steady_clock::now();
  try {
    pqxx::work tx(conn, "match");
    pqxx::row taken = tx.exec1(kTake);
    stats.full = taken[0].as<bool>() || mode == MatchMode::kFull;
    stats.exposures_total = taken[1].as<int64_t>();
    std::string pages = taken[2].as<std::string>();
    stats.pages_matched = taken[3].as<int64_t>();
    if (!stats.full && !taken[4].is_null()) {
      pqxx::row added = tx.exec_params1(kAddPagesSeenAgain, pages, taken[4].as<std::string>());
      pages = added[0].as<std::string>();
      stats.pages_matched = added[1].as<int64_t>();
    }
    std::optional<std::string> times;
    if (!taken[5].is_null()) {
      times = taken[5].as<std::string>();
      stats.identifiers_new = tx.exec_params1(kCountNewIdentifiers, *times)[0].as<int64_t>();
      if (stats.identifiers_new > kMaxProbedIdentifiers) {
        stats.full = true;
      } else if (!stats.full && stats.identifiers_new > 0) {
        pqxx::row added = tx.exec_params1(kAddPagesOfNewIdentifiers, *times, pages);
        pages = added[0].as<std::string>();
        stats.pages_matched = added[1].as<int64_t>();
      }
    }
    const QueuedListings queued_files{taken[6].as<std::string>(), taken[7].as<int64_t>()};
    int64_t inserted = 0, updated = 0;
    AttachmentMatchCounts files;  // after the listings' own upsert, as the full join does
    if (stats.full) {
      stats.pages_matched = 0;
      pqxx::row r = tx.exec(std::string(kPlanPartitionWise) + kMatchAll).at(0);
      inserted = r[0].as<int64_t>();
      updated = r[1].as<int64_t>();
      files = match_all_attachments(tx);
    } else {
      if (stats.pages_matched > 0) {
        pqxx::row r = match_pages(tx, pages, stats.pages_matched, limits.max_probed_pages);
        inserted = r[0].as<int64_t>();
        updated = r[1].as<int64_t>();
      }
      files = match_new_attachments(tx, queued_files, times);
      stats.attachment_listings_matched = files.listings;
    }
    stats.exposures_new = inserted + files.inserted;
    stats.exposures_updated = updated + files.updated;
    // Nothing taken: nothing written, not even match_state (whose row lock
    // serialises the matches that write).
    if (stats.full || stats.pages_matched > 0 || files.listings > 0) {
      stats.exposures_total = tx.exec_params1(kFinish, stats.exposures_new)[0].as<int64_t>();
    }
    return finish(tx, stats, start);
  } catch (...) {
    db::rethrow_translated("matching sightings against the customers");
  }
}

std::string explain_full_match(pqxx::connection& conn) {
  return db::store_call("explaining the match's plan", [&] {
    pqxx::work tx(conn, "match explain");
    std::string plan;
    for (const auto& row :
         tx.exec(std::string(kPlanPartitionWise) + "EXPLAIN (VERBOSE, COSTS OFF) " + kMatchAll)) {
      plan += row[0].as<std::string>() + "\n";
    }
    return plan;  // rolled back: EXPLAIN without ANALYZE changes nothing anyway
  });
}

}  // namespace leakwatch::matcher
