#include "matcher/attachment_match.h"

#include <string>

#include "matcher/imported_identifiers_sql.h"

namespace leakwatch::matcher {
namespace {

// As match_stage.cpp's join, over attachment_sightings: a record is a line
// of a member of one attachment; the page is the listing that linked it.
// $1: the listings whose attachments are joined (bigint[]), NULL for all
// (bound, so the planner folds the test away).
constexpr const char* kMatchAttachments =
    "WITH hits AS ("
    "  SELECT a.page_id, s.hash, s.key_version, s.kind, s.masked, s.seen_at, c.customer_id,"
    "   count(*) FILTER (WHERE s.kind <> 'name') OVER w AS identifiers,"
    "   bool_or(s.kind = 'name') OVER w AS named"
    "  FROM attachment_sightings s JOIN attachments a ON a.id = s.attachment_id"
    "  JOIN customer_identifiers c ON c.hash = s.hash AND c.key_version = s.key_version"
    "  WHERE $1::bigint[] IS NULL OR a.page_id = ANY($1::bigint[])"
    "  WINDOW w AS (PARTITION BY s.attachment_id, s.member, s.line, c.customer_id)),"
    " found AS ("
    "  SELECT customer_id, hash, page_id, min(kind) AS kind, min(key_version) AS key_version,"
    "   min(masked) AS masked, min(seen_at) AS first_seen, max(seen_at) AS last_seen,"
    "   CASE WHEN bool_or(identifiers >= 2 OR named) THEN 'confirmed' ELSE 'single' END AS confidence"
    "  FROM hits WHERE kind <> 'name' GROUP BY customer_id, hash, page_id),"
    " upsert AS ("
    "  INSERT INTO exposures (customer_id, kind, hash, key_version, masked, page_id, first_seen, last_seen,"
    "   confidence)"
    "  SELECT f.customer_id, f.kind, f.hash, f.key_version, f.masked, f.page_id, f.first_seen, f.last_seen,"
    "   f.confidence FROM found f"
    "  ON CONFLICT (customer_id, hash, page_id) DO UPDATE SET"
    "   last_seen = greatest(exposures.last_seen, excluded.last_seen),"
    "   confidence = CASE WHEN excluded.confidence = 'confirmed' THEN 'confirmed' ELSE exposures.confidence "
    "END"
    "  WHERE excluded.last_seen > exposures.last_seen"
    "   OR (excluded.confidence = 'confirmed' AND exposures.confidence <> 'confirmed')"
    "  RETURNING (xmax = 0) AS inserted)"
    " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upsert";

// The queued listings (schema/0080), taken: entries committed after this
// statement's snapshot stay for the next match (whose join they name).
constexpr const char* kTakeQueued = "DELETE FROM match_queue_attachments";
// The queued listings ($2), and the listings whose attachments hold a hash
// of the identifiers imported at $1 (timestamptz[]): through
// attachment_sightings_hash, one probe per new identifier.
constexpr const char* kAddListingsOfNewIdentifiers =
    "WITH n AS MATERIALIZED (SELECT hash, key_version" LW_IDENTIFIERS_IMPORTED_AT
    "),"
    " p AS (SELECT unnest($2::bigint[]) AS page_id"
    "  UNION SELECT a.page_id FROM n JOIN attachment_sightings s ON s.hash = n.hash AND s.key_version = "
    "n.key_version"
    "  JOIN attachments a ON a.id = s.attachment_id)"
    " SELECT coalesce(array_agg(page_id ORDER BY page_id), '{}')::text, count(*) FROM p";

AttachmentMatchCounts join(pqxx::work& tx, const std::optional<std::string>& listings) {
  pqxx::row r = tx.exec_params1(kMatchAttachments, listings);
  return {r[0].as<int64_t>(), r[1].as<int64_t>(), 0};
}

}  // namespace

AttachmentMatchCounts match_all_attachments(pqxx::work& tx) {
  tx.exec0(kTakeQueued);
  return join(tx, std::nullopt);
}

AttachmentMatchCounts match_new_attachments(pqxx::work& tx, const QueuedListings& queued,
                                            const std::optional<std::string>& import_times) {
  QueuedListings listings = queued;
  if (import_times) {
    pqxx::row added = tx.exec_params1(kAddListingsOfNewIdentifiers, *import_times, queued.pages);
    listings = {added[0].as<std::string>(), added[1].as<int64_t>()};
  }
  if (listings.count == 0) return {};
  AttachmentMatchCounts counts = join(tx, listings.pages);
  counts.listings = listings.count;
  return counts;
}

}  // namespace leakwatch::matcher
