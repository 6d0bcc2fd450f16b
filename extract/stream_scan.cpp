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
  std::size_t offset = 0;             // of text[0] in the stream
  std::size_t first_record = 0;       // line number of text's first line
  std::size_t lines = 0;              // '\n' in text
  std::vector<std::size_t> newlines;  // their offsets in text (the reader's one pass over it)
  // The part of text this chunk reports identifiers from; before it, the
  // lead (left context of a line cut into windows), after it, lookahead.
  std::size_t own_begin = 0;
  std::size_t own_end = 0;
  ScanContext start;  // header guess the worker scanned with
  // Filled by the worker. Without a renderer, the identifiers found; with
  // one, their text (rendered as found: nothing is kept per identifier but
  // where its text ends and its record).
  std::vector<FoundIdentifier> found;
  std::string rendered;
  std::vector<std::size_t> ends;     // ends[i]: end of identifier i's text in rendered
  std::vector<std::size_t> records;  // records[i]: its record
  ScanContext end;
  SkipTally skipped;  // what its own part skipped on purpose (when counted)
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
               SkipTally* tally, Take&& take) {
  extractor.scan(
      text, chunk.newlines,
      [&](FoundIdentifier&& f) {
        if (f.offset < chunk.own_begin || f.offset >= chunk.own_end) return;  // another window's
        f.offset += chunk.offset;
        take(std::move(f));
      },
      context, chunk.first_record, tally);
}

void scan_chunk(const Extractor& extractor, const IdentifierRenderer* render, bool count_skips, Chunk* chunk) {
  chunk->found.clear();
  chunk->rendered.clear();
  chunk->ends.clear();
  chunk->records.clear();
  chunk->end = chunk->start;
  chunk->end.first_header_record = ScanContext::kNoHeader;
  chunk->skipped = SkipTally{{}, chunk->own_begin, chunk->own_end};
  SkipTally* tally = count_skips ? &chunk->skipped : nullptr;
  if (render == nullptr) {
    scan_text(extractor, *chunk, chunk->text, &chunk->end, tally,
              [&](FoundIdentifier&& f) { chunk->found.push_back(std::move(f)); });
    return;
  }
  scan_text(extractor, *chunk, chunk->text, &chunk->end, tally, [&](FoundIdentifier&& f) {
    (*render)(f, &chunk->rendered);
    chunk->ends.push_back(chunk->rendered.size());
    chunk->records.push_back(f.record);
  });
}

// The worker scanned `chunk` with a stale header state. Only the lines before
// the chunk's own first header line depend on it: scan those again with
// `actual` and replace what they gave. Without a header line in the chunk,
// the whole chunk is scanned again. (What is skipped does not depend on the
// header: the prefix's skips, counted the first time, stand.)
void rescan_prefix(const Extractor& extractor, const IdentifierRenderer* render, bool count_skips,
                   const ScanContext& actual, Chunk* chunk) {
  const std::size_t header = chunk->end.first_header_record;
  chunk->start = actual;
  if (header == ScanContext::kNoHeader) {
    scan_chunk(extractor, render, count_skips, chunk);
    return;
  }
  const std::size_t bytes =
      header == chunk->first_record ? 0 : chunk->newlines[header - chunk->first_record - 1] + 1;
  const std::string_view prefix_text = std::string_view(chunk->text).substr(0, bytes);
  ScanContext context = actual;
  if (render == nullptr) {
    std::vector<FoundIdentifier> prefix;
    scan_text(extractor, *chunk, prefix_text, &context, nullptr,
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
  scan_text(extractor, *chunk, prefix_text, &context, nullptr, [&](FoundIdentifier&& f) {
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

// The offsets of the '\n's in text, found once, on the reading thread
// (ahead of the workers, which split lines at them): memchr is vectorized.
void find_newlines(std::string_view text, std::vector<std::size_t>* newlines) {
  newlines->clear();
  const char* p = text.data();
  const char* end = p + text.size();
  while (const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
    p = static_cast<const char*>(nl);
    newlines->push_back(static_cast<std::size_t>(p - text.data()));
    ++p;
  }
}

// Reads the next chunk: about `chunk_bytes` past its lead, ending after a
// '\n' unless the stream ends. A line with no '\n' in reach is cut into
// windows instead: the chunk owns [own_begin, own_end) and keeps
// `overlap_bytes` of lookahead past own_end, and the next chunk starts with
// `overlap_bytes` of this one's as left context (its lead), so that an
// identifier across the cut is seen whole by the chunk that owns its start.
// `carry` holds bytes read past the owned part, `*lead` how many of them lead.
bool read_chunk(std::istream& in, const StreamScanOptions& options, std::string* carry, std::size_t* lead,
                Chunk* chunk, bool* failed) {
  std::string& text = chunk->text;
  text.swap(*carry);
  carry->clear();
  chunk->own_begin = *lead;
  *lead = 0;
  const std::size_t chunk_bytes = std::max<std::size_t>(options.chunk_bytes, 1);
  const std::size_t want = chunk->own_begin + chunk_bytes + options.overlap_bytes;
  while (text.size() < want && in.good()) {
    const std::size_t old = text.size();
    text.resize(want);
    in.read(text.data() + old, static_cast<std::streamsize>(want - old));
    text.resize(old + static_cast<std::size_t>(in.gcount()));
    if (in.bad()) *failed = true;
  }
  const bool ended = text.size() < want;
  const std::size_t nl = text.size() > chunk->own_begin ? text.rfind('\n') : std::string::npos;
  if (ended) {
    chunk->own_end = text.size();
  } else if (nl != std::string::npos && nl >= chunk->own_begin) {
    carry->assign(text, nl + 1, std::string::npos);
    text.resize(nl + 1);
    chunk->own_end = text.size();
  } else {
    chunk->own_end = text.size() - options.overlap_bytes;
    *lead = std::min(options.overlap_bytes, chunk->own_end);
    carry->assign(text, chunk->own_end - *lead, std::string::npos);
  }
  find_newlines(text, &chunk->newlines);
  chunk->lines = chunk->newlines.size();
  return chunk->own_end > chunk->own_begin;
}

// Reads, scans on worker threads and delivers in order. Either `sink` or
// `render` + `write` are set. With more than one thread, the stream is read
// on a thread of its own (for a compressed input, that is where it is
// decompressed), so reading never waits for the calling thread's delivery
// and delivery never waits for a read.
class OrderedScan {
 public:
  OrderedScan(const Extractor& extractor, const StreamScanOptions& options, const IdentifierSink* sink,
              const IdentifierRenderer* render, const RenderedSink* write)
      : extractor_(extractor),
        options_(options),
        sink_(sink),
        render_(render),
        write_(write),
        threads_(std::max(1u, options.threads)),
        max_in_flight_(threads_ <= 1 ? 1 : 2 * threads_) {}

  tl::expected<StreamScanStats, std::string> run(std::istream& in);

 private:
  void run_alone(std::istream& in);
  void run_threaded(std::istream& in);
  void work();
  void read_all(std::istream& in);
  void stop_threads();
  std::unique_ptr<Chunk> fresh_chunk();
  bool read_next(std::istream& in, Chunk* chunk);
  void emit(std::unique_ptr<Chunk> chunk);

  const Extractor& extractor_;
  const StreamScanOptions& options_;
  const IdentifierSink* sink_;
  const IdentifierRenderer* render_;
  const RenderedSink* write_;
  const unsigned threads_;
  const std::size_t max_in_flight_;

  std::mutex mutex_;
  std::condition_variable work_ready_;  // a chunk was queued, or stopping
  std::condition_variable work_done_;   // a chunk was scanned or read, or reading ended
  std::condition_variable room_;        // a chunk was delivered, or stopping
  std::deque<Chunk*> queue_;            // read, not yet taken by a worker
  bool stopping_ = false;
  bool read_done_ = false;
  std::exception_ptr read_error_;
  std::vector<std::thread> workers_;
  std::thread reader_;

  std::deque<std::unique_ptr<Chunk>> in_flight_;  // in stream order
  // Emitted chunks, kept for their buffers: a fresh 1 MiB text and identifier
  // vector per chunk cost page faults and reallocations.
  std::vector<std::unique_ptr<Chunk>> spare_;
  // Header state after the last emitted chunk; also the guess for each new
  // chunk, wrong only when a header line stands in a chunk still in flight.
  // Written by the delivering thread under mutex_, read by the reader under it.
  ScanContext emitted_context_;
  std::size_t identifiers_ = 0;  // delivered (the delivering thread's)
  SkipCounts skipped_;           // in the chunks delivered (the delivering thread's)
  // The reader's own: where the stream stands.
  std::string carry_;
  std::size_t lead_ = 0;
  char last_byte_ = '\n';
  std::size_t offset_ = 0;  // stream offset of the next owned byte
  std::size_t record_ = 0;
  bool failed_ = false;
};

void OrderedScan::work() {
  while (true) {
    Chunk* chunk = nullptr;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      chunk = queue_.front();
      queue_.pop_front();
    }
    scan_chunk(extractor_, render_, options_.count_skips, chunk);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      chunk->done = true;
    }
    work_done_.notify_all();
  }
}

void OrderedScan::stop_threads() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  work_ready_.notify_all();
  room_.notify_all();
  // A reader blocked on a pipe ends its read first (the next bytes or EOF).
  if (reader_.joinable()) reader_.join();
  for (auto& w : workers_) w.join();
  workers_.clear();
}

// Called with mutex_ held, or with no other thread running.
std::unique_ptr<Chunk> OrderedScan::fresh_chunk() {
  if (spare_.empty()) return std::make_unique<Chunk>();
  std::unique_ptr<Chunk> chunk = std::move(spare_.back());
  spare_.pop_back();
  return chunk;
}

// Reads the next chunk and places it in the stream; false at the end.
bool OrderedScan::read_next(std::istream& in, Chunk* chunk) {
  if (!read_chunk(in, options_, &carry_, &lead_, chunk, &failed_)) return false;
  chunk->offset = offset_ - chunk->own_begin;
  chunk->first_record = record_;
  offset_ += chunk->own_end - chunk->own_begin;
  record_ += chunk->lines;
  last_byte_ = chunk->text[chunk->own_end - 1];
  return true;
}

// The reader thread: reads chunks while fewer than max_in_flight_ wait.
void OrderedScan::read_all(std::istream& in) {
  try {
    while (!failed_) {
      std::unique_ptr<Chunk> chunk;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        room_.wait(lock, [&] { return stopping_ || in_flight_.size() < max_in_flight_; });
        if (stopping_) break;
        chunk = fresh_chunk();
      }
      if (!read_next(in, chunk.get())) break;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        chunk->start = emitted_context_;
        queue_.push_back(chunk.get());
        in_flight_.push_back(std::move(chunk));
      }
      work_ready_.notify_one();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    read_error_ = std::current_exception();
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    read_done_ = true;
  }
  work_done_.notify_all();
}

// Delivers one scanned chunk, on the calling thread, in stream order.
void OrderedScan::emit(std::unique_ptr<Chunk> chunk) {
  if (!same(chunk->start, emitted_context_)) {
    // The guess was stale (a header line in an earlier chunk): scan again
    // with the real state, here, in order, as far as it matters.
    rescan_prefix(extractor_, render_, options_.count_skips, emitted_context_, chunk.get());
  }
  identifiers_ += identifiers(*chunk, render_);
  skipped_ += chunk->skipped.counts;
  if (write_ != nullptr) {
    (*write_)(chunk->rendered);
  } else {
    for (FoundIdentifier& f : chunk->found) (*sink_)(std::move(f));
  }
  std::lock_guard<std::mutex> lock(mutex_);
  emitted_context_ = chunk->end;
  chunk->done = false;
  spare_.push_back(std::move(chunk));
}

void OrderedScan::run_alone(std::istream& in) {
  while (true) {
    std::unique_ptr<Chunk> chunk = fresh_chunk();
    if (!read_next(in, chunk.get())) return;
    chunk->start = emitted_context_;
    scan_chunk(extractor_, render_, options_.count_skips, chunk.get());
    emit(std::move(chunk));
    if (failed_) return;
  }
}

void OrderedScan::run_threaded(std::istream& in) {
  for (unsigned t = 0; t < threads_; ++t) workers_.emplace_back([this] { work(); });
  reader_ = std::thread([this, &in] { read_all(in); });
  while (true) {
    std::unique_ptr<Chunk> chunk;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_done_.wait(lock, [&] { return in_flight_.empty() ? read_done_ : in_flight_.front()->done; });
      if (in_flight_.empty()) break;
      chunk = std::move(in_flight_.front());
      in_flight_.pop_front();
    }
    room_.notify_one();
    emit(std::move(chunk));
  }
}

tl::expected<StreamScanStats, std::string> OrderedScan::run(std::istream& in) {
  try {
    if (threads_ <= 1) {
      run_alone(in);
    } else {
      run_threaded(in);
    }
  } catch (...) {
    stop_threads();
    throw;
  }
  stop_threads();
  if (read_error_) std::rethrow_exception(read_error_);
  StreamScanStats stats;
  stats.bytes = offset_;
  stats.records = record_ + (last_byte_ != '\n' ? 1 : 0);
  stats.identifiers = identifiers_;
  stats.skipped = skipped_;
  if (failed_)
    return tl::unexpected(std::string("read error after ") + std::to_string(stats.bytes) + " bytes");
  return stats;
}

tl::expected<StreamScanStats, std::string> run(std::istream& in, const Extractor& extractor,
                                               const StreamScanOptions& options, const IdentifierSink* sink,
                                               const IdentifierRenderer* render, const RenderedSink* write) {
  OrderedScan scan(extractor, options, sink, render, write);
  return scan.run(in);
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
