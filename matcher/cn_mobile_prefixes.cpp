#include "matcher/cn_mobile_prefixes.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

namespace leakwatch::matcher {

namespace {

constexpr int kTableDigits = 7;
constexpr std::uint64_t kTableBase = 1000000;  // 10^(kTableDigits - 1)

std::uint64_t pow10(int n) {
  std::uint64_t r = 1;
  while (n-- > 0) r *= 10;
  return r;
}

bool valid_cn(std::uint64_t national) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  PhoneNumber number;
  number.set_country_code(86);
  number.set_national_number(national);
  return PhoneNumberUtil::GetInstance()->IsValidNumber(number);
}

}  // namespace

CnMobilePrefixes::CnMobilePrefixes() : table_(kTableBase, Verdict::kInvalid) {
  for (std::uint64_t p = 13; p <= 19; ++p) classify(p, 2);
}

void CnMobilePrefixes::classify(std::uint64_t prefix, int length) {
  // Samples spread over the remaining digits; libphonenumber's CN patterns are
  // prefix lists followed by \d{n}, so agreement of these means the prefix
  // decides.
  static constexpr std::uint64_t kFills[] = {0, 9999999999ULL, 5555555555ULL, 1234567890ULL, 8642097531ULL,
                                             3141592653ULL};
  int rest = 11 - length;
  std::uint64_t scale = pow10(rest);
  int valid = 0;
  int total = 0;
  for (std::uint64_t fill : kFills) {
    valid += valid_cn(prefix * scale + fill % scale) ? 1 : 0;
    ++total;
  }
  auto fill_range = [&](Verdict v) {
    std::uint64_t span = pow10(kTableDigits - length);
    std::uint64_t first = prefix * span - kTableBase;
    std::fill(table_.begin() + static_cast<std::ptrdiff_t>(first),
              table_.begin() + static_cast<std::ptrdiff_t>(first + span), v);
  };
  if (valid == total) {
    fill_range(Verdict::kValid);
  } else if (valid == 0 && length >= 3) {
    fill_range(Verdict::kInvalid);
  } else if (length >= kTableDigits) {
    fill_range(Verdict::kAsk);
  } else {
    for (std::uint64_t d = 0; d <= 9; ++d) classify(prefix * 10 + d, length + 1);
  }
}

CnMobilePrefixes::Verdict CnMobilePrefixes::lookup(std::string_view digits) const {
  if (digits.size() != 11 || digits[0] != '1' || digits[1] < '3') return Verdict::kInvalid;
  std::uint64_t p = 0;
  for (int i = 0; i < kTableDigits; ++i) p = p * 10 + static_cast<std::uint64_t>(digits[i] - '0');
  return table_[p - kTableBase];
}

}  // namespace leakwatch::matcher
