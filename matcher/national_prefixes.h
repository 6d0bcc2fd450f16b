// Whether libphonenumber's Parse could change the digits of a number given in
// E.164, told from libphonenumber's own metadata: its national-prefix-for-
// parsing pattern, per country calling code.
//
// Parse(E.164) strips a national prefix (or carrier code) only where that
// pattern matches at the start of the national significant number; that is
// the one step of Parse that can change such an input. So where the pattern
// is empty or does not match, an E.164 from Format is already a fixed point
// of Parse and need not be parsed again (about 5 us a number).
// Thread-safe: immutable after construction.
#pragma once

#include <re2/re2.h>

#include <array>
#include <memory>
#include <string_view>

namespace leakwatch::matcher {

class NationalPrefixes {
 public:
  // Reads the metadata compiled into libphonenumber and compiles each calling
  // code's pattern (for its main region, as Parse picks it) with RE2.
  NationalPrefixes();

  // The one table of the process (built on first use).
  static const NationalPrefixes& shared();

  // False only when Parse("+" + country_code + national) certainly keeps
  // `national` (digits) as it is; true when it may strip something, and for
  // a calling code the table does not know.
  bool may_strip(int country_code, std::string_view national) const;

 private:
  enum class Rule : unsigned char { kUnknown, kNone, kPattern };
  static constexpr int kCodes = 1000;  // calling codes have 1 to 3 digits
  std::array<Rule, kCodes> rules_{};
  std::array<std::unique_ptr<RE2>, kCodes> patterns_;
};

}  // namespace leakwatch::matcher
