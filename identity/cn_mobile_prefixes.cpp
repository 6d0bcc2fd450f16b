#include "identity/cn_mobile_prefixes.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

namespace leakwatch::identity {

namespace {

constexpr int kMaxDigits = 7;  // prefixes longer than this are left to libphonenumber (kAsk)

std::int32_t leaf(CnMobilePrefixes::Verdict v) { return -1 - static_cast<std::int32_t>(v); }

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

CnMobilePrefixes::CnMobilePrefixes() {
  nodes_.push_back({});
  for (std::uint64_t d = 0; d <= 9; ++d) {
    std::int32_t entry = d < 3 ? leaf(Verdict::kInvalid) : classify(10 + d, 2);
    nodes_[0][d] = entry;
  }
}

const CnMobilePrefixes& CnMobilePrefixes::shared() {
  static const CnMobilePrefixes table;
  return table;
}

std::int32_t CnMobilePrefixes::classify(std::uint64_t prefix, int length) {
  // Samples under each next digit, spread over the remaining digits;
  // libphonenumber's CN patterns are prefix lists followed by \d{n}, so when
  // every next digit agrees the prefix decides. (Sampling the prefix alone
  // missed holes: "15" sampled all valid, yet 154 is not allocated.)
  static constexpr std::uint64_t kFills[] = {
      0, 999999999ULL, 555555555ULL, 123456789ULL, 864209753ULL, 314159265ULL};
  const bool last = length >= kMaxDigits;
  const int rest = 11 - length - (last ? 0 : 1);
  const std::uint64_t scale = pow10(rest);
  int valid = 0;
  int total = 0;
  for (std::uint64_t d = 0; d <= (last ? 0 : 9); ++d) {
    std::uint64_t start = last ? prefix : prefix * 10 + d;
    for (std::uint64_t fill : kFills) {
      valid += valid_cn(start * scale + fill % scale) ? 1 : 0;
      ++total;
    }
  }
  if (valid == total) return leaf(Verdict::kValid);
  if (valid == 0) return leaf(Verdict::kInvalid);
  if (last) return leaf(Verdict::kAsk);
  std::array<std::int32_t, 10> next{};
  for (std::uint64_t d = 0; d <= 9; ++d) next[d] = classify(prefix * 10 + d, length + 1);
  nodes_.push_back(next);
  return static_cast<std::int32_t>(nodes_.size() - 1);
}

CnMobilePrefixes::Verdict CnMobilePrefixes::lookup(std::string_view digits) const {
  if (digits.size() != 11 || digits[0] != '1') return Verdict::kInvalid;
  std::int32_t node = 0;
  for (std::size_t i = 1; i < digits.size(); ++i) {
    auto digit = static_cast<unsigned>(digits[i] - '0');
    if (digit > 9) return Verdict::kInvalid;
    std::int32_t entry = nodes_[static_cast<std::size_t>(node)][digit];
    if (entry < 0) return static_cast<Verdict>(-1 - entry);
    node = entry;
  }
  return Verdict::kAsk;  // not reached: every path ends in a leaf by kMaxDigits
}

}  // namespace leakwatch::identity
