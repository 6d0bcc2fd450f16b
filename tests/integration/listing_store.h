// Listings stored the way `leakwatch crawl` stores them (db::store_pages,
// masked and sealed under the test's key file), for tests of the stages
// after the crawl.
#pragma once

#include <filesystem>
#include <string>

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

}  // namespace leakwatch::testing
