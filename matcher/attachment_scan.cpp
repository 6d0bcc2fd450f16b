#include "matcher/attachment_scan.h"

#include <algorithm>

#include "extract/byte_source.h"
#include "extract/stream_scan.h"
#include "identity/identity.h"

namespace leakwatch::matcher {
namespace {

// The download as the archive reader pulls it: not seekable.
class DownloadSource final : public extract::ByteSource {
 public:
  explicit DownloadSource(const db::AttachmentRead& read) : read_(read) {}
  std::ptrdiff_t read(char* out, std::size_t size) override {
    const std::ptrdiff_t n = read_(out, size);
    if (n < 0) error_ = "the download broke off";
    return n;
  }

 private:
  const db::AttachmentRead& read_;
};

db::AttachmentScan scan(const db::AttachmentRead& read, const extract::Extractor& extractor,
                        const identity::HashKey& key, const extract::ArchiveOptions& options) {
  db::AttachmentScan out;
  DownloadSource source(read);
  extract::ArchiveReader reader(options);
  extract::StreamScanOptions stream;
  stream.threads = 1;  // one thread per download already
  const int key_version = key.version();
  auto scan_member = [&](const std::string& member, std::istream& in) -> std::string {
    auto done = extract::scan_stream(in, extractor, stream, [&](extract::FoundIdentifier&& found) {
      const identity::Identifier& id = found.identifier;
      out.sightings.push_back(db::AttachmentSighting{
          member, static_cast<int64_t>(found.record) + 1, identity::to_hex(key.hash(id.kind, id.value)),
          key_version, std::string(identity::kind_name(id.kind)), found.masked});
    });
    return done ? std::string() : done.error();
  };
  auto notice = [&](const extract::ArchiveNotice& n) {
    if (n.level == extract::ArchiveNotice::Level::kError) out.complete = false;
    out.notices.push_back((n.member.empty() ? "" : n.member + ": ") + n.message);
  };
  extract::ArchiveReadStats stats;
  if (!reader.read(source, scan_member, notice, &stats)) out.complete = false;
  out.members = stats.members;
  return out;
}

}  // namespace

db::AttachmentScanner make_attachment_scanner(const extract::Extractor& extractor,
                                              const identity::HashKey& key, std::int64_t max_bytes) {
  extract::ArchiveOptions options;
  options.limits.max_buffered_bytes = std::min<std::size_t>(
      options.limits.max_buffered_bytes, static_cast<std::size_t>(std::max<std::int64_t>(max_bytes, 1)));
  return [&extractor, &key, options](const db::AttachmentRead& read) {
    return scan(read, extractor, key, options);
  };
}

}  // namespace leakwatch::matcher
