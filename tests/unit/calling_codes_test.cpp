// The fixed-point shortcut in parse_phone_digits must never change an answer:
// an E.164 is returned without a second Parse only where libphonenumber's
// national-prefix pattern cannot strip anything from it.
#include <doctest/doctest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <optional>
#include <random>
#include <set>
#include <string>

#include "identity/calling_codes.h"
#include "identity/identity_text.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using leakwatch::identity::CallingCodes;

namespace {

// What parse_phone_digits computed before the shortcut: Parse, validate,
// Format, and Parse the E.164 again until it gives itself.
std::optional<std::string> fixed_point(const std::string& digits, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(digits, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
  if (!util.IsValidNumber(number)) return std::nullopt;
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  if (e164.size() > 16) return std::nullopt;  // our rule: E.164 holds 15 digits at most
  for (int round = 0; round < 5; ++round) {
    PhoneNumber again;
    if (util.Parse(e164, region, &again) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
    std::string next;
    util.Format(again, PhoneNumberUtil::E164, &next);
    if (next == e164) return e164;
    if (!util.IsValidNumber(again)) return std::nullopt;
    e164 = next;
  }
  return std::nullopt;
}

std::string digits_of(const std::string& text) {
  std::string out;
  for (char c : text) {
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) out += c;
  }
  return out;
}

}  // namespace

TEST_CASE("calling codes: what libphonenumber's metadata lets Parse strip from an E.164") {
  const CallingCodes& table = CallingCodes::shared();
  // China: the trunk '0' and the carrier codes 1[12]xx, 179xx.
  CHECK_FALSE(table.may_strip(86, "1012345678"));  // Beijing landline
  CHECK_FALSE(table.may_strip(86, "2112345678"));  // Shanghai landline
  CHECK(table.may_strip(86, "01012345678"));
  CHECK(table.may_strip(86, "17951012345678"));
  // Mexico's old mobile '1' is stripped on every pass.
  CHECK(table.may_strip(52, "13381338421"));
  CHECK_FALSE(table.may_strip(52, "3381338421"));
  // Hong Kong has no national prefix; the UK's is '0'; NANP's is '1'.
  CHECK_FALSE(table.may_strip(852, "91234567"));
  CHECK_FALSE(table.may_strip(44, "7911123456"));
  CHECK(table.may_strip(44, "07911123456"));
  CHECK_FALSE(table.may_strip(1, "4155552671"));
  CHECK(table.may_strip(1, "14155552671"));
  // A calling code no region uses, or none at all: parse again to be sure.
  CHECK(table.may_strip(999, "12345678"));
  CHECK(table.may_strip(0, "12345678"));
  CHECK(table.may_strip(1000, "12345678"));
}

TEST_CASE("calling codes: the code a '+' number starts with, as Parse reads it") {
  const CallingCodes& table = CallingCodes::shared();
  CHECK(table.code_of("14155552671") == 1);
  CHECK(table.code_of("861012345678") == 86);
  CHECK(table.code_of("85291234567") == 852);
  CHECK(table.code_of("4407911123456") == 44);
  CHECK(table.code_of("80012345678") == 800);  // international freephone ("001")
  CHECK(table.code_of("0861012345678") == 0);
  CHECK(table.code_of("999123") == 0);  // unassigned
  CHECK(table.code_of("") == 0);
}

TEST_CASE("calling codes: '+' numbers, valid or not, normalize as Parse and the fixed-point loop say") {
  const char* codes[] = {"1",   "7",   "20",  "27",  "33",  "39",  "44", "49",  "52",  "54",  "55",  "61",
                         "62",  "81",  "82",  "84",  "86",  "91",  "98", "234", "351", "380", "800", "852",
                         "853", "870", "886", "971", "979", "999", "0",  "",    "3",   "42"};
  std::mt19937_64 random(20260601);
  int valid = 0;
  const int samples = 40000;
  for (int i = 0; i < samples; ++i) {
    std::string form = "+";
    form += codes[random() % std::size(codes)];
    const int length = 4 + static_cast<int>(random() % 11);
    for (int k = 0; k < length; ++k) {
      // Leading 0s and 1s (trunk prefixes, Mexico's '1') more often than chance.
      const int digit =
          (k == 0 && random() % 3 == 0) ? static_cast<int>(random() % 2) : static_cast<int>(random() % 10);
      form += static_cast<char>('0' + digit);
    }
    CAPTURE(form);
    auto got = leakwatch::identity::detail::parse_phone_digits(form, "CN");
    auto want = fixed_point(form, "CN");
    REQUIRE(got.has_value() == want.has_value());
    if (got) {
      CHECK(*got == *want);
      ++valid;
    }
  }
  MESSAGE(valid << " of " << samples << " random '+' numbers valid");
  CHECK(valid > samples / 20);
}

TEST_CASE(
    "calling codes: every region's example numbers, in national and international form, "
    "normalize as the full fixed-point loop does") {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::set<std::string> regions;
  util.GetSupportedRegions(&regions);
  REQUIRE(regions.size() > 200);
  const PhoneNumberUtil::PhoneNumberType types[] = {
      PhoneNumberUtil::FIXED_LINE,      PhoneNumberUtil::MOBILE,      PhoneNumberUtil::TOLL_FREE,
      PhoneNumberUtil::PREMIUM_RATE,    PhoneNumberUtil::SHARED_COST, PhoneNumberUtil::VOIP,
      PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER,       PhoneNumberUtil::UAN,
      PhoneNumberUtil::VOICEMAIL};
  int compared = 0;
  int valid = 0;
  for (const std::string& region : regions) {
    for (auto type : types) {
      PhoneNumber example;
      if (!util.GetExampleNumberForType(region, type, &example)) continue;
      std::string national;
      std::string international;
      util.Format(example, PhoneNumberUtil::NATIONAL, &national);
      util.Format(example, PhoneNumberUtil::INTERNATIONAL, &international);
      for (const std::string& form : {digits_of(national), digits_of(international)}) {
        // parse_phone_digits reads these two shapes its own way (00 as '+';
        // eleven digits 1[3-9] as a Chinese mobile): not this test's subject.
        if (form.size() < 3 || form.starts_with("00") ||
            (form.size() == 11 && form[0] == '1' && form[1] >= '3' && form[1] <= '9')) {
          continue;
        }
        CAPTURE(region);
        CAPTURE(form);
        auto got = leakwatch::identity::detail::parse_phone_digits(form, region);
        auto want = fixed_point(form, region);
        CHECK(got.has_value() == want.has_value());
        if (got && want) CHECK(*got == *want);
        ++compared;
        if (want) ++valid;
      }
    }
  }
  // And inputs whose first E.164 is not yet the fixed point, or is one only
  // because the pattern cannot strip it.
  const std::pair<const char*, const char*> tricky[] = {
      {"+52113381338421", "MX"},  // Mexico's old mobile '1', twice: two passes
      {"+5213381338421", "MX"},  {"0443381338421", "MX"},  {"+4407911123456", "GB"},  {"07911123456", "GB"},
      {"01012345678", "CN"},     {"02112345678", "CN"},    {"179510101234567", "CN"}, {"+861012345678", "CN"},
      {"+114155552671", "US"},   {"0111234567", "AR"},     {"91112345678", "AR"},     {"011512345678", "AR"},
      {"0211234567", "BR"},      {"01521912345678", "BR"}, {"0612345678", "IT"}};
  for (const auto& [text, region] : tricky) {
    const std::string form = text;
    CAPTURE(form);
    auto got = leakwatch::identity::detail::parse_phone_digits(form, region);
    auto want = fixed_point(form, region);
    CHECK(got.has_value() == want.has_value());
    if (got && want) CHECK(*got == *want);
  }
  MESSAGE(compared << " example numbers compared, " << valid << " valid");
  CHECK(compared > 2000);
  CHECK(valid > 1800);
}
