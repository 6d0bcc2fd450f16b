// libphonenumber's country calling codes and, per code, its national-prefix-
// for-parsing pattern, read from libphonenumber's own metadata at start-up:
// enough to tell, for a number already in E.164 shape, what Parse would do
// to it without running Parse's regexes (about 5 us a number).
//
// For "+" followed by digits, Parse takes the calling code as the first one-
// to three-digit prefix that is a known code, and then strips a national
// prefix (or carrier code) only where the pattern matches at the start of
// the remaining digits; nothing else it does changes the digits of such an
// input. So where the pattern is empty or does not match, the number is
// exactly (code, remaining digits).
// Thread-safe: immutable after construction.
#pragma once

#include <re2/re2.h>

#include <array>
#include <memory>
#include <string_view>

namespace leakwatch::identity {

class CallingCodes {
 public:
  // Reads the metadata compiled into libphonenumber and compiles each calling
  // code's pattern (for its main region, as Parse picks it) with RE2.
  CallingCodes();

  // The one table of the process (built on first use, ~2 ms).
  static const CallingCodes& shared();

  // The calling code `digits` (the digits after '+') start with, as Parse
  // reads it; 0 when none does.
  int code_of(std::string_view digits) const;

  // False only when Parse("+" + country_code + national) certainly keeps
  // `national` (digits) as it is; true when it may strip something, and for
  // a calling code the table does not know.
  bool may_strip(int country_code, std::string_view national) const;

  // True when libphonenumber's PhoneNumberMatcher never asks a national
  // number of `country_code` for its national prefix (its
  // IsNationalPrefixPresentIfRequired): in the code's main region, every
  // number format's national-prefix formatting rule is empty, optional when
  // formatting, or the first group alone. False for an unknown code.
  bool national_prefix_never_required(int country_code) const;

 private:
  enum class Rule : unsigned char { kUnknown, kNone, kPattern };
  static constexpr int kCodes = 1000;  // calling codes have 1 to 3 digits
  std::array<bool, kCodes> known_{};
  std::array<Rule, kCodes> rules_{};
  std::array<std::unique_ptr<RE2>, kCodes> patterns_;
  std::array<bool, kCodes> prefix_never_required_{};
};

}  // namespace leakwatch::identity
