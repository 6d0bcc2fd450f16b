#include <doctest/doctest.h>

#include <random>
#include <string>

#include "extract/phone_candidates.h"

using leakwatch::extract::digit_run_end;

namespace {

std::size_t naive_run_end(const std::string& s, std::size_t i) {
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i;
}

}  // namespace

TEST_CASE("digit_run_end: every byte value ends a run, or not, where a byte loop says") {
  // The run is read eight bytes at a time: put each of the 256 byte values
  // at each offset of a word, and past it, after a run of digits.
  for (int b = 0; b < 256; ++b) {
    for (std::size_t at = 0; at < 17; ++at) {
      std::string s(20, '7');
      s[at] = static_cast<char>(b);
      const bool digit = b >= '0' && b <= '9';
      INFO("byte " << b << " at " << at);
      CHECK(digit_run_end(s, 0) == (digit ? s.size() : at));
    }
  }
}

TEST_CASE("digit_run_end: random text, any start, matches a byte loop") {
  std::mt19937 rng(20261201);
  for (int round = 0; round < 200000; ++round) {
    std::string s(rng() % 40, ' ');
    for (char& c : s)
      c = rng() % 4 != 0 ? static_cast<char>('0' + rng() % 10) : static_cast<char>(rng() % 256);
    const std::size_t i = s.empty() ? 0 : rng() % (s.size() + 1);
    REQUIRE(digit_run_end(s, i) == naive_run_end(s, i));
  }
  CHECK(digit_run_end("", 0) == 0);
  CHECK(digit_run_end("12345678901", 11) == 11);
  CHECK(digit_run_end("ab12", 0) == 0);
}
