#include "identity/calling_codes.h"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "identity/phone_metadata.h"

namespace leakwatch::identity {

namespace {

// The matcher's test on a format (phonenumbermatcher.cc,
// IsNationalPrefixPresentIfRequired): no rule, a rule optional when
// formatting, a rule that is the first group alone ("$1", "($1)"), or one
// with no digit before the first group.
bool prefix_not_required(const i18n::phonenumbers::NumberFormat& format) {
  const std::string& rule = format.national_prefix_formatting_rule();
  if (rule.empty() || format.national_prefix_optional_when_formatting()) return true;
  std::string_view r(rule);
  if (!r.empty() && r.front() == '(') r.remove_prefix(1);
  if (!r.empty() && r.back() == ')') r.remove_suffix(1);
  if (r == "$1") return true;
  const std::string_view before = std::string_view(rule).substr(0, rule.find("$1"));
  return before.find_first_of("0123456789") == std::string_view::npos;
}

}  // namespace

CallingCodes::CallingCodes() {
  using i18n::phonenumbers::PhoneMetadataCollection;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneMetadataCollection collection;
  // Unreadable metadata leaves the table empty: no code known (no shortcut),
  // every rule kUnknown (always parse again).
  if (!detail::read_phone_metadata(&collection)) return;
  for (const auto& region : collection.metadata()) {
    const int code = region.country_code();
    if (code <= 0 || code >= kCodes) continue;
    known_[code] = true;
    // Parse uses the calling code's main region (the non-geographic entity
    // for "001" codes): the first region libphonenumber lists for the code.
    if (region.id() != "001") {
      std::string main;
      util.GetRegionCodeForCountryCode(code, &main);
      if (main != region.id()) continue;
    }
    prefix_never_required_[code] =
        std::all_of(region.number_format().begin(), region.number_format().end(), prefix_not_required);
    const std::string& pattern = region.national_prefix_for_parsing();
    if (pattern.empty()) {
      rules_[code] = Rule::kNone;
      continue;
    }
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(pattern, options);
    if (!re->ok()) continue;  // not RE2 syntax: stays kUnknown
    patterns_[code] = std::move(re);
    rules_[code] = Rule::kPattern;
  }
}

const CallingCodes& CallingCodes::shared() {
  static const CallingCodes table;
  return table;
}

int CallingCodes::code_of(std::string_view digits) const {
  // libphonenumber's ExtractCountryCode: no code starts with '0'; codes are
  // prefix-free, so the first known prefix is the one.
  if (digits.empty() || digits[0] < '1' || digits[0] > '9') return 0;
  int code = 0;
  for (std::size_t i = 0; i < 3 && i < digits.size(); ++i) {
    if (digits[i] < '0' || digits[i] > '9') return 0;
    code = code * 10 + (digits[i] - '0');
    if (known_[code]) return code;
  }
  return 0;
}

bool CallingCodes::may_strip(int country_code, std::string_view national) const {
  if (country_code <= 0 || country_code >= kCodes) return true;
  switch (rules_[country_code]) {
    case Rule::kNone:
      return false;
    case Rule::kPattern:
      // libphonenumber's Consume: a match anchored at the start, not
      // necessarily to the end. Whether one exists is the same in RE2.
      return patterns_[country_code]->Match(national, 0, national.size(), RE2::ANCHOR_START, nullptr, 0);
    case Rule::kUnknown:
      break;
  }
  return true;
}

bool CallingCodes::national_prefix_never_required(int country_code) const {
  if (country_code <= 0 || country_code >= kCodes) return false;
  return prefix_never_required_[country_code];
}

}  // namespace leakwatch::identity
