// Phone numbers in text: groups the digit runs around a trigger into a chain
// ("+86 138-1234-5678"), picks the candidates a person could have meant, and
// validates each with libphonenumber (through a Chinese-mobile fast path and a
// cache, never on more than one short candidate at a time).
// Thread-safe: find() is const; the cache is guarded by sharded mutexes.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "identity/cn_mobile_prefixes.h"

namespace leakwatch::extract {

// The end of the run of ASCII digits '0'-'9' that starts at `i` (`i` itself
// when text[i] is not a digit; `i` <= text.size()). Any bytes.
std::size_t digit_run_end(std::string_view text, std::size_t i);

struct PhoneHit {
  std::size_t begin;  // first byte of the number in the scanned view
  std::size_t end;    // one past its last digit
  std::string e164;
};

class PhoneCandidates {
 public:
  // `default_region` is ISO 3166 alpha-2; throws std::invalid_argument when
  // libphonenumber does not know it. `cache_entries` bounds the cache.
  PhoneCandidates(std::string default_region, std::size_t cache_entries);
  PhoneCandidates(const PhoneCandidates&) = delete;
  PhoneCandidates& operator=(const PhoneCandidates&) = delete;

  // `pos` is a '+' or the first digit of a digit run in `text` (ASCII view).
  // Appends every phone number of the chain that starts there to `out`, in
  // order, and returns the position just past the chain (always > pos).
  std::size_t find(std::string_view text, std::size_t pos, std::vector<PhoneHit>* out) const;

  // Validates "+<digits>" or bare digits as found in text; E.164 or nullopt.
  // `single_group` is true when the digits stood as one unbroken run.
  std::optional<std::string> validate(const std::string& digits, bool single_group) const;

 private:
  std::optional<std::string> parse_cached(const std::string& digits) const;

  std::string region_;
  bool region_is_cn_;
  const identity::CnMobilePrefixes& cn_mobiles_ = identity::CnMobilePrefixes::shared();
  std::size_t shard_capacity_;
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::string> entries;  // "" = not valid
  };
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace leakwatch::extract
