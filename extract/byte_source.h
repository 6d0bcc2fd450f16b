// Byte sources the archive reader pulls from (a file, standard input, a
// buffer, an archive member), and a std::streambuf over any of them, so that
// the stream scanner reads a member as it reads a file.
//
// Not thread-safe: a source belongs to the one thread that reads it.
#pragma once

#include <archive.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

namespace leakwatch::extract {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes into `out`; returns how many (0 at the end) or -1
  // on failure, with error() saying why.
  virtual std::ptrdiff_t read(char* out, std::size_t size) = 0;
  // Repositions as lseek(2) does; -1 when the source cannot seek.
  virtual std::int64_t seek(std::int64_t offset, int whence) {
    (void)offset;
    (void)whence;
    return -1;
  }
  virtual bool seekable() const { return false; }
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

// A file descriptor: a file (seekable) or a pipe. Owns `fd` unless told not to.
class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned);
  ~FdSource() override;
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;
  std::ptrdiff_t read(char* out, std::size_t size) override;
  std::int64_t seek(std::int64_t offset, int whence) override;
  bool seekable() const override { return seekable_; }
  // Bytes read from the descriptor so far (what a compression ratio divides by).
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  int fd_;
  bool owned_;
  bool seekable_;
  std::uint64_t bytes_read_ = 0;
};

// A buffer held in memory (a nested archive read whole, so it can seek).
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  std::ptrdiff_t read(char* out, std::size_t size) override;
  std::int64_t seek(std::int64_t offset, int whence) override;
  bool seekable() const override { return true; }

 private:
  std::string bytes_;
  std::size_t at_ = 0;
};

// Another source whose first bytes were already taken (by format detection):
// gives `replay` first, then the rest of `rest`. `rest` must outlive this.
class ReplaySource final : public ByteSource {
 public:
  ReplaySource(std::string replay, ByteSource& rest) : replay_(std::move(replay)), rest_(rest) {}
  std::ptrdiff_t read(char* out, std::size_t size) override;

 private:
  std::string replay_;
  std::size_t at_ = 0;
  ByteSource& rest_;
};

// The data of the current entry of an open libarchive reader. `check` is
// called after each read with the bytes just read and may stop the read by
// returning a message (a cap was reached).
class EntrySource final : public ByteSource {
 public:
  using Check = std::function<std::string(std::size_t bytes)>;
  EntrySource(struct archive* archive, Check check) : archive_(archive), check_(std::move(check)) {}
  std::ptrdiff_t read(char* out, std::size_t size) override;
  // Set when the last failure was a cap, not the archive.
  bool stopped_by_cap() const { return stopped_by_cap_; }
  // Set when libarchive said the archive cannot be read any further.
  bool fatal() const { return fatal_; }

 private:
  struct archive* archive_;
  Check check_;
  bool stopped_by_cap_ = false;
  bool fatal_ = false;
};

// Reads a ByteSource as a std::istream reads (large reads go straight into
// the caller's buffer). A failed read sets badbit on the stream, and error()
// on the source says why.
class SourceBuf final : public std::streambuf {
 public:
  explicit SourceBuf(ByteSource& source) : source_(source), buffer_(1 << 16) {}

 protected:
  int_type underflow() override;
  std::streamsize xsgetn(char* out, std::streamsize size) override;

 private:
  ByteSource& source_;
  std::vector<char> buffer_;
  bool failed_ = false;  // the source failed: bytes before it were delivered, nothing after
};

// Deleter for libarchive readers (archive_read_free closes as well).
struct ArchiveReadFree {
  void operator()(struct archive* a) const noexcept { archive_read_free(a); }
};
using ArchiveHandle = std::unique_ptr<struct archive, ArchiveReadFree>;

}  // namespace leakwatch::extract
