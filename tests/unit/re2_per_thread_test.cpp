#include "extract/re2_per_thread.h"

#include <doctest/doctest.h>

#include <atomic>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using leakwatch::extract::Re2PerThread;

TEST_CASE("Re2PerThread: the calling thread's copy matches as the pattern does") {
  const Re2PerThread re("[a-z]+@[a-z]+\\.com", "test");
  CHECK(RE2::FullMatch("abc@qq.com", re.get()));
  CHECK_FALSE(RE2::FullMatch("abc@qq.org", re.get()));
}

TEST_CASE("Re2PerThread: threads running together get copies of their own") {
  const Re2PerThread re("x+", "test");
  constexpr unsigned kThreads = 4;  // <= kCopies
  std::vector<const RE2*> seen(kThreads);
  std::vector<std::thread> threads;
  // All threads start matching before any ends, as scan workers do; a thread
  // keeps the slot it got for its lifetime.
  std::atomic<unsigned> started{0};
  for (unsigned t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const RE2* first = &re.get();
      ++started;
      while (started.load() < kThreads) std::this_thread::yield();
      CHECK(&re.get() == first);
      CHECK(RE2::FullMatch("xxx", *first));
      seen[t] = first;
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(std::set<const RE2*>(seen.begin(), seen.end()).size() == kThreads);
}

TEST_CASE("Re2PerThread: a pattern that does not compile names itself") {
  try {
    Re2PerThread bad("(unclosed", "email domain");
    FAIL("no exception");
  } catch (const std::logic_error& e) {
    CHECK(std::string(e.what()).find("email domain") != std::string::npos);
    CHECK(std::string(e.what()).find("missing )") != std::string::npos);
  }
}
