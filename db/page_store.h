// The pages store: every read and write of the tables that hold what a crawl
// kept — pages (one row per listing: its canonical URL, the current version
// of its content, raw text sealed until `purge`), page_urls (every URL a
// listing was seen under, its own and the aliases that showed the same
// records) and login_walls (one per source). Created by
// schema/0010_create_frontier.sql, keyed by listing in
// schema/0030_key_pages_by_listing.sql.
//
// In db/ because both stages use it: the crawler stores pages, the extract
// stage leases them and marks them read, `purge` drops their text. Titles,
// URLs and listing fields are masked (ListingPrivacy) before they are stored;
// text is sealed.
//
// Not thread-safe; the transaction or connection and `privacy` must outlive
// each call. Every call throws db::StoreError (a RuntimeError: "storing 40
// pages of source shop: <server's message>") on a database failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "db/listing_privacy.h"

namespace leakwatch::db {

// A page worth keeping (text, in scope, not a login wall), as fetched: in
// plaintext, masked and sealed by store_pages().
struct FetchedPage {
  std::string url;        // the frontier URL, canonical: the listing's identity
  std::string final_url;  // after redirects
  int status = 200;
  std::string content_type;
  std::string charset;
  std::string title;
  std::string listing_title;
  std::string price;
  std::string seller;
  std::string text;          // visible text lines, UTF-8
  std::string content_hash;  // 32 raw bytes (SHA-256 of title + "\n" + text)
  int64_t bytes = 0;
  bool truncated = false;
};

struct PageToStore {
  const std::string* source;
  const FetchedPage* page;
};

struct StoredPages {
  int pages_new = 0;        // listings stored for the first time, or whose content changed
  int pages_duplicate = 0;  // unchanged revisits, and URLs showing another listing's records
};

// Stores a batch of pages in `tx`. A URL already stored is the same listing:
// its row is updated (a changed content replaces the text and is extracted
// again; the listing's exposures stay its own). A new URL of a source whose
// records — the lines that hold identifiers — equal a stored listing's is an
// alias of that listing (a paste and its /raw/ copy), not a listing of its
// own. Every URL is recorded in page_urls with its last sighting.
StoredPages store_pages(pqxx::work& tx, const ListingPrivacy& privacy, const std::vector<PageToStore>& pages);

// Records that `source` met a login wall at `url` (stored masked); true the
// first time for this source (later calls count hits).
bool record_login_wall(pqxx::work& tx, const ListingPrivacy& privacy, const std::string& source,
                       const std::string& url, const std::string& reason);

// A page leased for extraction.
struct PageToExtract {
  int64_t id = 0;
  std::optional<std::string> text;  // nullopt: purged, or sealed under another key
  bool unreadable = false;          // text there, but not sealed under this key
  std::string fetched_at;           // of the current version
};

// Leases up to `n` pages whose extracted_version is below `version`, oldest
// first, skipping pages other workers hold (FOR UPDATE SKIP LOCKED), with
// their text opened.
std::vector<PageToExtract> lease_pages_to_extract(pqxx::work& tx, const ListingPrivacy& privacy, int version,
                                                  int n);
// Marks pages as read by extractor `version`.
void mark_pages_extracted(pqxx::work& tx, int version, const std::vector<int64_t>& ids);

struct PurgedText {
  int64_t purged = 0;  // pages whose raw text was dropped
  int64_t kept = 0;    // pages past the window kept because extraction has not read them
};

// Drops the raw text of pages fetched more than `days` ago that extraction
// has read, keeping their metadata (DESIGN.md "Privacy").
PurgedText purge_page_text(pqxx::connection& conn, int days);

}  // namespace leakwatch::db
