#include "matcher/extract_stage.h"

#include <algorithm>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "db/page_store.h"
#include "db/pg_array.h"
#include "db/store_error.h"
#include "identity/identity.h"

namespace leakwatch::matcher {
namespace {

// A page's own text is its location with place ''; the location of a page
// extracted before is reused (its id stays what its sightings reference).
constexpr const char* kLocations =
    "WITH ins AS (INSERT INTO sighting_locations (page_id) SELECT unnest($1::bigint[])"
    "  ON CONFLICT (page_id, place) DO NOTHING RETURNING id, page_id)"
    " SELECT id, page_id FROM ins"
    " UNION ALL SELECT id, page_id FROM sighting_locations WHERE page_id = ANY($1::bigint[]) AND place = ''";
// A page extracted again holds its current version only: the sightings of
// the version it replaced go (its exposures stay: they are the listing's).
constexpr const char* kDropOldSightings = "DELETE FROM sightings WHERE location_id = ANY($1::integer[])";
// The match that follows takes these pages again (match_stage.h).
constexpr const char* kQueueForMatch = "INSERT INTO match_queue_pages (page_id) SELECT unnest($1::bigint[])";

const std::vector<std::string> kColumns{"location_id", "bucket", "key_version", "seen_at",
                                        "hashes",      "codes",  "masked",      "keys"};

// Records past this are stored as this (a code is record * 4 + kind in 32 bits).
constexpr std::size_t kMaxRecord = (1u << 29) - 1;

struct Found {
  identity::KeyedHash hash;
  std::uint32_t code;  // record * 4 + kind
  std::string masked;  // '' for names
  int bucket() const { return hash[0] >> 4; }
  // The 20-bit prefix the GIN index holds (schema/0070 sighting_hash_key).
  std::uint32_t key() const {
    return (std::uint32_t{hash[0]} << 12) | (std::uint32_t{hash[1]} << 4) | (hash[2] >> 4);
  }
  std::uint32_t record() const { return code >> 2; }
};

struct PageSightings {
  int64_t page_id;
  std::string seen_at;
  std::vector<Found> found;
};

int kind_code(identity::Kind kind) {
  switch (kind) {
    case identity::Kind::kEmail:
      return 0;
    case identity::Kind::kPhone:
      return 1;
    case identity::Kind::kName:
      break;
  }
  return 2;
}

// Streams one page's sightings as one row per bucket: each (record, hash)
// once, in bucket, record, hash order.
void stream_page(pqxx::stream_to& stream, int location_id, int key_version, PageSightings& page) {
  auto& f = page.found;
  auto key = [](const Found& x) { return std::make_tuple(x.bucket(), x.record(), x.hash); };
  std::sort(f.begin(), f.end(), [&](const Found& a, const Found& b) { return key(a) < key(b); });
  f.erase(std::unique(f.begin(), f.end(), [&](const Found& a, const Found& b) { return key(a) == key(b); }),
          f.end());
  for (std::size_t i = 0; i < f.size();) {
    std::size_t end = i;
    std::string hashes = "{", codes = "{", masked, keys = "{";
    for (; end < f.size() && f[end].bucket() == f[i].bucket(); ++end) {
      if (end > i) {
        hashes.push_back(',');
        codes.push_back(',');
        masked.push_back('\n');
        keys.push_back(',');
      }
      hashes += identity::to_hex(f[end].hash);
      codes += std::to_string(f[end].code);
      masked += f[end].masked;
      keys += std::to_string(f[end].key());
    }
    hashes.push_back('}');
    codes.push_back('}');
    keys.push_back('}');
    stream << std::make_tuple(location_id, f[i].bucket(), key_version, page.seen_at, hashes, codes, masked,
                              keys);
    i = end;
  }
}

// Extracts one leased batch inside `tx`; returns false when nothing was left.
bool extract_batch(pqxx::work& tx, const extract::Extractor& extractor, const identity::HashKey& key,
                   const db::ListingPrivacy& privacy, const ExtractOptions& options, ExtractStats* stats) {
  std::vector<db::PageToExtract> pages =
      db::lease_pages_to_extract(tx, privacy, kExtractorVersion, options.batch_pages);
  if (pages.empty()) return false;
  std::vector<int64_t> ids, read_ids;
  std::vector<PageSightings> read;
  ids.reserve(pages.size());
  for (const auto& page : pages) {
    ids.push_back(page.id);
    if (page.unreadable) ++stats->unreadable;
    if (!page.text) continue;  // text purged (or sealed under another key): nothing left to read
    read_ids.push_back(page.id);
    PageSightings& out = read.emplace_back(PageSightings{page.id, page.fetched_at, {}});
    extractor.scan(*page.text, [&](const extract::FoundIdentifier& found) {
      const identity::Identifier& id = found.identifier;
      const bool name = id.kind == identity::Kind::kName;
      ++(name ? stats->names : stats->identifiers);
      const auto record = static_cast<std::uint32_t>(std::min(found.record, kMaxRecord));
      out.found.push_back(Found{key.hash(id.kind, id.value),
                                record * 4 + static_cast<std::uint32_t>(kind_code(id.kind)),
                                name ? std::string() : found.masked});
    });
  }
  if (!read_ids.empty()) {
    const std::string page_array = db::to_pg_array(read_ids);
    std::unordered_map<int64_t, int> location_of;
    std::vector<int64_t> location_ids;
    for (const auto& row : tx.exec_params(kLocations, page_array)) {
      location_of[row[1].as<int64_t>()] = row[0].as<int>();
      location_ids.push_back(row[0].as<int64_t>());
    }
    tx.exec_params0(kDropOldSightings, db::to_pg_array(location_ids));
    pqxx::stream_to stream(tx, "sightings", kColumns);
    for (PageSightings& page : read) {
      stream_page(stream, location_of.at(page.page_id), key.version(), page);
      stats->sightings_new += static_cast<int64_t>(page.found.size());
    }
    stream.complete();
    tx.exec_params0(kQueueForMatch, page_array);
  }
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
