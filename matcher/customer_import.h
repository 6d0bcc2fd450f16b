// `customers import`: reads a customer CSV, normalizes and hashes every
// identifier on the fly, and streams the hashes into customer_identifiers
// with COPY. Plaintext never leaves this process's memory: not to the
// database, not to the logs (rejections carry a line number and a reason).
//
// Plaintext CSV: a header row with `customer_id` plus any of `apple_id`,
// `email`, `phone`, `name`. Hashed CSV (`hashed`): `customer_id,kind,hash`
// with a 32-hex-digit hash. Idempotent: importing the same file twice adds
// nothing the second time. One transaction: a crash or --strict failure
// imports nothing.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include <pqxx/pqxx>

#include "identity/keyed_hash.h"

namespace leakwatch::matcher {

// Where an import stands, for a progress line.
struct ImportProgress {
  long rows_read = 0;             // data rows read so far
  long identifiers = 0;           // identifiers found in them
  bool read_all = false;          // every row is read: the identifiers are being stored
  long identifiers_merged = 0;    // a re-import: identifiers merged with the stored ones so far
  long identifiers_to_merge = 0;  // ... of these; 0 unless merging
};

struct ImportOptions {
  bool hashed = false;                // customer_id,kind,hash rows
  bool strict = false;                // any bad row aborts the import, nothing is kept
  std::string default_region = "CN";  // for phones without a country code
  std::string input_name = "-";       // for messages: the file name, or "-" for stdin
  int key_version = 1;                // stored next to each hash
  // Called every kProgressRows rows read, when all are read, and around each
  // merge batch.
  std::function<void(const ImportProgress&)> progress;
};

inline constexpr long kProgressRows = 4096;

struct RowRejection {
  long line;           // 1-based line where the row starts
  std::string reason;  // never contains the row's identifiers
};

struct ImportSummary {
  long rows = 0;                 // data rows read (header excluded)
  long rows_imported = 0;        // rows that added at least one identifier
  long rows_skipped = 0;         // rows whose identifiers were all stored already
  long rows_rejected = 0;        // rows not imported (see the rejections)
  long identifiers_new = 0;      // (hash, customer) pairs added
  long identifiers_present = 0;  // pairs that were stored already
};

// Imports `in`. `key` hashes plaintext rows; it may be null with `hashed`
// and must outlive the call. Calls `on_reject` for every bad row as it is found. Throws
// ConfigError for a bad header (names the missing/duplicate column), and
// RuntimeError for a database failure or, with `strict`, for the first bad
// row ("line N: reason"), in both cases after rolling back.
ImportSummary import_customers(pqxx::connection& conn, std::istream& in, const identity::HashKey* key,
                               const ImportOptions& options,
                               const std::function<void(const RowRejection&)>& on_reject);

}  // namespace leakwatch::matcher
