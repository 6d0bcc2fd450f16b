#include "matcher/extract_stage.h"

#include <string>
#include <tuple>
#include <vector>

#include "db/page_store.h"
#include "db/pg_array.h"
#include "db/store_error.h"
#include "identity/identity.h"

namespace leakwatch::matcher {
namespace {

constexpr const char* kNewBatch = "SELECT gen_random_uuid()";
constexpr const char* kMoveStaged =
    "WITH moved AS (DELETE FROM sightings_staging WHERE batch = $1"
    "  RETURNING page_id, record, hash, key_version, kind, masked, seen_at),"
    " ins AS (INSERT INTO sightings (page_id, record, hash, key_version, kind, masked, seen_at)"
    "  SELECT DISTINCT ON (page_id, record, hash, key_version) page_id, record, hash, key_version, kind,"
    "   masked, seen_at FROM moved ORDER BY page_id, record, hash, key_version"
    "  ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT count(*) FROM ins";
// A page extracted again holds its current version only: the sightings of
// the version it replaced go (its exposures stay: they are the listing's).
constexpr const char* kDropOldSightings = "DELETE FROM sightings WHERE page_id = ANY($1::bigint[])";

const std::vector<std::string> kStagingColumns{"batch",       "page_id", "record", "hash",
                                               "key_version", "kind",    "masked", "seen_at"};

// Extracts one leased batch inside `tx`; returns false when nothing was left.
bool extract_batch(pqxx::work& tx, const extract::Extractor& extractor, const identity::HashKey& key,
                   const db::ListingPrivacy& privacy, const ExtractOptions& options, ExtractStats* stats) {
  std::vector<db::PageToExtract> pages =
      db::lease_pages_to_extract(tx, privacy, kExtractorVersion, options.batch_pages);
  if (pages.empty()) return false;
  std::string batch = tx.exec1(kNewBatch)[0].as<std::string>();
  std::vector<int64_t> ids, read_ids;
  ids.reserve(pages.size());
  const int key_version = key.version();
  {
    pqxx::stream_to stream(tx, "sightings_staging", kStagingColumns);
    for (const auto& page : pages) {
      const int64_t page_id = page.id;
      ids.push_back(page_id);
      if (page.unreadable) ++stats->unreadable;
      if (!page.text) continue;  // text purged (or sealed under another key): nothing left to read
      read_ids.push_back(page_id);
      const std::string& seen_at = page.fetched_at;
      extractor.scan(*page.text, [&](const extract::FoundIdentifier& found) {
        const identity::Identifier& id = found.identifier;
        if (id.kind == identity::Kind::kName) {
          ++stats->names;
        } else {
          ++stats->identifiers;
        }
        stream << std::make_tuple(batch, page_id, static_cast<int64_t>(found.record),
                                  identity::to_hex(key.hash(id.kind, id.value)), key_version,
                                  std::string(identity::kind_name(id.kind)), found.masked, seen_at);
      });
    }
    stream.complete();
  }
  tx.exec_params0(kDropOldSightings, db::to_pg_array(read_ids));
  stats->sightings_new += tx.exec_params1(kMoveStaged, batch)[0].as<int64_t>();
  db::mark_pages_extracted(tx, kExtractorVersion, ids);
  stats->pages += static_cast<int64_t>(ids.size());
  return true;
}

}  // namespace

ExtractStats run_extract(pqxx::connection& conn, const extract::Extractor& extractor,
                         const identity::HashKey& key, const db::ListingPrivacy& privacy,
                         const ExtractOptions& options,
                         const std::function<void(const ExtractStats&)>& progress) {
  ExtractStats stats;
  try {
    for (;;) {
      pqxx::work tx(conn, "extract");
      ExtractStats batch_stats = stats;
      if (!extract_batch(tx, extractor, key, privacy, options, &batch_stats)) break;
      tx.commit();
      stats = batch_stats;
      ++stats.batches;
      if (progress) progress(stats);
    }
  } catch (...) {
    db::rethrow_translated("extracting a batch of pages");
  }
  return stats;
}

}  // namespace leakwatch::matcher
