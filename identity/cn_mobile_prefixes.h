// Which 11-digit numbers 1[3-9]xxxxxxxxx are valid Chinese mobiles, as a table
// derived from libphonenumber's own metadata at start-up, so that the fast path
// and libphonenumber never disagree.
// Thread-safe: immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace leakwatch::identity {

class CnMobilePrefixes {
 public:
  enum class Verdict : std::uint8_t { kInvalid, kValid, kAsk };

  // Probes libphonenumber with sample numbers under each prefix, refining a
  // prefix digit by digit (up to 7 digits) where samples disagree. Costs a few
  // milliseconds. The result is a small digit trie (a few hundred nodes) that
  // stays in the CPU cache; a flat table of all 7-digit prefixes (9 MB) made
  // every lookup a cache miss.
  CnMobilePrefixes();

  // The one table of the process (built on first use), shared by the
  // customer import's normalization and the extractor.
  static const CnMobilePrefixes& shared();

  // `digits` must be exactly 11 ASCII digits. kAsk means the table cannot tell
  // from the first seven digits: ask libphonenumber.
  Verdict lookup(std::string_view digits) const;

 private:
  // Decides `prefix` (of `length` digits): a leaf entry, or a new node.
  std::int32_t classify(std::uint64_t prefix, int length);
  // nodes_[0] stands for the leading '1'. Entry >= 0: the node for the next
  // digit; < 0: a leaf, -1 - Verdict.
  std::vector<std::array<std::int32_t, 10>> nodes_;
};

}  // namespace leakwatch::identity
