#include "matcher/parallel_scan.h"

#include <deque>
#include <future>

#include "matcher/chunk_reader.h"

namespace leakwatch::matcher {
namespace {

std::vector<ScanHit> scan_chunk(const TextChunk& chunk, const Extractor& extractor, const HashKey* key) {
  std::vector<ScanHit> hits;
  ScanContext context;  // chunks are independent: name columns are not needed here
  extractor.scan(
      chunk.text,
      [&](const FoundIdentifier& found) {
        if (found.identifier.kind == Kind::kName) return;
        ScanHit hit{found.identifier, found.masked, {}, chunk.first_line + found.record + 1};
        if (key != nullptr) hit.hash = key->hash(hit.identifier.kind, hit.identifier.value);
        hits.push_back(std::move(hit));
      },
      &context, 0);
  return hits;
}

}  // namespace

void scan_stream(int fd, const Extractor& extractor, const HashKey* key, const ScanOptions& options,
                 const std::function<void(std::vector<ScanHit>&)>& on_chunk) {
  ChunkReader reader(fd, options.chunk_bytes);
  std::deque<std::future<std::vector<ScanHit>>> in_flight;
  const std::size_t window = std::max(1u, options.threads) + 1;
  auto deliver_oldest = [&] {
    std::vector<ScanHit> hits = in_flight.front().get();
    in_flight.pop_front();
    on_chunk(hits);
  };
  TextChunk chunk;
  while (reader.next(&chunk)) {
    in_flight.push_back(std::async(std::launch::async, [c = std::move(chunk), &extractor, key] {
      return scan_chunk(c, extractor, key);
    }));
    chunk = TextChunk{};
    if (in_flight.size() >= window) deliver_oldest();
  }
  while (!in_flight.empty()) deliver_oldest();
}

}  // namespace leakwatch::matcher
