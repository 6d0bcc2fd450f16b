// The extract stage: runs the Extractor over crawled pages that the current
// extractor version has not seen yet and stores what it finds as sightings
// (keyed hash + masked form; names in the same record as kind 'name').
//
// Pages are leased in batches with FOR UPDATE SKIP LOCKED, so several workers
// (processes or machines) share the work. A page's sightings are stored as
// one row per hash bucket of its location (schema/0050: parallel arrays of
// hashes, codes and masked forms), COPYed straight into sightings after the
// rows of the version they replace are deleted; no staging table. The page
// is queued for the next match and its extracted_version bumped, all in one
// transaction. Killing a worker loses at most its open batch, which the next
// run takes again: resumable and idempotent. Plaintext identifiers never
// leave memory.
//
// Not thread-safe; the connection, key and extractor must outlive the call.
#pragma once

#include <cstdint>
#include <functional>

#include <pqxx/pqxx>

#include "db/listing_privacy.h"
#include "extract/extractor.h"
#include "identity/keyed_hash.h"

namespace leakwatch::matcher {

// Bumped whenever extraction finds more or different identifiers, so that
// `extract` re-reads stored pages (whose text has not been purged).
inline constexpr int kExtractorVersion = 1;

struct ExtractOptions {
  int batch_pages = 200;  // pages leased per transaction
};

struct ExtractStats {
  int64_t pages = 0;          // pages extracted (text purged ones included)
  int64_t identifiers = 0;    // emails and phones found, repeats included
  int64_t names = 0;          // names found next to them
  int64_t sightings_new = 0;  // sightings stored: each (record, identifier) of a page once
  int64_t batches = 0;
  int64_t unreadable = 0;  // pages whose text is sealed under another key (the HMAC key changed)
};

// Extracts every page with extracted_version < kExtractorVersion (its text
// opened with `privacy`, db/page_store.h). Throws
// leakwatch::RuntimeError on a database failure (committed batches stay).
// `progress` (optional) is called after each committed batch.
ExtractStats run_extract(pqxx::connection& conn, const extract::Extractor& extractor,
                         const identity::HashKey& key, const db::ListingPrivacy& privacy,
                         const ExtractOptions& options = {},
                         const std::function<void(const ExtractStats&)>& progress = {});

}  // namespace leakwatch::matcher
