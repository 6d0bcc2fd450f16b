#include "matcher/stream_scan.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace leakwatch::matcher {

namespace {

struct Chunk {
  std::string text;
  std::size_t offset = 0;        // of text[0] in the stream
  std::size_t first_record = 0;  // line number of text's first line
  std::size_t lines = 0;         // '\n' in text
  ScanContext start;             // header guess the worker scanned with
  // Filled by the worker:
  std::vector<FoundIdentifier> found;
  ScanContext end;
  bool done = false;
};

bool same(const ScanContext& a, const ScanContext& b) {
  return a.name_columns.delimiter == b.name_columns.delimiter && a.name_columns.column == b.name_columns.column;
}

void scan_chunk(const Extractor& extractor, Chunk* chunk) {
  chunk->found.clear();
  chunk->end = chunk->start;
  extractor.scan(
      chunk->text, [&](const FoundIdentifier& f) { chunk->found.push_back(f); }, &chunk->end,
      chunk->first_record);
  for (FoundIdentifier& f : chunk->found) f.offset += chunk->offset;
}

// Reads the next chunk: about `chunk_bytes`, ending after a '\n' unless the
// stream ends or the line is too long. `carry` holds bytes read past the
// previous chunk's end.
bool read_chunk(std::istream& in, const StreamScanOptions& options, std::string* carry, Chunk* chunk,
                bool* failed) {
  std::string& text = chunk->text;
  text.swap(*carry);
  carry->clear();
  std::size_t searched = 0;
  while (true) {
    if (text.size() >= options.chunk_bytes) {
      std::size_t nl = text.rfind('\n');
      if (nl != std::string::npos && nl + 1 >= searched) {
        carry->assign(text, nl + 1, std::string::npos);
        text.resize(nl + 1);
        break;
      }
      if (text.size() >= options.max_line_bytes) break;  // cut an endless line
    }
    if (!in.good()) break;
    std::size_t want = std::max<std::size_t>(options.chunk_bytes, 1);
    std::size_t old = text.size();
    searched = old;
    text.resize(old + want);
    in.read(text.data() + old, static_cast<std::streamsize>(want));
    text.resize(old + static_cast<std::size_t>(in.gcount()));
    if (in.bad()) {
      *failed = true;
      break;
    }
    if (in.gcount() == 0) break;
  }
  chunk->lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  return !text.empty();
}

}  // namespace

tl::expected<StreamScanStats, std::string> scan_stream(std::istream& in, const Extractor& extractor,
                                                       const StreamScanOptions& options,
                                                       const IdentifierSink& sink) {
  StreamScanStats stats;
  std::string carry;
  bool failed = false;
  const unsigned threads = std::max(1u, options.threads);
  const std::size_t max_in_flight = threads <= 1 ? 1 : 2 * threads;

  std::mutex mutex;
  std::condition_variable work_ready;
  std::condition_variable work_done;
  std::deque<Chunk*> queue;  // submitted, not yet taken by a worker
  bool stopping = false;
  std::vector<std::thread> workers;
  if (threads > 1) {
    for (unsigned t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        while (true) {
          Chunk* chunk = nullptr;
          {
            std::unique_lock<std::mutex> lock(mutex);
            work_ready.wait(lock, [&] { return stopping || !queue.empty(); });
            if (queue.empty()) return;
            chunk = queue.front();
            queue.pop_front();
          }
          scan_chunk(extractor, chunk);
          {
            std::lock_guard<std::mutex> lock(mutex);
            chunk->done = true;
          }
          work_done.notify_all();
        }
      });
    }
  }
  auto stop_workers = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
      queue.clear();
    }
    work_ready.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
  };

  std::deque<std::unique_ptr<Chunk>> in_flight;  // in stream order
  // Header state after the last emitted chunk; also the guess for each new
  // chunk, wrong only when a header line stands in a chunk still in flight.
  ScanContext emitted_context;
  char last_byte = '\n';
  std::size_t offset = 0;
  std::size_t record = 0;
  bool eof = false;

  auto emit_oldest = [&] {
    std::unique_ptr<Chunk> chunk = std::move(in_flight.front());
    in_flight.pop_front();
    if (threads > 1) {
      std::unique_lock<std::mutex> lock(mutex);
      work_done.wait(lock, [&] { return chunk->done; });
    }
    if (!chunk->done || !same(chunk->start, emitted_context)) {
      // The guess was stale (a header line in an earlier chunk): scan again
      // with the real state, here, in order.
      chunk->start = emitted_context;
      scan_chunk(extractor, chunk.get());
      chunk->done = true;
    }
    emitted_context = chunk->end;
    for (const FoundIdentifier& f : chunk->found) {
      sink(f);
      ++stats.identifiers;
    }
  };

  try {
    while (!eof || !in_flight.empty()) {
      while (!eof && in_flight.size() < max_in_flight) {
        auto chunk = std::make_unique<Chunk>();
        if (!read_chunk(in, options, &carry, chunk.get(), &failed)) {
          eof = true;
          break;
        }
        chunk->offset = offset;
        chunk->first_record = record;
        offset += chunk->text.size();
        record += chunk->lines;
        stats.bytes += chunk->text.size();
        last_byte = chunk->text.back();
        chunk->start = emitted_context;
        if (threads > 1) {
          {
            std::lock_guard<std::mutex> lock(mutex);
            queue.push_back(chunk.get());
          }
          work_ready.notify_one();
        } else {
          scan_chunk(extractor, chunk.get());
          chunk->done = true;
        }
        in_flight.push_back(std::move(chunk));
        if (failed) eof = true;
      }
      if (!in_flight.empty()) emit_oldest();
    }
  } catch (...) {
    stop_workers();
    throw;
  }
  stop_workers();
  stats.records = record + (last_byte != '\n' ? 1 : 0);
  if (failed) return tl::unexpected(std::string("read error after ") + std::to_string(stats.bytes) + " bytes");
  return stats;
}

}  // namespace leakwatch::matcher
