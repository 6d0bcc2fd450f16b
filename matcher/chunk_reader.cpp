#include "matcher/chunk_reader.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/errors.h"

namespace leakwatch::matcher {

ChunkReader::ChunkReader(int fd, std::size_t chunk_bytes, std::size_t max_bytes)
    : fd_(fd), chunk_bytes_(chunk_bytes), max_bytes_(std::max(max_bytes, chunk_bytes)) {}

bool ChunkReader::next(TextChunk* chunk) {
  std::string& buf = chunk->text;
  buf.swap(carry_);
  carry_.clear();
  // Read until the buffer holds at least chunk_bytes_ and a newline, the
  // input ends, or one line passes max_bytes_ (then it is split there).
  std::size_t searched = 0;
  while (!eof_) {
    if (buf.size() >= chunk_bytes_) {
      if (buf.find('\n', searched) != std::string::npos || buf.size() >= max_bytes_) break;
      searched = buf.size();
    }
    std::size_t old = buf.size();
    std::size_t want = old < chunk_bytes_ ? chunk_bytes_ - old : 1 << 20;
    buf.resize(old + std::max<std::size_t>(want, 65536));
    ssize_t n;
    do {
      n = ::read(fd_, buf.data() + old, buf.size() - old);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      buf.resize(old);
      throw RuntimeError(std::string("read failed: ") + std::strerror(errno));
    }
    buf.resize(old + static_cast<std::size_t>(n));
    if (n == 0) eof_ = true;
  }
  if (buf.empty()) return false;
  if (!eof_) {
    std::size_t last = buf.rfind('\n');
    std::size_t cut = last == std::string::npos ? buf.size() : last + 1;
    carry_.assign(buf, cut, std::string::npos);
    buf.resize(cut);
  }
  chunk->first_line = line_;
  line_ += static_cast<std::size_t>(std::count(buf.begin(), buf.end(), '\n'));
  return true;
}

}  // namespace leakwatch::matcher
