// The match stage: a set-based join of sightings with customer_identifiers
// by (hash, key_version), written into exposures; incremental.
//
// A match costs what is new. Three queues, each filled in the transaction
// that makes the change (schema/0050), say what the join may now find:
// pages whose sightings changed (extract), pages whose URLs were seen again
// (page_urls, by trigger: their exposures' last_seen moves), and imports of
// customer identifiers (by trigger; the rows are found again by their
// imported_at, and the sightings holding their hashes through the GIN index
// on hash prefixes). The match takes the queued entries, recomputes the
// join for exactly the listings they touch, and deletes the entries in the
// same transaction: a killed match rolls back and the next one resumes; an
// entry committed while a match runs stays for the next. For the listings it
// recomputes, the result is the full join's, row for row (the confidence
// window and last_seen depend on one listing's sightings only), and the full
// join's upsert is a no-op on every other listing, so incremental and full
// matching leave the same exposures (tests/integration/match_history_test.cpp).
// Retroactive: customers imported after a page was crawled are found on the
// next match. Attachments (attachment_match.h) are matched the same way,
// from a queue of their own: the listings whose attachment sightings
// changed, and those whose attachments hold a newly imported identifier.
//
// The full join (MatchMode::kFull, `match --full`) is also what the first
// match after migration 0050 runs, and what a match runs when an import
// brought more identifiers than probing by hash is worth.
//
// Existing exposures are only rewritten when last_seen moves forward or
// confidence rises, so a repeated match writes nothing.
// confidence: 'confirmed' when, in some record of the page, two or more
// identifiers of the customer stand together, or one stands next to the
// customer's name; else 'single'. Names never make an exposure on their own.
//
// Not thread-safe; the connection must outlive the call. Concurrent matches
// are serialised by a row lock on match_state.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

namespace leakwatch::matcher {

enum class MatchMode {
  kIncremental,  // what the queues name
  kFull,         // every sighting (the queues are emptied too)
};

struct MatchStats {
  int64_t exposures_new = 0;                // exposures inserted
  int64_t exposures_updated = 0;            // last_seen moved forward or confidence rose
  int64_t exposures_total = 0;              // rows in exposures afterwards
  int64_t pages_matched = 0;                // listings whose join was recomputed (incremental)
  int64_t identifiers_new = 0;              // customer identifiers imported since the last match
  int64_t attachment_listings_matched = 0;  // listings whose attachments were joined again (incremental)
  bool full = false;                        // the whole join ran
  double seconds = 0;
};

// Where the incremental join of listings changes its plan (match_stage.cpp's
// match_pages): up to this many listings, probes in the customers' primary
// key; past it, one hash join. A parameter so that tests can take either path.
struct MatchPlanLimits {
  int64_t max_probed_pages = 200;
};

// Throws leakwatch::RuntimeError on a database failure (nothing is written,
// the queues are left as they were).
MatchStats run_match(pqxx::connection& conn, MatchMode mode = MatchMode::kIncremental,
                     const MatchPlanLimits& limits = {});

// The plan of the full join (EXPLAIN VERBOSE, nothing run), as PostgreSQL
// prints it: on a sharded layout (db/shard.h) each bucket's join is an
// "Async Foreign Scan" whose "Relations:" are that bucket's sightings and
// customer_identifiers partitions, run by the shard.
std::string explain_full_match(pqxx::connection& conn);

}  // namespace leakwatch::matcher
