// The attachments store (schema/0040_create_attachments.sql): files linked
// from listings, what a revisit needs to ask "has it changed?", and what the
// extractor found in them (keyed hashes, masked forms, member paths, lines).
// No byte of an attachment is stored.
//
// In db/ because both sides meet here: the crawler records downloads, the
// match stage and reports read the sightings. Also the types the crawler
// hands an attachment's bytes through to the scanner the CLI gives it
// (matcher/attachment_scan.h), which the crawler may not include.
//
// URLs are stored as ListingPrivacy::stored_url, member paths and errors
// masked. Not thread-safe; the connection and `privacy` must outlive each call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "db/listing_privacy.h"

namespace leakwatch::db {

// One identifier (or name) found in an attachment. Plaintext never: the
// keyed hash as 32 hex digits and the masked form.
struct AttachmentSighting {
  std::string
      member;  // "" for the file itself; "part1.csv", "inner.zip!a.csv" (plaintext path; masked when stored)
  int64_t line = 0;  // 1-based, within the member
  std::string hash_hex;
  int key_version = 0;
  std::string kind;  // "email" | "phone" | "name"
  std::string masked;
};

// What scanning one attachment gave.
struct AttachmentScan {
  std::vector<AttachmentSighting> sightings;
  std::vector<std::string> notices;  // archive notices, masked ("part2.csv: encrypted")
  uint64_t members = 0;
  bool complete = true;  // false: something was left unread (see notices)
};

// Reads the next bytes of an attachment as they arrive: up to `size` bytes
// into `out`; 0 at the end, -1 when the download failed.
using AttachmentRead = std::function<std::ptrdiff_t(char* out, std::size_t size)>;
// Scans one attachment (the CLI builds it from the extractor and the key).
// Called on a thread of its own, one call per attachment; must be safe to
// call from several threads at once.
using AttachmentScanner = std::function<AttachmentScan(const AttachmentRead& read)>;

// What the last visit to an attachment left.
struct AttachmentValidators {
  std::string etag;
  std::string last_modified;
  int64_t size = -1;  // -1: unknown
};

// The validators of `url` (canonical) in `source`, when it was fetched whole before.
std::optional<AttachmentValidators> attachment_validators(pqxx::connection& conn,
                                                          const ListingPrivacy& privacy,
                                                          const std::string& source, const std::string& url);

// One download's outcome.
struct AttachmentRecord {
  std::string source;
  std::string url;            // canonical
  std::string listing_url;    // the frontier URL of the page that linked it
  bool not_modified = false;  // unchanged: validators refreshed, sightings kept
  AttachmentValidators validators;
  std::string content_type;
  int64_t bytes = 0;
  bool complete = false;
  std::string error;                     // why it is incomplete; masked when stored
  const AttachmentScan* scan = nullptr;  // when downloaded (not for not_modified)
};

// Records it in one transaction: the attachment row (pointed at the listing
// page that `listing_url` is stored as) and, for a download, its sightings
// in place of the previous ones. Returns false when the listing is not
// stored (nothing written). Throws pqxx errors.
bool store_attachment(pqxx::connection& conn, const ListingPrivacy& privacy, const AttachmentRecord& record);

}  // namespace leakwatch::db
