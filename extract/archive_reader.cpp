#include "extract/archive_reader.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>

#include "extract/byte_source.h"
#include "extract/xlsx_rows.h"

namespace leakwatch::extract {

namespace {

constexpr std::size_t kBlock = 1 << 16;

// libarchive's client data: the source it reads, and the bytes it took while
// the format is being told (so that plain text read from a pipe can be
// replayed to the scanner).
struct Client {
  ByteSource* source = nullptr;
  std::vector<char> buffer = std::vector<char>(kBlock);
  std::string* record = nullptr;
  std::uint64_t* counted = nullptr;  // the input's compressed bytes, at the top level
};

la_ssize_t read_callback(struct archive* a, void* data, const void** out) {
  auto* client = static_cast<Client*>(data);
  const std::ptrdiff_t n = client->source->read(client->buffer.data(), client->buffer.size());
  if (n < 0) {
    archive_set_error(a, EIO, "%s", client->source->error().c_str());
    return -1;
  }
  if (client->record != nullptr) client->record->append(client->buffer.data(), static_cast<std::size_t>(n));
  if (client->counted != nullptr) *client->counted += static_cast<std::uint64_t>(n);
  *out = client->buffer.data();
  return n;
}

la_int64_t seek_callback(struct archive*, void* data, la_int64_t offset, int whence) {
  return static_cast<Client*>(data)->source->seek(offset, whence);
}

// The formats leaks come in; not mtree, warc or the like, which also bid on
// plain text (mtree takes a column of numbers for a spec).
ArchiveHandle open_reader(Client& client, const std::vector<std::string>& passwords, bool raw_only = false) {
  ArchiveHandle a(archive_read_new());
  if (raw_only) {
    archive_read_support_filter_all(a.get());
    archive_read_support_format_raw(a.get());
    archive_read_set_callback_data(a.get(), &client);
    archive_read_set_read_callback(a.get(), read_callback);
    return a;
  }
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_lzma(a.get());
  archive_read_support_filter_lzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_lz4(a.get());
  archive_read_support_filter_compress(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_gnutar(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_7zip(a.get());
  archive_read_support_format_rar(a.get());
  archive_read_support_format_rar5(a.get());
  archive_read_support_format_cpio(a.get());
  archive_read_support_format_raw(a.get());
  archive_read_support_format_empty(a.get());
  for (const auto& p : passwords) archive_read_add_passphrase(a.get(), p.c_str());
  archive_read_set_callback_data(a.get(), &client);
  archive_read_set_read_callback(a.get(), read_callback);
  if (client.source->seekable()) archive_read_set_seek_callback(a.get(), seek_callback);
  return a;
}

enum class Shape { kPlain, kCompressed, kArchive, kBroken };

Shape shape_of(struct archive* a, int header) {
  const int format = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
  const bool filtered = archive_filter_count(a) > 1;
  if (header == ARCHIVE_EOF || format == ARCHIVE_FORMAT_EMPTY)
    return filtered ? Shape::kCompressed : Shape::kPlain;
  if (format == ARCHIVE_FORMAT_RAW) return filtered ? Shape::kCompressed : Shape::kPlain;
  if (header < ARCHIVE_WARN && format == 0) return filtered ? Shape::kBroken : Shape::kPlain;
  return Shape::kArchive;
}

bool must_seek(struct archive* a) {
  const int format = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
  return format == ARCHIVE_FORMAT_ZIP || format == ARCHIVE_FORMAT_7ZIP;
}

std::string why(struct archive* a) {
  const char* s = archive_error_string(a);
  return s != nullptr ? s : "unreadable";
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 30) && bytes % (std::uint64_t{1} << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

// One input being read: its caps and counts.
class Walk {
 public:
  Walk(const ArchiveOptions& options, const TextScanner& scan, const NoticeSink& notice,
       ArchiveReadStats* stats)
      : options_(options), scan_(scan), notice_(notice), stats_(stats) {}

  // Reads one stream (the input or a member); returns "" or why `member`
  // itself could not be read. Members inside it report their own notices.
  std::string stream(ByteSource& source, const std::string& member, unsigned depth);
  bool left_unread() const { return left_unread_; }
  std::uint64_t expanded() const { return expanded_; }

 private:
  std::string text(ByteSource& source, const std::string& member);
  // The shared strings of the .xlsx being read, and its sheets left for a
  // second pass because they came first.
  struct Xlsx {
    std::vector<std::string> strings;
    bool have_strings = false;
    std::set<std::string> deferred;
  };
  std::string buffered(ByteSource& source, std::string bytes, const std::string& member, unsigned depth);
  std::string entries(struct archive* a, struct archive_entry* e, ByteSource& source,
                      const std::string& member, unsigned depth);
  // Reads one entry; false when the archive cannot be read past it (said already).
  bool entry(struct archive* a, struct archive_entry* e, const std::string& name, const std::string& member,
             unsigned depth, bool can_reread, Xlsx* xlsx);
  std::string sheets_again(ByteSource& source, const std::string& member, unsigned depth, const Xlsx& xlsx);
  std::string check(std::size_t bytes);
  void warn(const std::string& member, const std::string& message) {
    notice_({ArchiveNotice::Level::kWarning, member, message});
  }
  void fail(const std::string& member, const std::string& message) {
    left_unread_ = true;
    notice_({ArchiveNotice::Level::kError, member, message});
  }

  const ArchiveOptions& options_;
  const TextScanner& scan_;
  const NoticeSink& notice_;
  ArchiveReadStats* stats_;
  std::uint64_t compressed_ = 0;  // bytes read from the input itself
  std::uint64_t expanded_ = 0;
  std::uint64_t entries_ = 0;
  bool stopped_ = false;  // a cap was reached: read nothing more
  bool left_unread_ = false;
};

std::string Walk::check(std::size_t bytes) {
  expanded_ += bytes;
  const ArchiveLimits& l = options_.limits;
  if (expanded_ > l.max_expanded_bytes) {
    return "stopped: more than " + size_text(l.max_expanded_bytes) +
           " expanded from one input (--max-expanded); a decompression bomb?";
  }
  if (expanded_ > l.ratio_grace_bytes && compressed_ > 0 &&
      static_cast<double>(expanded_) > l.max_ratio * static_cast<double>(compressed_)) {
    return "stopped: " + size_text(expanded_ - expanded_ % (1u << 20)) + " expanded from " +
           std::to_string(compressed_) + " compressed bytes, a ratio over " +
           std::to_string(static_cast<long>(l.max_ratio)) + " (--max-ratio); a decompression bomb?";
  }
  return {};
}

std::string Walk::text(ByteSource& source, const std::string& member) {
  if (stats_ != nullptr) ++stats_->members;
  SourceBuf buf(source);
  std::istream in(&buf);
  std::string error = scan_(member, in);
  if (!error.empty() && !source.error().empty()) error = source.error();
  return error;
}

std::string Walk::stream(ByteSource& source, const std::string& member, unsigned depth) {
  std::string recorded;
  Client client;
  client.source = &source;
  client.record = source.seekable() ? nullptr : &recorded;
  client.counted = depth == 0 ? &compressed_ : nullptr;
  ArchiveHandle a = open_reader(client, options_.passwords);
  struct archive_entry* e = nullptr;
  int header = archive_read_open1(a.get());
  if (header == ARCHIVE_OK) header = archive_read_next_header(a.get(), &e);
  if (header < ARCHIVE_WARN && !source.error().empty()) return source.error();
  std::unique_ptr<ReplaySource> replay;
  if (header == ARCHIVE_EOF && archive_filter_count(a.get()) > 1 &&
      (archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK) != ARCHIVE_FORMAT_EMPTY) {
    // Compressed text that starts like an empty archive (zeros: tar's end
    // marker) is still text: read it again as a plain compressed stream.
    a.reset();
    if (source.seekable()) {
      if (source.seek(0, SEEK_SET) != 0) return "cannot seek back: " + source.error();
    } else {
      replay = std::make_unique<ReplaySource>(std::move(recorded), source);
      client.source = replay.get();
      client.record = nullptr;
    }
    a = open_reader(client, options_.passwords, true);
    header = archive_read_open1(a.get());
    if (header == ARCHIVE_OK) header = archive_read_next_header(a.get(), &e);
  }
  const Shape shape = shape_of(a.get(), header);
  if (shape == Shape::kPlain) {
    a.reset();
    if (!source.seekable()) {
      ReplaySource text_replay(std::move(recorded), source);
      return text(text_replay, member);
    }
    if (source.seek(0, SEEK_SET) != 0) return "cannot seek back: " + source.error();
    return text(source, member);
  }
  if (shape == Shape::kBroken) return why(a.get());
  if (depth >= options_.limits.max_depth) {
    return "an archive nested more than " + std::to_string(options_.limits.max_depth) +
           " deep (--max-depth); not opened";
  }
  if (stats_ != nullptr) stats_->archive = true;
  if (shape == Shape::kArchive && must_seek(a.get()) && !source.seekable()) {
    a.reset();
    return buffered(source, std::move(recorded), member, depth);
  }
  client.record = nullptr;
  if (header < ARCHIVE_WARN) return why(a.get());
  if (header == ARCHIVE_EOF) return {};  // an empty archive: nothing to read
  if (shape == Shape::kCompressed) {
    EntrySource data(a.get(), [this](std::size_t n) { return check(n); });
    std::string error = stream(data, member, depth + 1);
    if (data.stopped_by_cap()) stopped_ = true;
    return error;
  }
  return entries(a.get(), e, source, member, depth);
}

// A zip or 7z on a pipe or inside another archive: they must seek, so they
// are read into memory up to a cap; past it a zip is read as a stream (which
// cannot read every zip) and a 7z not at all.
std::string Walk::buffered(ByteSource& source, std::string bytes, const std::string& member, unsigned depth) {
  const std::size_t cap = options_.limits.max_buffered_bytes;
  std::vector<char> block(kBlock);
  while (bytes.size() <= cap) {
    const std::ptrdiff_t n = source.read(block.data(), block.size());
    if (n < 0) return source.error();
    if (n == 0) {
      MemorySource memory(std::move(bytes));
      return stream(memory, member, depth);
    }
    if (depth == 0) compressed_ += static_cast<std::uint64_t>(n);
    bytes.append(block.data(), static_cast<std::size_t>(n));
  }
  ReplaySource replay(std::move(bytes), source);
  Client client;
  client.source = &replay;
  client.counted = depth == 0 ? &compressed_ : nullptr;
  ArchiveHandle a = open_reader(client, options_.passwords);
  struct archive_entry* e = nullptr;
  int header = archive_read_open1(a.get());
  if (header == ARCHIVE_OK) header = archive_read_next_header(a.get(), &e);
  if ((archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_7ZIP) {
    return "a 7z archive over " + size_text(cap) +
           " on a pipe or inside another archive cannot be read (7z must seek); extract it first";
  }
  if (header < ARCHIVE_WARN) return why(a.get());
  warn(member, "a zip over " + size_text(cap) + " on a pipe or inside another archive, read as a stream");
  return entries(a.get(), e, replay, member, depth);
}

std::string Walk::entries(struct archive* a, struct archive_entry* e, ByteSource& source,
                          const std::string& member, unsigned depth) {
  Xlsx xlsx;
  int header = ARCHIVE_OK;
  std::string last;
  while (!stopped_ && header != ARCHIVE_EOF) {
    if (header < ARCHIVE_WARN) return (last.empty() ? "" : "after " + last + ": ") + why(a);
    if (++entries_ > options_.limits.max_entries) {
      stopped_ = true;
      return "stopped: more than " + std::to_string(options_.limits.max_entries) +
             " entries in one input (--max-entries)";
    }
    const char* path = archive_entry_pathname_utf8(e);
    if (path == nullptr) path = archive_entry_pathname(e);
    last = path != nullptr ? path : "?";
    if (archive_entry_filetype(e) == AE_IFREG &&
        !entry(a, e, last, member, depth, source.seekable(), &xlsx)) {
      return {};
    }
    header = archive_read_next_header(a, &e);
  }
  if (!stopped_ && !xlsx.deferred.empty()) return sheets_again(source, member, depth, xlsx);
  return {};
}

bool Walk::entry(struct archive* a, struct archive_entry* e, const std::string& name,
                 const std::string& member, unsigned depth, bool can_reread, Xlsx* xlsx) {
  const std::string child = member.empty() ? name : member + "!" + name;
  EntrySource data(a, [this](std::size_t n) { return check(n); });
  std::string error;
  if (is_xlsx_shared_strings(name)) {
    auto strings = read_shared_strings(data, options_.limits.max_shared_string_bytes);
    if (strings) {
      xlsx->strings = std::move(*strings);
      xlsx->have_strings = true;
    } else {
      error = strings.error();
    }
  } else if (is_xlsx_sheet(name) && !xlsx->have_strings && can_reread) {
    xlsx->deferred.insert(name);  // its strings come later: read it on a second pass
    return true;
  } else if (is_xlsx_sheet(name)) {
    if (!xlsx->have_strings)
      warn(child, "a sheet before its shared strings, in a stream: text cells left out");
    SheetRowsSource rows(data, xlsx->strings);
    error = text(rows, child);
  } else {
    error = stream(data, child, depth + 1);
  }
  if (data.stopped_by_cap()) stopped_ = true;
  if (error.empty()) return true;
  if (archive_entry_is_encrypted(e) && !data.stopped_by_cap()) {
    warn(child, options_.passwords.empty()
                    ? "encrypted; not read (give --password or --password-file)"
                    : "encrypted; none of the " + std::to_string(options_.passwords.size()) +
                          " password(s) opens it (" + error + ")");
    return !data.fatal();
  }
  fail(child, error);
  return !data.fatal();
}

// Second pass over an .xlsx whose sheets came before its shared strings.
std::string Walk::sheets_again(ByteSource& source, const std::string& member, unsigned depth,
                               const Xlsx& xlsx) {
  if (source.seek(0, SEEK_SET) != 0) return "cannot seek back for the sheets: " + source.error();
  Client client;
  client.source = &source;
  client.counted = depth == 0 ? &compressed_ : nullptr;
  ArchiveHandle a = open_reader(client, options_.passwords);
  struct archive_entry* e = nullptr;
  int header = archive_read_open1(a.get());
  Xlsx second;
  second.strings = xlsx.strings;
  second.have_strings = true;
  while (!stopped_ && header == ARCHIVE_OK && archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
    const char* path = archive_entry_pathname_utf8(e);
    if (path == nullptr) path = archive_entry_pathname(e);
    const std::string name = path != nullptr ? path : "?";
    if (xlsx.deferred.count(name) != 0 && !entry(a.get(), e, name, member, depth, false, &second)) break;
  }
  return {};
}

}  // namespace

ArchiveReader::ArchiveReader(ArchiveOptions options) : options_(std::move(options)) {}

bool ArchiveReader::read(const std::string& path, const TextScanner& scan, const NoticeSink& notice,
                         ArchiveReadStats* stats) {
  const int fd = path == "-" ? 0 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    notice({ArchiveNotice::Level::kError, "", std::string("cannot read: ") + std::strerror(errno)});
    return false;
  }
  FdSource source(fd, path != "-");
  return read(source, scan, notice, stats);
}

bool ArchiveReader::read(ByteSource& source, const TextScanner& scan, const NoticeSink& notice,
                         ArchiveReadStats* stats) {
  Walk walk(options_, scan, notice, stats);
  const std::string error = walk.stream(source, "", 0);
  if (stats != nullptr) stats->expanded_bytes = walk.expanded();
  if (!error.empty()) {
    notice({ArchiveNotice::Level::kError, "", error});
    return false;
  }
  return !walk.left_unread();
}

}  // namespace leakwatch::extract
