// libFuzzer target: arbitrary bytes through the archive reader (libarchive's
// formats and filters, nested archives, .xlsx sheets through libxml2) into the
// stream scanner, from a seekable buffer and from a pipe-like stream. Checks:
// no crash, leak or sanitizer report; caps hold (nothing expands past the
// limit); plain text (nothing detected) reaches the scanner byte for byte;
// both ways of reading agree on the text they saw whenever neither failed.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "extract/archive_reader.h"
#include "extract/byte_source.h"
#include "extract/extractor.h"
#include "extract/stream_scan.h"
#include "fuzz/fuzz_check.h"

namespace leakwatch::fuzz {
namespace {

// A MemorySource that cannot seek: what a pipe looks like.
class PipeSource final : public extract::ByteSource {
 public:
  explicit PipeSource(std::string bytes) : memory_(std::move(bytes)) {}
  std::ptrdiff_t read(char* out, std::size_t size) override { return memory_.read(out, size); }

 private:
  extract::MemorySource memory_;
};

const extract::Extractor& extractor() {
  static const extract::Extractor e;
  return e;
}

struct Seen {
  std::string text;  // every stream's text, each after its member name
  bool ok = true;
  bool archive = false;
  std::uint64_t expanded = 0;
};

Seen read(extract::ByteSource& source) {
  extract::ArchiveOptions options;
  options.limits.max_expanded_bytes = 8 << 20;
  options.limits.ratio_grace_bytes = 1 << 20;
  options.limits.max_entries = 1000;
  options.limits.max_buffered_bytes = 1 << 20;
  options.limits.max_shared_string_bytes = 1 << 20;
  options.passwords = {"secret"};
  extract::ArchiveReader reader(options);
  Seen seen;
  extract::ArchiveReadStats stats;
  seen.ok = reader.read(
      source,
      [&](const std::string& member, std::istream& in) {
        seen.text += member + "\n";
        std::ostringstream copy;
        copy << in.rdbuf();
        std::string text = copy.str();
        std::istringstream again(text);
        extract::StreamScanOptions scan_options;
        scan_options.chunk_bytes = 64;
        auto stats =
            extract::scan_stream(again, extractor(), scan_options, [](extract::FoundIdentifier&&) {});
        require(stats.has_value(), "a string stream scans without error");
        seen.text += text;
        return in.bad() ? std::string("read failed") : std::string();
      },
      [&](const extract::ArchiveNotice& notice) {
        require(!notice.message.empty(), "a notice says what happened");
        if (notice.level == extract::ArchiveNotice::Level::kError) seen.ok = false;
      },
      &stats);
  seen.archive = stats.archive;
  seen.expanded = stats.expanded_bytes;
  return seen;
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
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  leakwatch::extract::MemorySource memory(bytes);
  const Seen seekable = read(memory);
  // Counted per read, so one read may pass the cap by at most a block.
  require(seekable.expanded <= (8u << 20) + (1u << 20), "the expanded-bytes cap holds");
  if (!seekable.archive && seekable.ok) {
    require(seekable.text == "\n" + bytes, "plain text reaches the scanner as it is");
  }
  PipeSource pipe(bytes);
  const Seen streamed = read(pipe);
  require(streamed.expanded <= (8u << 20) + (1u << 20), "the expanded-bytes cap holds on a pipe");
  if (seekable.ok && streamed.ok && !seekable.archive) {
    require(seekable.text == streamed.text, "a pipe and a file give the same plain text");
  }
  return 0;
}
