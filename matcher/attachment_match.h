// Matching what attachments hold (attachment_sightings, db/attachment_store.h)
// against the customers, into exposures of the listing that linked the file:
// an exposure stays (customer, identifier, listing), so a file and its
// listing page naming the same customer are one exposure. Confidence as for
// pages: 'confirmed' when two identifiers of the customer, or one and the
// customer's name, stand in the same line of the same member.
//
// Incremental, as pages are (match_stage.h): the listings whose attachments
// changed are queued in the database (match_queue_attachments, filled by
// triggers, schema/0080) and taken in the match's transaction (by the match
// stage's first statement, with the other queues); a listing is
// recomputed whole (an exposure aggregates all its attachments), so the
// result is the full join's, row for row.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <pqxx/pqxx>

namespace leakwatch::matcher {

struct AttachmentMatchCounts {
  int64_t inserted = 0;
  int64_t updated = 0;
  int64_t listings = 0;  // listings whose attachments were joined again (incremental)
};

// The listings of match_queue_attachments, as the match stage took them (a
// bigint[] literal and how many).
struct QueuedListings {
  std::string pages = "{}";
  int64_t count = 0;
};

// Both run inside the match stage's transaction, after the listings' own
// upsert, and throw pqxx errors.
// Every attachment (the queue is emptied too).
AttachmentMatchCounts match_all_attachments(pqxx::work& tx);
// The `queued` listings (taken from match_queue_attachments by the caller)
// and those whose attachments hold an identifier imported at `import_times`
// (a timestamptz[] literal, as match_queue_imports gives them; nullopt: no
// import): new attachment sightings against all customers, new customers
// against all attachment sightings. With neither, no statement is run.
AttachmentMatchCounts match_new_attachments(pqxx::work& tx, const QueuedListings& queued,
                                            const std::optional<std::string>& import_times);

}  // namespace leakwatch::matcher
