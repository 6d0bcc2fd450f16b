#include "identity/mask.h"

#include <phonenumbers/phonenumberutil.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace leakwatch::identity {

namespace {

// Length in bytes of the UTF-8 sequence starting at s[0]; 1 for bad bytes so
// a malformed input still masks instead of failing.
size_t first_char_len(std::string_view s) {
  if (s.empty()) return 0;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0;
  UChar32 c;
  U8_NEXT(p, i, static_cast<int32_t>(s.size()), c);
  return c < 0 ? 1 : static_cast<size_t>(i);
}

}  // namespace

std::string mask_email(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return "***";
  std::string out(email.substr(0, first_char_len(email)));
  out += "***";
  out += email.substr(at);
  return out;
}

std::string mask_phone(std::string_view e164) {
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  // Country calling codes are prefix-free, so the first 1-3 digits that name
  // a region are the code. No Parse(): masks are made for every hit.
  std::string national;
  std::string country;
  if (e164.size() == 14 && e164.substr(0, 3) == "+86") {  // the common case, without a lookup
    country = "86";
    national = std::string(e164.substr(3));
  }
  bool digits_only = national.empty() && e164.size() > 1 && e164.front() == '+' &&
                     e164.substr(1).find_first_not_of("0123456789") == std::string_view::npos;
  for (size_t len = 1; digits_only && len <= 3 && len + 1 < e164.size(); ++len) {
    std::string code(e164.substr(1, len));
    std::string region;
    util.GetRegionCodeForCountryCode(std::stoi(code), &region);
    if (region != "ZZ") {
      country = code;
      national = std::string(e164.substr(1 + len));
      break;
    }
  }
  if (national.empty()) {
    // Not E.164: show nothing but the last two characters.
    if (e164.size() <= 4) return "***";
    return "***" + std::string(e164.substr(e164.size() - 2));
  }
  // Three leading and four trailing national digits, as on Chinese bills; a
  // shorter number keeps fewer so that at least half of it stays hidden.
  size_t n = national.size();
  size_t head = 3;
  size_t tail = 4;
  if (n < 11) {
    size_t keep = n / 2;
    tail = (keep + 1) / 2;
    head = keep - tail;
  }
  std::string out = "+" + country;
  out += national.substr(0, head);
  out.append(n - head - tail, '*');
  out += national.substr(n - tail);
  return out;
}

std::string mask_name(std::string_view name) {
  std::string out;
  bool in_word = false;
  for (size_t i = 0; i < name.size();) {
    char c = name[i];
    if (c == ' ' || c == '\t') {
      if (in_word) out.push_back(' ');
      in_word = false;
      ++i;
      continue;
    }
    size_t len = first_char_len(name.substr(i));
    if (!in_word) {
      out.append(name.substr(i, len));
      out += "***";
      in_word = true;
    }
    i += len;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out.empty() ? "***" : out;
}

std::string mask(Kind kind, std::string_view normalized) {
  switch (kind) {
    case Kind::kEmail:
      return mask_email(normalized);
    case Kind::kPhone:
      return mask_phone(normalized);
    case Kind::kName:
      return mask_name(normalized);
  }
  return "***";
}

}  // namespace leakwatch::identity
