// libFuzzer target: scan_stream (chunks cut at line boundaries, scanned by
// worker threads, delivered in order, name-column headers carried across
// chunks) must report exactly what one Extractor::scan of the whole input
// reports. Chunks are tiny (1..64 bytes, from a hash of the input) so that
// nearly every line boundary is a chunk boundary, and longer lines are cut
// into windows (overlapping by 4096 bytes, more than any input here: the
// same identifiers). With a tiny overlap identifiers may split, but every
// span must still lie inside the input, on its line, in order.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "extract/extractor.h"
#include "extract/stream_scan.h"
#include "fuzz/fuzz_check.h"
#include "identity/keyed_hash.h"

namespace leakwatch::fuzz {
namespace {

using extract::FoundIdentifier;

const extract::Extractor& extractor() {
  static const identity::HashKey key(std::vector<std::uint8_t>(32, 0xa5));
  static const extract::Extractor e([] {
    extract::ExtractorOptions o;
    o.key = &key;
    return o;
  }());
  return e;
}

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::vector<FoundIdentifier> stream(std::string_view text, const extract::StreamScanOptions& options) {
  std::istringstream in{std::string(text)};
  std::vector<FoundIdentifier> found;
  auto stats =
      extract::scan_stream(in, extractor(), options, [&](const FoundIdentifier& f) { found.push_back(f); });
  require(stats.has_value(), "a string stream reads without error");
  require(stats->bytes == text.size(), "stats count every byte");
  require(stats->identifiers == found.size(), "stats count every identifier");
  std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  require(stats->records == lines + (!text.empty() && text.back() != '\n' ? 1 : 0), "stats count every line");
  return found;
}

}  // namespace
}  // namespace leakwatch::fuzz

// Builds the extractors and their lazy tables (the CN mobile prefixes,
// libphonenumber's metadata) before the first input, so that their cost on
// a loaded machine is not charged to that input's -timeout.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  using namespace leakwatch::fuzz;
  constexpr std::string_view kWarm = "li.na@qq.com 138 0013 8000 +1 415 666 7777 (415) 666-7777\n";
  extractor().scan(kWarm, [](const auto&) {});
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace leakwatch::fuzz;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<FoundIdentifier> whole;
  extractor().scan(text, [&](const FoundIdentifier& f) { whole.push_back(f); });

  const std::uint64_t h = fnv1a(text);
  leakwatch::extract::StreamScanOptions options;
  options.chunk_bytes = 1 + h % 64;
  options.threads = 1;
  require_same(whole, stream(text, options), "one thread, small chunks: the same identifiers as one scan");
  options.threads = 2 + (h >> 8) % 2;
  require_same(whole, stream(text, options),
               "worker threads, small chunks: the same identifiers as one scan");

  options.overlap_bytes = (h >> 16) % 128;
  std::size_t previous = 0;
  for (const FoundIdentifier& f : stream(text, options)) {
    require(f.length > 0 && f.offset <= size && f.length <= size - f.offset,
            "cut lines: span inside the input", &f);
    require(f.offset >= previous, "cut lines: identifiers in order", &f);
    previous = f.offset;
    std::string_view span = text.substr(f.offset, f.length);
    require(span.find('\n') == std::string_view::npos, "cut lines: span on one line", &f);
    std::string_view before = text.substr(0, f.offset);
    require(f.record == static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')),
            "cut lines: record is the line of the span", &f);
  }
  return 0;
}
