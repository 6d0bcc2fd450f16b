// A temporary, already-unlinked file of staged import rows (keyed hashes and
// customer ids; never plaintext), so an import can replay its rows through
// the slower conflict-tolerant path without reading its input twice.
// Not thread-safe. The file disappears when the Spool is destroyed or the
// process dies.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "identity/keyed_hash.h"

namespace leakwatch::matcher {

struct SpooledRow {
  long line = 0;
  identity::KeyedHash hash{};
  identity::Kind kind = identity::Kind::kEmail;
  std::string customer_id;
};

class Spool {
 public:
  Spool();  // throws RuntimeError if no temp file can be made
  void append(const SpooledRow& row);
  // Starts reading from the first row appended.
  void rewind();
  // Next row, false at the end.
  bool next(SpooledRow* row);

 private:
  struct Closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, Closer> file_;
};

}  // namespace leakwatch::matcher
