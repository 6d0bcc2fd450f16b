// Extraction: finds leaked Apple IDs (emails, phone numbers) and phone numbers
// in hostile text and returns them normalized, with the record (line) each
// stands in, so that a later stage can tell which identifiers were sold
// together. Names in a name field or column of the same record come along as
// evidence (Kind::kName).
//
// How: one pass over each line with a byte-class table finds triggers ('@',
// digit runs, '+', obfuscated "at" tokens); an anchored RE2 or a short digit
// chain is cut out around each trigger and validated with the identity code
// (libphonenumber for phones: behind a Chinese-mobile fast path and a cache
// where CN is the region, its PhoneNumberMatcher on a short window elsewhere).
// Nothing ever hands a whole page to a regex with captures or to
// libphonenumber, and nothing backtracks: time is linear in the input.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "extract/email_candidates.h"
#include "extract/name_fields.h"
#include "extract/phone_candidates.h"
#include "identity/identity.h"
#include "identity/keyed_hash.h"

namespace leakwatch::extract {

struct ExtractorOptions {
  // Region for numbers written without a country code (ISO 3166 alpha-2),
  // or several, comma-separated, tried in order ("US,CA"): see
  // PhoneCandidates and identity::normalize_phone.
  std::string default_region = "CN";
  // Report names found in the same record as an identifier.
  bool names = true;
  // Fill FoundIdentifier::masked (callers that print only values skip it).
  bool masks = true;
  // Upper bound on cached libphonenumber verdicts (non-mobile numbers).
  std::size_t phone_cache_entries = 1 << 16;
  // When set, every identifier also gets its keyed hash (FoundIdentifier::
  // hash), computed on the scanning thread. Must outlive the Extractor.
  const identity::HashKey* key = nullptr;
};

// One identifier found in text.
struct FoundIdentifier {
  identity::Identifier identifier;  // normalized; plaintext, never log it
  std::size_t offset;               // byte offset of its first byte in the scanned text
  std::size_t length;               // bytes it spans in the text, as written
  std::size_t record;               // 0-based line index within the scanned text
  std::string
      masked;  // identity::mask(kind, value), the form fit for logs; empty if !ExtractorOptions::masks
  std::optional<identity::KeyedHash> hash;  // set when ExtractorOptions::key is
};

// Receives each identifier once; it may keep it by moving from it (a lambda
// taking `const FoundIdentifier&` fits too).
using IdentifierSink = std::function<void(FoundIdentifier&&)>;

// State carried from one chunk of an input to the next (the CSV header that
// says which column holds names). One per input stream; not shared.
struct ScanContext {
  NameColumns name_columns;
  // Record number of the first header line learned since this was last reset
  // to kNoHeader: names before it depend on the state carried in, names after
  // it do not (a header line sets the state whatever came before).
  static constexpr std::size_t kNoHeader = static_cast<std::size_t>(-1);
  std::size_t first_header_record = kNoHeader;
};

// What the extractor passed over on purpose, by why (`scan --stats`).
struct SkipCounts {
  // Well-formed addresses under a reserved or documentation domain
  // (example.com, .example, .test, .invalid, .localhost, .onion, ...).
  std::uint64_t reserved_domains = 0;
  // A file name where an address's top-level domain would be (logo@2x.png).
  std::uint64_t file_names = 0;
  // Runs of 7 to 17 digits (with their separators: a phone number's length)
  // that no default region reads as a valid number: dates, order numbers,
  // numbers out of service.
  std::uint64_t invalid_numbers = 0;

  SkipCounts& operator+=(const SkipCounts& o) {
    reserved_domains += o.reserved_domains;
    file_names += o.file_names;
    invalid_numbers += o.invalid_numbers;
    return *this;
  }
};

// Skips counted by a scan: those whose candidate starts in [begin, end) of
// the scanned text (a window of a long line counts only its own part).
struct SkipTally {
  SkipCounts counts;
  std::size_t begin = 0;
  std::size_t end = static_cast<std::size_t>(-1);
};

// Finds Apple IDs and phone numbers in text and returns them normalized.
// Thread-safe: one Extractor is shared by all workers; patterns compile and
// the phone prefix table is built once, in the constructor.
class Extractor {
 public:
  // Throws std::invalid_argument for an unknown region, std::logic_error if a
  // pattern does not compile.
  explicit Extractor(const ExtractorOptions& options = {});
  Extractor(const Extractor&) = delete;
  Extractor& operator=(const Extractor&) = delete;

  // Calls `sink` once per identifier, in text order (by offset); `sink` must
  // not call scan() on the same thread (the per-line hit list is reused). Records are
  // lines ('\n'; a trailing '\r' is ignored). `text` may be any bytes:
  // invalid UTF-8, NUL bytes and binary junk are skipped, never an error.
  void scan(std::string_view text, const IdentifierSink& sink) const;
  // As above, for one chunk of a longer input split at line boundaries:
  // `context` carries the name-column header to the next chunk, and
  // `first_record` is added to record numbers.
  void scan(std::string_view text, const IdentifierSink& sink, ScanContext* context,
            std::size_t first_record = 0) const;
  // As above, with the offsets of every '\n' in `text` given, ascending (a
  // reader that counted lines already found them): lines are not searched
  // for a second time. Offsets at or past text.size() are ignored.
  // `tally`, when given, also counts what is skipped on purpose (SkipCounts;
  // a little extra work for each candidate refused).
  void scan(std::string_view text, std::span<const std::size_t> newlines, const IdentifierSink& sink,
            ScanContext* context, std::size_t first_record = 0, SkipTally* tally = nullptr) const;

  const ExtractorOptions& options() const { return options_; }

 private:
  struct Hit;
  struct Skip;
  void scan_line(std::string_view line, std::size_t line_offset, std::size_t record, ScanContext* context,
                 const IdentifierSink& sink, SkipTally* tally = nullptr) const;
  // Appends hits found in `view` (ASCII-folded or original) to `hits`; returns
  // false if it met a character that needs folding first (full-width forms,
  // invisible separators) and `may_fold` is set. Sets `*mentions_name` when
  // it passes a name-field key (NameFields::mentions_name).
  // Notes in `skips` (when given) where a candidate was refused on purpose.
  bool find_in(std::string_view view, bool may_fold, std::vector<Hit>* hits, bool* mentions_name,
               std::vector<Skip>* skips = nullptr) const;

  ExtractorOptions options_;
  // Byte classes of find_in's loop: the shared table, less the triggers
  // these options never act on (name-field keys when names are off).
  std::array<std::uint8_t, 256> classes_;
  PhoneCandidates phones_;
  EmailCandidates emails_;
  NameFields names_;
};

}  // namespace leakwatch::extract
