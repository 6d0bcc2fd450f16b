#include "extract/stream_scan.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace leakwatch::extract {

namespace {

struct Chunk {
  std::string text;
  std::size_t offset = 0;        // of text[0] in the stream
  std::size_t first_record = 0;  // line number of text's first line
  std::size_t lines = 0;         // '\n' in text
  ScanContext start;             // header guess the worker scanned with
  // Filled by the worker. Without a renderer, the identifiers found; with
  // one, their text (rendered as found: nothing is kept per identifier but
  // where its text ends and its record).
  std::vector<FoundIdentifier> found;
  std::string rendered;
  std::vector<std::size_t> ends;     // ends[i]: end of identifier i's text in rendered
  std::vector<std::size_t> records;  // records[i]: its record
  ScanContext end;
  bool done = false;
};

bool same(const ScanContext& a, const ScanContext& b) {
  return a.name_columns.delimiter == b.name_columns.delimiter &&
         a.name_columns.column == b.name_columns.column;
}

std::size_t identifiers(const Chunk& chunk, const IdentifierRenderer* render) {
  return render == nullptr ? chunk.found.size() : chunk.ends.size();
}

// Scans `text` (the start of chunk->text, or all of it) with `context`,
// handing each identifier, its offset made absolute, to `take`.
template <typename Take>
void scan_text(const Extractor& extractor, const Chunk& chunk, std::string_view text, ScanContext* context,
               Take&& take) {
  extractor.scan(
      text,
      [&](FoundIdentifier&& f) {
        f.offset += chunk.offset;
        take(std::move(f));
      },
      context, chunk.first_record);
}

void scan_chunk(const Extractor& extractor, const IdentifierRenderer* render, Chunk* chunk) {
  chunk->found.clear();
  chunk->rendered.clear();
  chunk->ends.clear();
  chunk->records.clear();
  chunk->end = chunk->start;
  chunk->end.first_header_record = ScanContext::kNoHeader;
  if (render == nullptr) {
    scan_text(extractor, *chunk, chunk->text, &chunk->end,
              [&](FoundIdentifier&& f) { chunk->found.push_back(std::move(f)); });
    return;
  }
  scan_text(extractor, *chunk, chunk->text, &chunk->end, [&](FoundIdentifier&& f) {
    (*render)(f, &chunk->rendered);
    chunk->ends.push_back(chunk->rendered.size());
    chunk->records.push_back(f.record);
  });
}

// The worker scanned `chunk` with a stale header state. Only the lines before
// the chunk's own first header line depend on it: scan those again with
// `actual` and replace what they gave. Without a header line in the chunk,
// the whole chunk is scanned again.
void rescan_prefix(const Extractor& extractor, const IdentifierRenderer* render, const ScanContext& actual,
                   Chunk* chunk) {
  const std::size_t header = chunk->end.first_header_record;
  chunk->start = actual;
  if (header == ScanContext::kNoHeader) {
    scan_chunk(extractor, render, chunk);
    return;
  }
  std::size_t bytes = 0;
  for (std::size_t line = chunk->first_record; line < header; ++line) {
    bytes = chunk->text.find('\n', bytes) + 1;
  }
  const std::string_view prefix_text = std::string_view(chunk->text).substr(0, bytes);
  ScanContext context = actual;
  if (render == nullptr) {
    std::vector<FoundIdentifier> prefix;
    scan_text(extractor, *chunk, prefix_text, &context,
              [&](FoundIdentifier&& f) { prefix.push_back(std::move(f)); });
    auto rest = std::find_if(chunk->found.begin(), chunk->found.end(),
                             [&](const FoundIdentifier& f) { return f.record >= header; });
    chunk->found.erase(chunk->found.begin(), rest);
    chunk->found.insert(chunk->found.begin(), std::make_move_iterator(prefix.begin()),
                        std::make_move_iterator(prefix.end()));
    return;
  }
  // The text of the lines from the header on stays; the prefix is rendered anew.
  std::string text;
  std::vector<std::size_t> ends;
  std::vector<std::size_t> records;
  scan_text(extractor, *chunk, prefix_text, &context, [&](FoundIdentifier&& f) {
    (*render)(f, &text);
    ends.push_back(text.size());
    records.push_back(f.record);
  });
  const auto replaced = static_cast<std::size_t>(
      std::find_if(chunk->records.begin(), chunk->records.end(), [&](std::size_t r) { return r >= header; }) -
      chunk->records.begin());
  const std::size_t kept_from = replaced == 0 ? 0 : chunk->ends[replaced - 1];
  const std::size_t shift = text.size();
  text.append(chunk->rendered, kept_from);
  for (std::size_t i = replaced; i < chunk->ends.size(); ++i) {
    ends.push_back(chunk->ends[i] - kept_from + shift);
    records.push_back(chunk->records[i]);
  }
  chunk->rendered = std::move(text);
  chunk->ends = std::move(ends);
  chunk->records = std::move(records);
}

// '\n' in text: memchr is vectorized, std::count at -O2 is not (this runs
// on the reading thread, ahead of the workers).
std::size_t count_lines(std::string_view text) {
  std::size_t lines = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
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
  chunk->lines = count_lines(text);
  return !text.empty();
}

// Either `sink` or `render` + `write` are set.
tl::expected<StreamScanStats, std::string> run(std::istream& in, const Extractor& extractor,
                                               const StreamScanOptions& options, const IdentifierSink* sink,
                                               const IdentifierRenderer* render, const RenderedSink* write) {
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
          scan_chunk(extractor, render, chunk);
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
  // Emitted chunks, kept for their buffers: a fresh 1 MiB text and identifier
  // vector per chunk cost page faults and reallocations.
  std::vector<std::unique_ptr<Chunk>> spare;
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
    if (!chunk->done) {
      chunk->start = emitted_context;
      scan_chunk(extractor, render, chunk.get());
      chunk->done = true;
    } else if (!same(chunk->start, emitted_context)) {
      // The guess was stale (a header line in an earlier chunk): scan again
      // with the real state, here, in order, as far as it matters.
      rescan_prefix(extractor, render, emitted_context, chunk.get());
    }
    emitted_context = chunk->end;
    stats.identifiers += identifiers(*chunk, render);
    if (write != nullptr) {
      (*write)(chunk->rendered);
    } else {
      for (FoundIdentifier& f : chunk->found) (*sink)(std::move(f));
    }
    chunk->done = false;
    spare.push_back(std::move(chunk));
  };

  try {
    while (!eof || !in_flight.empty()) {
      while (!eof && in_flight.size() < max_in_flight) {
        std::unique_ptr<Chunk> chunk;
        if (spare.empty()) {
          chunk = std::make_unique<Chunk>();
        } else {
          chunk = std::move(spare.back());
          spare.pop_back();
        }
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
          scan_chunk(extractor, render, chunk.get());
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
  if (failed)
    return tl::unexpected(std::string("read error after ") + std::to_string(stats.bytes) + " bytes");
  return stats;
}

}  // namespace

tl::expected<StreamScanStats, std::string> scan_stream(std::istream& in, const Extractor& extractor,
                                                       const StreamScanOptions& options,
                                                       const IdentifierSink& sink) {
  return run(in, extractor, options, &sink, nullptr, nullptr);
}

tl::expected<StreamScanStats, std::string> scan_stream_rendered(std::istream& in, const Extractor& extractor,
                                                                const StreamScanOptions& options,
                                                                const IdentifierRenderer& render,
                                                                const RenderedSink& write) {
  return run(in, extractor, options, nullptr, &render, &write);
}

}  // namespace leakwatch::extract
