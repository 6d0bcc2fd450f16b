// A cheap, exact "libphonenumber cannot accept this" for digit strings,
// from libphonenumber's own metadata: every region's national-prefix and
// international-prefix patterns and, per calling code, the number-type
// patterns (fixed line, mobile, toll free, ...) of every region that shares
// it, compiled once with RE2.
//
// Parse only ever takes a suffix of the digits as the national significant
// number (after an international prefix or '+' and a calling code, the
// region's own calling code, and national prefixes), unless a national-
// prefix transform rule rewrites it; IsValidNumber accepts a number only
// when some region of its calling code has a number type whose pattern the
// NSN matches. So when no suffix that Parse could keep, in any of the ways it
// reads the digits, matches a type pattern of its calling code, Parse +
// IsValidNumber reject the number. Anything in doubt (a transform rule that
// could apply, a '+' without a known calling code, a pattern RE2 cannot
// compile) is answered "may be valid".
// Thread-safe: immutable after construction.
#pragma once

#include <re2/re2.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace leakwatch::identity {

class PhoneScreen {
 public:
  // How Parse reads digits in one region (or for one non-geographic calling
  // code): its calling code and its prefix patterns.
  struct Plan;

  // Reads the metadata compiled into libphonenumber (~20 ms).
  PhoneScreen();
  ~PhoneScreen();
  PhoneScreen(const PhoneScreen&) = delete;
  PhoneScreen& operator=(const PhoneScreen&) = delete;

  // The one screen of the process, built on first use.
  static const PhoneScreen& shared();

  // The plan of region `region` ("US", upper case); nullptr when
  // libphonenumber does not know it.
  const Plan* region(std::string_view region) const;

  // False only when parse_phone_digits(digits, region) (identity_text.h)
  // certainly finds no valid number: Parse + IsValidNumber reject it.
  // `digits` is "+" and digits or digits, "00" read as "+" (as
  // parse_phone_digits reads it); anything else may answer true.
  bool may_be_valid(std::string_view digits, const Plan& region) const;

 private:
  struct Code;
  bool international_may_be_valid(std::string_view after_prefix, bool after_plus) const;
  bool national_may_be_valid(std::string_view digits, const Plan& region) const;
  int code_of(std::string_view digits) const;

  static constexpr int kCodes = 1000;  // calling codes have 1 to 3 digits
  std::unordered_map<std::string, std::unique_ptr<Plan>> regions_;
  std::array<std::unique_ptr<Plan>, kCodes> non_geographic_;
  std::array<std::unique_ptr<Code>, kCodes> codes_;
};

}  // namespace leakwatch::identity
