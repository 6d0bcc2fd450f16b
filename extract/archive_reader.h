// Reading what leaks come in: plain text, compressed streams (gzip, bzip2,
// xz, lzma, zstd, lz4, compress) and archives (zip incl. zip64, 7z, rar, tar
// under any of those compressions), nested to a depth limit, and .xlsx sheets
// as rows, all through libarchive (and libxml2's xmlReader for the sheets).
// The format is told from the bytes, never the name.
//
// Each stream of text found (the input itself when it is plain text, each
// member of an archive, each sheet) is handed to a TextScanner as a
// std::istream; the reader never holds a member whole, except a nested zip or
// 7z (which must seek) up to ArchiveLimits::max_buffered_bytes.
//
// Not thread-safe; one ArchiveReader reads one input at a time. Caps bound
// the work a hostile input can cause (bombs: expanded bytes, ratio, entries,
// depth); reaching one ends that input with a notice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

namespace leakwatch::extract {

class ByteSource;

struct ArchiveLimits {
  // Text bytes expanded from one input (all members, all depths).
  std::uint64_t max_expanded_bytes = std::uint64_t{64} << 30;
  // Expanded text bytes / compressed bytes read, checked once the input has
  // expanded past ratio_grace_bytes (small, very regular files are fine).
  double max_ratio = 200;
  std::uint64_t ratio_grace_bytes = std::uint64_t{64} << 20;
  std::uint64_t max_entries = 1'000'000;  // entries in one input, all depths
  unsigned max_depth = 4;                 // archives inside archives
  // A nested zip/7z, or an archive on a pipe, is read into memory (it must
  // seek) up to this size; past it a zip is read as a stream, a 7z not at all.
  std::size_t max_buffered_bytes = std::size_t{256} << 20;
  // Shared strings kept for one .xlsx.
  std::size_t max_shared_string_bytes = std::size_t{256} << 20;
};

struct ArchiveOptions {
  ArchiveLimits limits;
  std::vector<std::string> passwords;  // tried on encrypted entries, in order
};

// Something the user must hear about one member (or the input, member "").
struct ArchiveNotice {
  enum class Level { kWarning, kError };
  Level level;
  std::string member;   // "users/part1.csv", "inner.zip!a.csv"; "" for the input
  std::string message;  // what happened, never member content
};

// Scans one stream of text. `member` is "" for the input itself. Returns ""
// or the reason the scan of that stream failed (a read error).
using TextScanner = std::function<std::string(const std::string& member, std::istream& text)>;
using NoticeSink = std::function<void(const ArchiveNotice&)>;

struct ArchiveReadStats {
  std::uint64_t members = 0;         // streams of text handed to the scanner
  std::uint64_t expanded_bytes = 0;  // their bytes, for inputs that were compressed
  bool archive = false;              // the input was compressed or archived
};

class ArchiveReader {
 public:
  explicit ArchiveReader(ArchiveOptions options);

  // Reads the file at `path` ("-" is standard input). Plain text is handed
  // to `scan` as an std::ifstream (no cost over reading it directly). Returns
  // false when something was left unread (an error notice was given).
  bool read(const std::string& path, const TextScanner& scan, const NoticeSink& notice,
            ArchiveReadStats* stats = nullptr);
  // Reads `source` as above (fuzzing, tests).
  bool read(ByteSource& source, const TextScanner& scan, const NoticeSink& notice,
            ArchiveReadStats* stats = nullptr);

 private:
  ArchiveOptions options_;
};

}  // namespace leakwatch::extract
