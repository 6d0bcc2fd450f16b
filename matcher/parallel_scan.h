// Scans a stream for identifiers on several threads while keeping input
// order: a reader cuts line-aligned chunks, workers run the Extractor (and
// the keyed hash) on them, and the caller receives the chunks' results in
// order. Memory is bounded by (threads + 2) chunks.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "matcher/extractor.h"
#include "matcher/keyed_hash.h"

namespace leakwatch::matcher {

struct ScanHit {
  Identifier identifier;  // normalized plaintext: print only where the user asked for it
  std::string masked;
  KeyedHash hash{};       // set when a key was given
  std::size_t line = 0;   // 1-based line in the input
};

struct ScanOptions {
  unsigned threads = 2;
  std::size_t chunk_bytes = 4 << 20;
};

// Reads `fd` to its end. `key` may be null (no hashes). Names are not
// reported (a name is evidence, not an identifier). `on_chunk` runs on the
// calling thread, once per chunk, in input order. `extractor` and `key` must
// outlive the call. Throws RuntimeError on a read error.
void scan_stream(int fd, const Extractor& extractor, const HashKey* key, const ScanOptions& options,
                 const std::function<void(std::vector<ScanHit>&)>& on_chunk);

}  // namespace leakwatch::matcher
