// Scanning a stream of any size (a file, stdin, a pipe from zcat) with the
// Extractor on several threads, delivering identifiers in input order.
//
// The stream is cut into chunks at line boundaries by a reader thread (where
// a compressed input is decompressed, apart from the scanning); workers scan
// chunks in parallel; the calling thread calls the sink, chunk by chunk, in
// order, so the output is the same whatever the thread count. Memory stays
// bounded: at most 2 * threads chunks are in flight, plus the one being read
// and the one being delivered. With threads <= 1 all of it happens on the
// calling thread. The stream is read on the reader thread, so it must not be
// touched by anyone else until the call returns. A line longer than a chunk is
// scanned in windows that overlap by `overlap_bytes`, each reporting only
// the identifiers that start in its own part: the same identifiers, offsets
// and records as one scan of the whole line, for identifiers (and the
// context the extractor looks at around them) shorter than the overlap.
// Name-column headers (ScanContext) carry across chunks: the lines of a
// chunk before its own first header line, if scanned with a stale header
// guess, are scanned again, in order, so results never depend on timing.
#pragma once

#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "extract/extractor.h"

namespace leakwatch::extract {

struct StreamScanOptions {
  unsigned threads = 2;               // workers; 0 or 1 scans on the calling thread
  std::size_t chunk_bytes = 1 << 20;  // target chunk size
  std::size_t overlap_bytes = 4096;   // context shared by the windows of a long line
  bool count_skips = false;           // fill StreamScanStats::skipped
};

struct StreamScanStats {
  std::size_t bytes = 0;        // bytes read
  std::size_t records = 0;      // lines seen (a last line without '\n' counts)
  std::size_t identifiers = 0;  // sink calls
  SkipCounts skipped;           // with StreamScanOptions::count_skips: what was skipped on purpose
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

// Turns one identifier into output text, appending to `out`. Called on the
// worker threads, so it must be safe to call concurrently.
using IdentifierRenderer = std::function<void(const FoundIdentifier&, std::string* out)>;
// Receives the rendered text of one chunk, on the calling thread, in order.
using RenderedSink = std::function<void(std::string_view text)>;

// As scan_stream, for output-bound uses (`scan --all`): identifiers are
// rendered to text by `render` on the workers, and `write` gets each chunk's
// text in input order, so formatting uses every core too. StreamScanStats::
// identifiers counts rendered identifiers.
tl::expected<StreamScanStats, std::string> scan_stream_rendered(std::istream& in, const Extractor& extractor,
                                                                const StreamScanOptions& options,
                                                                const IdentifierRenderer& render,
                                                                const RenderedSink& write);

}  // namespace leakwatch::extract
