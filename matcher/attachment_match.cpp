#include "matcher/attachment_match.h"

namespace leakwatch::matcher {
namespace {

// As match_stage.cpp's kMatch, over attachment_sightings: a record is a line
// of a member of one attachment; the page is the listing that linked it.
constexpr const char* kMatchAttachments =
    "WITH hits AS ("
    "  SELECT a.page_id, s.hash, s.key_version, s.kind, s.masked, s.seen_at, c.customer_id,"
    "   count(*) FILTER (WHERE s.kind <> 'name') OVER w AS identifiers,"
    "   bool_or(s.kind = 'name') OVER w AS named"
    "  FROM attachment_sightings s JOIN attachments a ON a.id = s.attachment_id"
    "  JOIN customer_identifiers c ON c.hash = s.hash AND c.key_version = s.key_version"
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

}  // namespace

AttachmentMatchCounts match_attachments(pqxx::work& tx) {
  pqxx::row r = tx.exec1(kMatchAttachments);
  return {r[0].as<int64_t>(), r[1].as<int64_t>()};
}

}  // namespace leakwatch::matcher
