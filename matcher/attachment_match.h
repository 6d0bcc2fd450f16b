// Matching what attachments hold (attachment_sightings, db/attachment_store.h)
// against the customers, into exposures of the listing that linked the file:
// an exposure stays (customer, identifier, listing), so a file and its
// listing page naming the same customer are one exposure. Confidence as for
// pages: 'confirmed' when two identifiers of the customer, or one and the
// customer's name, stand in the same line of the same member.
#pragma once

#include <cstdint>

#include <pqxx/pqxx>

namespace leakwatch::matcher {

struct AttachmentMatchCounts {
  int64_t inserted = 0;
  int64_t updated = 0;
};

// Runs inside the match stage's transaction. Throws pqxx errors.
AttachmentMatchCounts match_attachments(pqxx::work& tx);

}  // namespace leakwatch::matcher
