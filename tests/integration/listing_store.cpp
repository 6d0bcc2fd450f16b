#include "listing_store.h"

#include <memory>

#include <pqxx/pqxx>

#include "db/page_store.h"
#include "extract/extractor.h"
#include "extract/mask_text.h"
#include "identity/keyed_hash.h"

namespace leakwatch::testing {

db::ListingPrivacy privacy_for(const std::filesystem::path& key_file) {
  static const extract::Extractor extractor;
  auto key = identity::HashKey::load(key_file);
  return db::ListingPrivacy(key.derive_key(db::kDataKeyPurpose), key.derive_key(db::kTagKeyPurpose),
                            [](std::string_view text) { return extract::mask_identifiers(extractor, text); });
}

void store_listing(const std::string& db_url, const std::filesystem::path& key_file, const Listing& listing) {
  auto privacy = privacy_for(key_file);
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
  pqxx::connection conn(db_url);
  pqxx::work tx(conn);
  tx.exec_params0("INSERT INTO crawl_sources (name) VALUES ($1) ON CONFLICT DO NOTHING", listing.source);
  db::store_pages(tx, privacy, {db::PageToStore{&listing.source, &page}});
  tx.commit();
}

}  // namespace leakwatch::testing
