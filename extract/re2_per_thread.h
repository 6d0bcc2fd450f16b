// One RE2 pattern compiled into a few identical copies, so that threads
// running it millions of times do not share one.
// Thread-safe: immutable after construction; get() hands each thread its own
// copy (the first kCopies threads of the process get distinct ones; later
// threads share, which is correct, only slower).
//
// Why: an RE2 object is thread-safe, but every Match takes the reader side of
// a lock around its DFA cache; two cores matching with one object bounce that
// lock's cache line between them (5 % of `scan --all`'s CPU, measured with
// perf in pthread_rwlock_rdlock under re2::RE2::Match).
#pragma once

#include <array>
#include <memory>
#include <string>

#include <re2/re2.h>

namespace leakwatch::extract {

class Re2PerThread {
 public:
  static constexpr unsigned kCopies = 8;

  // Compiles every copy now. Throws std::logic_error naming `name` and RE2's
  // message if the pattern does not compile.
  Re2PerThread(const std::string& pattern, const char* name);

  // The calling thread's copy.
  const RE2& get() const;

 private:
  std::array<std::unique_ptr<const RE2>, kCopies> copies_;
};

}  // namespace leakwatch::extract
