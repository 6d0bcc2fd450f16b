// Reads a file descriptor in chunks that end at line boundaries, counting
// lines, so chunks can be scanned in parallel and still report line numbers.
// Memory is bounded by the chunk size (a line longer than `max_bytes` is
// split there). Not thread-safe; the descriptor is not owned.
#pragma once

#include <cstddef>
#include <string>

namespace leakwatch::matcher {

struct TextChunk {
  std::string text;        // whole lines (the last one may lack its '\n' at end of input)
  std::size_t first_line;  // 0-based line number of the chunk's first line in the input
};

class ChunkReader {
 public:
  ChunkReader(int fd, std::size_t chunk_bytes = 4 << 20, std::size_t max_bytes = 64 << 20);
  // Fills `chunk`; false at the end of input. Throws RuntimeError on a read error.
  bool next(TextChunk* chunk);

 private:
  int fd_;
  std::size_t chunk_bytes_;
  std::size_t max_bytes_;
  std::string carry_;  // bytes after the last newline of the previous chunk
  std::size_t line_ = 0;
  bool eof_ = false;
};

}  // namespace leakwatch::matcher
