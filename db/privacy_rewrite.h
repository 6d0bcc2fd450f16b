// Puts rows stored before listings were masked (before migration 0030, or
// by a leakwatch older than it) into the form leakwatch stores today:
// titles, listing fields, login-wall records and run errors masked, URLs
// that carry an identifier stored masked with their keyed tag. SQL cannot
// mask (the extractor does), so this is a command (`purge --rewrite`), not a
// migration; rows already in today's form are left alone, so it is safe to
// run again. The frontier's rows are its store's (crawler/frontier.h).
//
// Not thread-safe; the connection and `privacy` must outlive each call.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

#include "db/listing_privacy.h"

namespace leakwatch::db {

struct RewrittenRows {
  int64_t pages = 0;      // pages whose URL, title or fields changed
  int64_t merged = 0;     // pages whose masked URL was already stored: merged into that listing
  int64_t page_urls = 0;  // page_urls rows rewritten (or dropped as duplicates of a rewritten one)
  int64_t other = 0;      // login walls and runs whose text changed
};

// Rewrites pages, page_urls, login_walls and runs in one transaction. A page
// whose stored URL form is already another row's is the same listing, as
// migration 0030 merges them: its exposures move there (earliest
// first_seen, latest last_seen, notified if either was), the row goes.
// Throws leakwatch::RuntimeError with the server's message.
RewrittenRows rewrite_listing_plaintext(pqxx::connection& conn, const ListingPrivacy& privacy);

// VACUUM FULL of `tables` (comma-separated, trusted names): the old
// versions of rewritten rows, and the bytes of columns dropped by
// migrations, are gone from the data files only once a table is rewritten.
void vacuum_full(pqxx::connection& conn, const char* tables);

}  // namespace leakwatch::db
