#include "listing_store.h"

#include <algorithm>
#include <cstring>
#include <memory>

#include <pqxx/pqxx>

#include "db/page_store.h"
#include "extract/extractor.h"
#include "extract/mask_text.h"
#include "identity/keyed_hash.h"
#include "matcher/attachment_scan.h"

namespace leakwatch::testing {

db::ListingPrivacy privacy_for(const std::filesystem::path& key_file) {
  static const extract::Extractor extractor;
  auto key = identity::HashKey::load(key_file);
  return db::ListingPrivacy(key.derive_key(db::kDataKeyPurpose), key.derive_key(db::kTagKeyPurpose),
                            [](std::string_view text) { return extract::mask_identifiers(extractor, text); });
}

void store_listing(pqxx::work& tx, const db::ListingPrivacy& privacy, const Listing& listing) {
  db::FetchedPage page;
  page.url = listing.url;
  page.final_url = listing.url;
  page.content_type = "text/html";
  page.title = listing.title;
  page.listing_title = listing.listing_title;
  page.price = listing.price;
  page.seller = listing.seller;
  page.text = listing.text;
  page.content_hash = privacy.tag(listing.title + "\n" + listing.text);
  page.bytes = static_cast<int64_t>(listing.text.size());
  db::store_pages(tx, privacy, {db::PageToStore{&listing.source, &page}});
}

void store_listing(const std::string& db_url, const std::filesystem::path& key_file, const Listing& listing) {
  pqxx::connection conn(db_url);
  pqxx::work tx(conn);
  tx.exec_params0("INSERT INTO crawl_sources (name) VALUES ($1) ON CONFLICT DO NOTHING", listing.source);
  store_listing(tx, privacy_for(key_file), listing);
  tx.commit();
}

bool store_attachment_text(const std::string& db_url, const std::filesystem::path& key_file,
                           const std::string& listing_url, const std::string& file_url,
                           const std::string& text, const std::string& source) {
  static const extract::Extractor extractor;
  const auto key = identity::HashKey::load(key_file);
  const auto scanner = matcher::make_attachment_scanner(extractor, key, 1 << 20);
  std::size_t at = 0;
  const db::AttachmentScan scan = scanner([&](char* out, std::size_t size) {
    const std::size_t n = std::min(size, text.size() - at);
    std::memcpy(out, text.data() + at, n);
    at += n;
    return static_cast<std::ptrdiff_t>(n);
  });
  db::AttachmentRecord record;
  record.source = source;
  record.url = file_url;
  record.listing_url = listing_url;
  record.content_type = "text/plain";
  record.bytes = static_cast<int64_t>(text.size());
  record.complete = scan.complete;
  record.scan = &scan;
  pqxx::connection conn(db_url);
  return db::store_attachment(conn, privacy_for(key_file), record);
}

}  // namespace leakwatch::testing
