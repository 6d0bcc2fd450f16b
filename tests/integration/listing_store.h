// Listings stored the way `leakwatch crawl` stores them (db::store_pages,
// masked and sealed under the test's key file), for tests of the stages
// after the crawl.
#pragma once

#include <filesystem>
#include <string>

#include <pqxx/pqxx>

#include "db/listing_privacy.h"

namespace leakwatch::testing {

struct Listing {
  std::string source = "shop";
  std::string url;
  std::string title = "listing";
  std::string listing_title;
  std::string price;
  std::string seller;
  std::string text;
};

// The masking and sealing `leakwatch` uses with the key in `key_file`
// (keys derived as app::Context derives them).
db::ListingPrivacy privacy_for(const std::filesystem::path& key_file);

// Stores `listing` in the database at `db_url` (its source recorded first),
// as a crawl that fetched it now would.
void store_listing(const std::string& db_url, const std::filesystem::path& key_file, const Listing& listing);
// The same in `tx`, left to the caller to commit (its source must be recorded).
void store_listing(pqxx::work& tx, const db::ListingPrivacy& privacy, const Listing& listing);

// Stores `text` as the file at `file_url` that the stored listing at
// `listing_url` links, downloaded and scanned now as the crawl scans a
// download (its sightings replace the file's previous ones). Returns false
// when the listing is not stored.
bool store_attachment_text(const std::string& db_url, const std::filesystem::path& key_file,
                           const std::string& listing_url, const std::string& file_url,
                           const std::string& text, const std::string& source = "shop");

}  // namespace leakwatch::testing
