// The match stage: one set-based join of all sightings with
// customer_identifiers by (hash, key_version), written into exposures.
//
// Every call re-joins every stored sighting, so it is retroactive without
// watermarks: customers imported after a page was crawled are found on the
// next match, and no concurrently committing extract or import can slip
// between two watermarks. The join is the same one a person would write by
// hand (scripts/bench/match.sh measures both); existing exposures are only
// rewritten when last_seen moves forward or confidence rises, so a repeated
// match writes nothing.
//
// confidence: 'confirmed' when, in some record of the page, two or more
// identifiers of the customer stand together, or one stands next to the
// customer's name; else 'single'. Names never make an exposure on their own.
//
// Not thread-safe; the connection must outlive the call. Two concurrent
// matches are safe (ON CONFLICT), only wasteful; `run` serialises them.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

namespace leakwatch::matcher {

struct MatchStats {
  int64_t exposures_new = 0;      // exposures inserted
  int64_t exposures_updated = 0;  // last_seen moved forward or confidence rose
  int64_t exposures_total = 0;    // rows in exposures afterwards
  double seconds = 0;
};

// Throws leakwatch::RuntimeError on a database failure (nothing is written).
MatchStats run_match(pqxx::connection& conn);

}  // namespace leakwatch::matcher
