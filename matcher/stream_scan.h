// Scanning a stream of any size (a file, stdin, a pipe from zcat) with the
// Extractor on several threads, delivering identifiers in input order.
//
// The stream is cut into chunks at line boundaries; workers scan chunks in
// parallel; the calling thread calls the sink, chunk by chunk, in order, so
// the output is the same whatever the thread count. Memory stays bounded:
// at most 2 * threads chunks are in flight (a line longer than
// `max_line_bytes` is cut there, and a record may then be split).
// Name-column headers (ScanContext) carry across chunks: a chunk scanned
// with a stale header guess is scanned again, in order, so results never
// depend on timing.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include <tl/expected.hpp>

#include "matcher/extractor.h"

namespace leakwatch::matcher {

struct StreamScanOptions {
  unsigned threads = 2;                   // workers; 0 or 1 scans on the calling thread
  std::size_t chunk_bytes = 1 << 20;      // target chunk size
  std::size_t max_line_bytes = 64 << 20;  // longest line kept whole
};

struct StreamScanStats {
  std::size_t bytes = 0;        // bytes read
  std::size_t records = 0;      // lines seen (a last line without '\n' counts)
  std::size_t identifiers = 0;  // sink calls
};

// Reads `in` to its end and calls `sink` once per identifier, in input order,
// on the calling thread. FoundIdentifier::offset is the byte offset in the
// stream and ::record the 0-based line number in the stream. Returns the
// stats, or a message when the stream fails to read (identifiers before the
// failure have been delivered). Exceptions thrown by `sink` propagate after
// the workers have stopped.
tl::expected<StreamScanStats, std::string> scan_stream(std::istream& in, const Extractor& extractor,
                                                       const StreamScanOptions& options,
                                                       const IdentifierSink& sink);

}  // namespace leakwatch::matcher
