#include "matcher/match_stage.h"

#include <chrono>
#include <string>

#include "core/errors.h"
#include "matcher/attachment_match.h"

namespace leakwatch::matcher {
namespace {

// hits: every sighting whose hash belongs to a customer, with that record's
// evidence for the customer (window over page, record, customer; sightings'
// primary key makes count(*) a count of distinct identifiers). Grouped to one
// row per (customer, hash, page); last_seen also follows the page's URLs
// (page_urls.last_seen moves when the crawler sees the same content again).
// xmax = 0 tells an inserted row from an updated one.
constexpr const char* kMatch =
    "WITH hits AS ("
    "  SELECT s.page_id, s.hash, s.key_version, s.kind, s.masked, s.seen_at, c.customer_id,"
    "   count(*) FILTER (WHERE s.kind <> 'name') OVER w AS identifiers,"
    "   bool_or(s.kind = 'name') OVER w AS named"
    "  FROM sightings s JOIN customer_identifiers c ON c.hash = s.hash AND c.key_version = s.key_version"
    "  WINDOW w AS (PARTITION BY s.page_id, s.record, c.customer_id)),"
    " found AS ("
    "  SELECT customer_id, hash, page_id, min(kind) AS kind, min(key_version) AS key_version,"
    "   min(masked) AS masked, min(seen_at) AS first_seen, max(seen_at) AS last_seen,"
    "   CASE WHEN bool_or(identifiers >= 2 OR named) THEN 'confirmed' ELSE 'single' END AS confidence"
    "  FROM hits WHERE kind <> 'name' GROUP BY customer_id, hash, page_id),"
    " upsert AS ("
    "  INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen,"
    "   confidence)"
    "  SELECT f.customer_id, f.kind, f.hash, f.key_version, f.masked, f.page_id, f.first_seen,"
    "   greatest(f.last_seen, (SELECT max(u.last_seen) FROM page_urls u WHERE u.page_id = f.page_id)),"
    "   f.confidence FROM found f"
    "  ON CONFLICT (customer_id, hash, page_id) DO UPDATE SET"
    "   last_seen = greatest(exposures.last_seen, excluded.last_seen),"
    "   confidence = CASE WHEN excluded.confidence = 'confirmed' THEN 'confirmed' ELSE exposures.confidence "
    "END"
    "  WHERE excluded.last_seen > exposures.last_seen"
    "   OR (excluded.confidence = 'confirmed' AND exposures.confidence <> 'confirmed')"
    "  RETURNING (xmax = 0) AS inserted)"
    " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upsert";
constexpr const char* kCountExposures = "SELECT count(*) FROM exposures";

}  // namespace

MatchStats run_match(pqxx::connection& conn) {
  MatchStats stats;
  auto start = std::chrono::steady_clock::now();
  try {
    pqxx::work tx(conn, "match");
    pqxx::row r = tx.exec1(kMatch);
    stats.exposures_new = r[0].as<int64_t>();
    stats.exposures_updated = r[1].as<int64_t>();
    const AttachmentMatchCounts files = match_attachments(tx);  // files linked from listings (#17)
    stats.exposures_new += files.inserted;
    stats.exposures_updated += files.updated;
    stats.exposures_total = tx.exec1(kCountExposures)[0].as<int64_t>();
    tx.commit();
  } catch (const pqxx::failure& e) {
    throw RuntimeError(std::string("match: database: ") + e.what());
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace leakwatch::matcher
