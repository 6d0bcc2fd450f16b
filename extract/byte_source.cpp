#include "extract/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace leakwatch::extract {

FdSource::FdSource(int fd, bool owned) : fd_(fd), owned_(owned) {
  struct stat st {};
  seekable_ = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

FdSource::~FdSource() {
  if (owned_) ::close(fd_);
}

std::ptrdiff_t FdSource::read(char* out, std::size_t size) {
  while (true) {
    const ssize_t n = ::read(fd_, out, size);
    if (n >= 0) {
      bytes_read_ += static_cast<std::uint64_t>(n);
      return n;
    }
    if (errno == EINTR) continue;
    error_ = std::strerror(errno);
    return -1;
  }
}

std::int64_t FdSource::seek(std::int64_t offset, int whence) {
  if (!seekable_) return -1;
  const off_t at = ::lseek(fd_, offset, whence);
  if (at < 0) error_ = std::strerror(errno);
  return at;
}

std::ptrdiff_t MemorySource::read(char* out, std::size_t size) {
  const std::size_t n = std::min(size, bytes_.size() - at_);
  std::memcpy(out, bytes_.data() + at_, n);
  at_ += n;
  return static_cast<std::ptrdiff_t>(n);
}

std::int64_t MemorySource::seek(std::int64_t offset, int whence) {
  std::int64_t base = whence == SEEK_SET   ? 0
                      : whence == SEEK_CUR ? static_cast<std::int64_t>(at_)
                                           : static_cast<std::int64_t>(bytes_.size());
  const std::int64_t to = base + offset;
  if (to < 0) return -1;
  at_ = std::min(static_cast<std::size_t>(to), bytes_.size());
  return static_cast<std::int64_t>(at_);
}

std::ptrdiff_t ReplaySource::read(char* out, std::size_t size) {
  if (at_ < replay_.size()) {
    const std::size_t n = std::min(size, replay_.size() - at_);
    std::memcpy(out, replay_.data() + at_, n);
    at_ += n;
    if (at_ == replay_.size()) {
      std::string().swap(replay_);
      at_ = 0;
    }
    return static_cast<std::ptrdiff_t>(n);
  }
  const std::ptrdiff_t n = rest_.read(out, size);
  if (n < 0) error_ = rest_.error();
  return n;
}

std::ptrdiff_t EntrySource::read(char* out, std::size_t size) {
  const la_ssize_t n = archive_read_data(archive_, out, size);
  if (n < 0) {
    fatal_ = n == ARCHIVE_FATAL;
    const char* why = archive_error_string(archive_);
    error_ = why != nullptr ? why : "read failed";
    return -1;
  }
  if (check_) {
    std::string stop = check_(static_cast<std::size_t>(n));
    if (!stop.empty()) {
      error_ = std::move(stop);
      stopped_by_cap_ = true;
      return -1;
    }
  }
  return n;
}

SourceBuf::int_type SourceBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  if (failed_) throw std::runtime_error(source_.error());
  const std::ptrdiff_t n = source_.read(buffer_.data(), buffer_.size());
  if (n < 0) throw std::runtime_error(source_.error());
  if (n == 0) return traits_type::eof();
  setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
  return traits_type::to_int_type(*gptr());
}

std::streamsize SourceBuf::xsgetn(char* out, std::streamsize size) {
  std::streamsize got = 0;
  const std::streamsize buffered = std::min<std::streamsize>(size, egptr() - gptr());
  if (buffered > 0) {
    std::memcpy(out, gptr(), static_cast<std::size_t>(buffered));
    gbump(static_cast<int>(buffered));
    got = buffered;
  }
  while (got < size) {
    if (failed_) throw std::runtime_error(source_.error());
    const std::ptrdiff_t n = source_.read(out + got, static_cast<std::size_t>(size - got));
    if (n < 0) {
      failed_ = true;
      if (got > 0) break;  // deliver what came before the failure; the next read throws
      throw std::runtime_error(source_.error());
    }
    if (n == 0) break;
    got += n;
  }
  return got;
}

}  // namespace leakwatch::extract
