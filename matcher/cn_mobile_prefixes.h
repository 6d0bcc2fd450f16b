// Which 11-digit numbers 1[3-9]xxxxxxxxx are valid Chinese mobiles, as a table
// derived from libphonenumber's own metadata at start-up, so that the fast path
// and libphonenumber never disagree.
// Thread-safe: immutable after construction.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace leakwatch::matcher {

class CnMobilePrefixes {
 public:
  enum class Verdict : std::uint8_t { kInvalid, kValid, kAsk };

  // Probes libphonenumber with sample numbers under each prefix, refining a
  // prefix digit by digit (up to 7 digits) where samples disagree. Costs a few
  // milliseconds.
  CnMobilePrefixes();

  // `digits` must be exactly 11 ASCII digits. kAsk means the table cannot tell
  // from the first seven digits: ask libphonenumber.
  Verdict lookup(std::string_view digits) const;

 private:
  void classify(std::uint64_t prefix, int length);
  // Indexed by the first 7 digits minus 1000000.
  std::vector<Verdict> table_;
};

}  // namespace leakwatch::matcher
