// Phone numbers: digits out of written forms, libphonenumber's reading in
// the default regions, E.164 (identity.h's normalize_phone; identity_text.h's
// steps). Pure; PhoneNumberUtil is libphonenumber's singleton.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/utf8.h"
#include "identity/ascii_text.h"
#include "identity/calling_codes.h"
#include "identity/cn_mobile_prefixes.h"
#include "identity/identity.h"
#include "identity/identity_text.h"

namespace leakwatch::identity {

namespace {

using detail::reject;
using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// How many digits a country calling code (1 to 999) is written with.
std::size_t code_digits(int code) { return code < 10 ? 1 : code < 100 ? 2 : 3; }

}  // namespace

namespace detail {

tl::expected<std::string, Rejection> phone_digits(std::string_view nfkc_text) {
  std::string_view s = trim_ascii(nfkc_text);
  if (starts_with_icase(s, "tel:")) s.remove_prefix(4);
  std::string out;
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t length = static_cast<int32_t>(s.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(p, i, length, c);
    if (c < 0) return reject("invalid UTF-8");
    if (c >= '0' && c <= '9') {
      out.push_back(static_cast<char>(c));
    } else if (c == '+') {
      if (!out.empty()) return reject("'+' not at the start of the number");
      out.push_back('+');
    } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t' ||
               u_charType(c) == U_FORMAT_CHAR || u_charType(c) == U_SPACE_SEPARATOR ||
               u_charType(c) == U_DASH_PUNCTUATION) {
      continue;
    } else if (u_isdigit(c)) {
      out.push_back(static_cast<char>('0' + u_charDigitValue(c)));
    } else {
      return reject("phone number has a character that is not a digit or separator");
    }
  }
  size_t digits = out.size() - (!out.empty() && out.front() == '+' ? 1 : 0);
  if (digits == 0) return reject("no digits in phone number");
  if (digits > 17) return reject("too many digits for a phone number");
  return out;
}

}  // namespace detail

namespace {

// The digits as libphonenumber is given them: "00" read as "+".
std::string as_input(const std::string& digits) {
  if (digits.front() == '+') return digits;
  if (digits.size() > 2 && digits[0] == '0' && digits[1] == '0') return std::string("+").append(digits, 2);
  return digits;
}

// Fast path for Chinese mobiles, the bulk of every customer file and leak
// (only where CN is the region, or the number says +86): a prefix table
// derived from libphonenumber's own metadata answers without Parse's
// regexes (about 20 us a number otherwise). Nothing when the table cannot
// tell (or the input is no Chinese mobile): Parse decides.
std::optional<tl::expected<std::string, Rejection>> cn_mobile(const std::string& input,
                                                              const std::string& region) {
  const CnMobilePrefixes& cn_mobiles = CnMobilePrefixes::shared();
  std::string_view national = input;
  if (region == "CN" && national.size() == 11) {
    // as is
  } else if (national.starts_with("+86") && national.size() == 14) {
    national.remove_prefix(3);
  } else {
    national = {};
  }
  if (national.size() == 11 && national[0] == '1') {
    switch (cn_mobiles.lookup(national)) {
      case CnMobilePrefixes::Verdict::kValid:
        return "+86" + std::string(national);
      case CnMobilePrefixes::Verdict::kInvalid:
        return reject("not a valid phone number");
      case CnMobilePrefixes::Verdict::kAsk:
        break;
    }
  }
  return std::nullopt;
}

// Fast path for numbers given with their calling code ("+852 9123 4567"):
// where Parse would keep the digits after the code as they are
// (CallingCodes, from libphonenumber's metadata), the number is (code,
// those digits) and only IsValidNumber needs asking; such an input is its
// own E.164. A leading zero after the code (Italy), any doubt, and an
// invalid number (for Parse's own rejection reason) take Parse's path:
// nothing is returned for them.
std::optional<std::string> with_calling_code(const std::string& input) {
  if (input[0] != '+') return std::nullopt;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const CallingCodes& codes = CallingCodes::shared();
  const std::string_view after_plus = std::string_view(input).substr(1);
  if (const int code = codes.code_of(after_plus); code != 0) {
    const std::string_view nsn = after_plus.substr(code_digits(code));
    std::uint64_t value = 0;
    const auto [end, status] = std::from_chars(nsn.data(), nsn.data() + nsn.size(), value);
    if (status == std::errc() && end == nsn.data() + nsn.size() && nsn.size() >= 2 && nsn.size() <= 17 &&
        nsn[0] != '0' && !codes.may_strip(code, nsn)) {
      PhoneNumber number;
      number.set_country_code(code);
      number.set_national_number(value);
      if (input.size() <= 16 && util.IsValidNumber(number)) return input;  // E.164: 15 digits at most
    }
  }
  return std::nullopt;
}

// Parse is not always idempotent: it strips Mexico's old mobile '1' once per
// pass, so "+52 1133 8133 8421" formats as +5213381338421, which parses to
// +523381338421. A value we give must give itself when imported again (a
// customer file already in E.164), so settle on the fixed point. An input
// that was already this E.164 is one, and so is one whose national digits
// the country's national-prefix pattern cannot strip (every Chinese
// landline given as 010-..., libphonenumber's own metadata says so);
// otherwise one more Parse usually shows it.
tl::expected<std::string, Rejection> fixed_point(const std::string& input, const PhoneNumber& number,
                                                 std::string e164, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (e164 == input) return e164;
  const std::string_view e164_national =
      std::string_view(e164).substr(1 + code_digits(number.country_code()));
  if (!CallingCodes::shared().may_strip(number.country_code(), e164_national)) {
    return e164;
  }
  for (int round = 0; round < 4; ++round) {
    PhoneNumber again;
    if (util.Parse(e164, region, &again) != PhoneNumberUtil::NO_PARSING_ERROR) {
      return reject("not a valid phone number");
    }
    std::string next;
    util.Format(again, PhoneNumberUtil::E164, &next);
    if (next == e164) return e164;
    if (!util.IsValidNumber(again)) return reject("not a valid phone number");
    e164 = std::move(next);
  }
  return reject("phone number has no stable E.164 form");
}

// parse_phone_digits in one region: the two fast paths, else Parse.
tl::expected<std::string, Rejection> parse_in_region(const std::string& digits, const std::string& region) {
  const std::string input = as_input(digits);
  if (input.size() < 3) return reject("phone number too short");
  if (auto known = cn_mobile(input, region)) return *std::move(known);
  if (auto own = with_calling_code(input)) return *std::move(own);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  PhoneNumberUtil::ErrorType error = util.Parse(input, region, &number);
  if (error != PhoneNumberUtil::NO_PARSING_ERROR) {
    if (error == PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR) return reject("unknown country code or region");
    return reject("not a phone number");
  }
  if (!util.IsValidNumber(number)) return reject("not a valid phone number");
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  // E.164 allows 15 digits; libphonenumber accepts a few longer national
  // numbers (some German ones) that no customer file can hold as E.164.
  if (e164.size() > 16) return reject("more digits than E.164 allows");
  return fixed_point(input, number, std::move(e164), region);
}

}  // namespace

namespace detail {

tl::expected<std::string, Rejection> parse_phone_digits(const std::string& digits,
                                                        std::string_view default_region) {
  if (digits.empty()) return reject("no digits in phone number");
  // One region, the common case, without building a list.
  if (default_region.find_first_of(", ") == std::string_view::npos) {
    std::string region(default_region);
    for (char& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return parse_in_region(digits, region);
  }
  const std::vector<std::string> regions = split_regions(default_region);
  if (regions.empty()) return reject("no default region");
  // A number with its country code reads the same in every region.
  const bool international =
      digits.front() == '+' || (digits.size() > 2 && digits[0] == '0' && digits[1] == '0');
  auto first = parse_in_region(digits, regions.front());
  if (first || international) return first;
  for (std::size_t r = 1; r < regions.size(); ++r) {
    auto next = parse_in_region(digits, regions[r]);
    if (next) return next;
  }
  return first;
}

}  // namespace detail

std::vector<std::string> split_regions(std::string_view default_region) {
  std::vector<std::string> out;
  std::string current;
  for (char c : default_region) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

tl::expected<std::string, Rejection> normalize_phone(std::string_view text, std::string_view default_region) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 256) return reject("too long for a phone number");
  auto nfkc_text = detail::nfkc_utf8(text);
  if (!nfkc_text) return reject("cannot be normalized (NFKC)");
  auto digits = detail::phone_digits(*nfkc_text);
  if (!digits) return tl::unexpected(digits.error());
  return detail::parse_phone_digits(*digits, default_region);
}
}  // namespace leakwatch::identity
