#include "matcher/national_prefixes.h"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <string>

// libphonenumber 8.12 exports its compiled-in metadata (a serialized
// PhoneMetadataCollection, the one its PhoneNumberUtil loads) without
// installing the header that declares it.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace leakwatch::matcher {

NationalPrefixes::NationalPrefixes() {
  using i18n::phonenumbers::PhoneMetadataCollection;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneMetadataCollection collection;
  // Unreadable metadata leaves every code kUnknown: always parse again.
  if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size())) return;
  for (const auto& region : collection.metadata()) {
    const int code = region.country_code();
    if (code <= 0 || code >= kCodes) continue;
    // Parse uses the calling code's main region (the non-geographic entity
    // for "001" codes): the first region libphonenumber lists for the code.
    if (region.id() != "001") {
      std::string main;
      util.GetRegionCodeForCountryCode(code, &main);
      if (main != region.id()) continue;
    }
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

const NationalPrefixes& NationalPrefixes::shared() {
  static const NationalPrefixes table;
  return table;
}

bool NationalPrefixes::may_strip(int country_code, std::string_view national) const {
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

}  // namespace leakwatch::matcher
