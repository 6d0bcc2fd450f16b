// Phone numbers in text: groups the digit runs around a trigger into a chain
// ("+86 138-1234-5678", phone_chain.h) and reads it in the default regions,
// in order:
// - CN: the rules tuned on Chinese leak dumps (a Chinese-mobile fast path,
//   landlines only with their trunk '0', bare order numbers and QQ numbers
//   refused), validating each candidate with libphonenumber through a cache;
// - any other region: libphonenumber's own PhoneNumberMatcher (VALID
//   leniency) on a short window around the chain, so a national number is
//   read exactly as libphonenumber reads it for that region (grouping,
//   national prefixes, extensions); never on more than one window at a time.
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

#include "extract/phone_chain.h"
#include "identity/cn_mobile_prefixes.h"
#include "identity/phone_screen.h"

namespace leakwatch::extract {

struct PhoneHit {
  std::size_t begin;  // first byte of the number in the scanned view
  std::size_t end;    // one past its last byte (an extension included)
  std::string e164;
};

class PhoneCandidates {
 public:
  // `default_regions` is one ISO 3166 alpha-2 code ("CN") or several,
  // comma-separated, tried in order ("US,CA"; see identity::split_regions):
  // a chain is read in the first region in which it yields a number. Throws
  // std::invalid_argument when libphonenumber does not know one of them.
  // `cache_entries` bounds the cache.
  PhoneCandidates(std::string_view default_regions, std::size_t cache_entries);
  PhoneCandidates(const PhoneCandidates&) = delete;
  PhoneCandidates& operator=(const PhoneCandidates&) = delete;

  // `pos` is a '+' or the first digit of a digit run in `text` (ASCII view);
  // `floor` (<= pos) is where the previous identifier found on this line
  // ended: no number may start before it. Appends every phone number of the
  // chain that starts at `pos` to `out`, in order, and returns the position
  // just past the chain and what was found (always > pos).
  std::size_t find(std::string_view text, std::size_t pos, std::size_t floor,
                   std::vector<PhoneHit>* out) const;

  // Validates "+<digits>" or bare digits as found in Chinese text (the CN
  // rules); E.164 or nullopt. `single_group` is true when the digits stood
  // as one unbroken run.
  std::optional<std::string> validate_cn(const std::string& digits, bool single_group) const;

  const std::vector<std::string>& regions() const { return regions_; }

 private:
  // The CN rules: the numbers a person could have meant in `chain`.
  void pick_cn(std::string_view text, const PhoneChain& chain, std::vector<PhoneHit>* out) const;
  // Whether groups g.. of `chain` begin a valid number (the CN rules);
  // `chain_right` is 0 when the chain's end is glued to a word.
  bool starts_number(std::string_view text, const PhoneChain& chain, std::size_t g,
                     std::size_t chain_right) const;
  // Whether some run of `chain`'s groups is a valid number in `region`.
  bool may_hold_number(std::string_view text, const PhoneChain& chain, const std::string& region) const;
  // libphonenumber's matcher in `region` on a window around `chain`.
  void pick_matched(std::string_view text, const PhoneChain& chain, std::size_t floor,
                    const std::string& region, bool bare_read_alone, std::vector<PhoneHit>* out) const;
  // The matcher's answer without the matcher, for a chain of one digit run
  // ("+" and digits, or digits when `bare_read_alone`) standing between
  // bytes that no candidate of the matcher crosses: the run is its one
  // candidate, read by Parse and IsValidNumber as the matcher reads it.
  // true: the number was appended; false: the matcher would find nothing;
  // nullopt: the chain is not of that shape, ask the matcher.
  std::optional<bool> read_alone(std::string_view text, const PhoneChain& chain, std::size_t floor,
                                 const std::string& region, bool bare_read_alone,
                                 std::vector<PhoneHit>* out) const;
  // identity's normalization of "+<digits>" or digits in `region`, cached.
  std::optional<std::string> parse_cached(const std::string& digits, const std::string& region) const;

  std::vector<std::string> regions_;
  // Per region: its national numbers never need their national prefix for
  // the matcher (identity::CallingCodes::national_prefix_never_required).
  std::vector<bool> bare_read_alone_;
  const identity::CnMobilePrefixes& cn_mobiles_ = identity::CnMobilePrefixes::shared();
  // libphonenumber's metadata as a screen before Parse, and each region's
  // plan in it (nullptr: not screened).
  const identity::PhoneScreen& screen_ = identity::PhoneScreen::shared();
  std::vector<const identity::PhoneScreen::Plan*> plans_;
  const identity::PhoneScreen::Plan* cn_plan_ = screen_.region("CN");
  std::size_t shard_capacity_;
  static constexpr std::size_t kShards = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::string> entries;  // "" = not valid
  };
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace leakwatch::extract
