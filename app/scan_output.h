// What `leakwatch scan` prints: its output lines (text or JSON Lines) and
// the counts behind --stats and the closing summary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "extract/extractor.h"

namespace leakwatch::app {

struct ScanArgs {
  std::string format = "text";
  bool all = false;
  bool no_filename = false;
  bool stats = false;
  std::vector<std::string> passwords;
  std::string password_file;
  std::uint64_t max_expanded = 0;  // 0: the reader's defaults
  double max_ratio = 0;
  std::uint64_t max_entries = 0;
  unsigned max_depth = 0;
  std::vector<std::string> files;
};

// A string as a JSON string literal (quotes included); bytes that are not
// UTF-8 (a file name may hold any) become U+FFFD.
std::string json_string_literal(const std::string& text);

// Where an identifier stands: the input as named on the command line, the
// member inside it ("" for the input itself), and "file!member" for text;
// `json_file` and `json_member` are the two as JSON literals, made once per
// member rather than once per line.
struct ScanPlace {
  std::string file;
  std::string member;
  std::string label;
  std::string json_file;
  std::string json_member;
  ScanPlace(std::string f, std::string m)
      : file(std::move(f)),
        member(std::move(m)),
        label(member.empty() ? file : file + "!" + member),
        json_file(json_string_literal(file)),
        json_member(member.empty() ? std::string() : json_string_literal(member)) {}
};

struct ScanTotals {
  std::uint64_t inputs = 0;
  std::uint64_t archives = 0;  // inputs that were compressed or archived
  std::uint64_t members = 0;   // streams of text read from those
  std::uint64_t bytes = 0;     // text bytes scanned
  std::uint64_t lines = 0;
  std::uint64_t identifiers = 0;
  std::uint64_t emails = 0;
  std::uint64_t phones = 0;
  std::uint64_t matches = 0;  // lines printed
  std::uint64_t errors = 0;   // inputs or members left unread
  std::uint64_t warnings = 0;
  extract::SkipCounts skipped;  // counted with --stats only
};

// Formats output lines. format() is const and keeps no state of its own (its
// JSON writer is per thread), so `scan --all` formats on the scanning threads.
class ScanPrinter {
 public:
  explicit ScanPrinter(const ScanArgs& args)
      : json_(args.format == "json"), all_(args.all), with_filename_(!args.no_filename) {}

  // Text: [file[!member]:]line<TAB>kind<TAB>value (--all) or masked<TAB>customer_id;
  // --no-filename keeps the member (its line numbers count within it).
  void format(const ScanPlace& place, const extract::FoundIdentifier& hit, const std::string* customer_id,
              std::string* out) const;

 private:
  void format_json(const ScanPlace& place, const extract::FoundIdentifier& hit,
                   const std::string* customer_id, std::string* out) const;
  // The same line by nlohmann, invalid UTF-8 replaced (a value RapidJSON refused).
  void format_json_replacing(const ScanPlace& place, const extract::FoundIdentifier& hit,
                             const std::string* customer_id, std::string* out) const;
  bool json_;
  bool all_;
  bool with_filename_;
};

// The --stats block (several lines) or the one-line summary, without a final newline.
std::string describe_totals(const ScanTotals& totals, bool all, double seconds, bool detailed);

}  // namespace leakwatch::app
