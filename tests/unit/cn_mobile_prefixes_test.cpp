// The Chinese-mobile fast path must never disagree with libphonenumber.
#include <doctest/doctest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <cstdint>
#include <random>
#include <string>

#include "identity/cn_mobile_prefixes.h"

using leakwatch::identity::CnMobilePrefixes;

namespace {

bool libphonenumber_says_valid(const std::string& digits) {
  i18n::phonenumbers::PhoneNumber number;
  number.set_country_code(86);
  number.set_national_number(std::stoull(digits));
  return i18n::phonenumbers::PhoneNumberUtil::GetInstance()->IsValidNumber(number);
}

}  // namespace

TEST_CASE("cn mobile prefixes: every verdict agrees with libphonenumber") {
  const CnMobilePrefixes prefixes;
  std::mt19937_64 random(20170608);
  int valid = 0;
  int invalid = 0;
  int ask = 0;
  // Every 5-digit prefix 13000..19999, a few random tails each.
  for (std::uint64_t prefix = 13000; prefix <= 19999; ++prefix) {
    for (int k = 0; k < 6; ++k) {
      std::string digits = std::to_string(prefix * 1000000 + random() % 1000000);
      REQUIRE(digits.size() == 11);
      CAPTURE(digits);
      switch (prefixes.lookup(digits)) {
        case CnMobilePrefixes::Verdict::kValid:
          CHECK(libphonenumber_says_valid(digits));
          ++valid;
          break;
        case CnMobilePrefixes::Verdict::kInvalid:
          CHECK_FALSE(libphonenumber_says_valid(digits));
          ++invalid;
          break;
        case CnMobilePrefixes::Verdict::kAsk:
          ++ask;
          break;
      }
    }
  }
  MESSAGE("valid " << valid << ", invalid " << invalid << ", ask " << ask);
  CHECK(valid > 10000);   // most of 13x-19x is allocated
  CHECK(invalid > 1000);  // and some is not (e.g. 140, 154)
  CHECK(ask < (valid + invalid) / 100);
}

TEST_CASE("cn mobile prefixes: anything but 11 digits starting 1 is invalid") {
  const CnMobilePrefixes prefixes;
  CHECK(prefixes.lookup("1381234567") == CnMobilePrefixes::Verdict::kInvalid);
  CHECK(prefixes.lookup("138123456789") == CnMobilePrefixes::Verdict::kInvalid);
  CHECK(prefixes.lookup("23812345678") == CnMobilePrefixes::Verdict::kInvalid);
  CHECK(prefixes.lookup("12812345678") == CnMobilePrefixes::Verdict::kInvalid);
  CHECK(prefixes.lookup("13812345678") == CnMobilePrefixes::Verdict::kValid);
}
