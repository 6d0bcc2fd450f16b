// Phone numbers in every region: each numbered cause of issue 16, found and
// not found, read the way libphonenumber reads them for the default region.
#include <doctest/doctest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "extract/extractor.h"
#include "identity/identity.h"

using leakwatch::extract::Extractor;
using leakwatch::extract::ExtractorOptions;
using leakwatch::extract::FoundIdentifier;
using leakwatch::identity::Kind;

namespace {

const Extractor& extractor_for(const std::string& regions) {
  static std::map<std::string, std::unique_ptr<Extractor>> cache;
  auto& slot = cache[regions];
  if (!slot) {
    ExtractorOptions options;
    options.default_region = regions;
    slot = std::make_unique<Extractor>(options);
  }
  return *slot;
}

// The phone numbers found in `text` with `regions` as default_region.
std::vector<std::string> phones(const std::string& regions, const std::string& text) {
  std::vector<std::string> out;
  extractor_for(regions).scan(text, [&](const FoundIdentifier& f) {
    if (f.identifier.kind == Kind::kPhone) out.push_back(f.identifier.value);
  });
  return out;
}

using V = std::vector<std::string>;
const V kNone{};

}  // namespace

TEST_CASE("phones (cause 1): a bracketed area code followed by another separator is one number") {
  CHECK(phones("US", "(415) 666-7777") == V{"+14156667777"});
  CHECK(phones("US", "call (415)555-0132 now") == V{"+14155550132"});
  CHECK(phones("MX", "(449)978-0001") == V{"+524499780001"});
  CHECK(phones("CN", "(0571) 8765 4321") == V{"+8657187654321"});
  // Not found: the same shape holding no valid number.
  CHECK(phones("US", "(415) 066-7777") == kNone);
}

TEST_CASE("phones (cause 2): 11 digits starting 1[3-9] are a Chinese mobile only where CN is the region") {
  CHECK(phones("US", "1-650-333-6000") == V{"+16503336000"});
  CHECK(phones("US", "1 415 666 7777 x 123") == V{"+14156667777"});
  CHECK(phones("US", "13812345678") == kNone);
  CHECK(phones("CN", "13812345678") == V{"+8613812345678"});
  // With a +86 the number says where it is, whatever the region.
  CHECK(phones("US", "+86 138 1234 5678") == V{"+8613812345678"});
  CHECK(*leakwatch::identity::normalize_phone("1-650-333-6000", "US") == "+16503336000");
  CHECK_FALSE(leakwatch::identity::normalize_phone("13812345678", "US"));
  CHECK(*leakwatch::identity::normalize_phone("13812345678", "CN") == "+8613812345678");
}

TEST_CASE("phones (cause 3): a number is reported whole or not at all") {
  CHECK(phones("NZ", "+39 02-36618 300forme") == kNone);
  CHECK(phones("CN", "+39 02-36618 300forme") == kNone);
  CHECK(phones("NZ", "call+39 02-36618 300") == V{"+390236618300"});
  CHECK(phones("CN", "call +39 02-36618 300") == V{"+390236618300"});
}

TEST_CASE("phones (cause 4): a letter glued to '+' does not hide the number") {
  CHECK(phones("NZ", "at+64 3 331 6005") == V{"+6433316005"});
  CHECK(phones("US", "abc+14156667777") == V{"+14156667777"});
  CHECK(phones("CN", "abc+14156667777") == V{"+14156667777"});
  // A word glued after the number still hides it.
  CHECK(phones("US", "+14156667777abc") == kNone);
  CHECK(phones("CN", "+14156667777abc") == kNone);
}

TEST_CASE("phones (cause 5): extensions do not hide the number") {
  CHECK(phones("NZ", "03-3316005x3456") == V{"+6433316005"});
  CHECK(phones("GB", "+44 2034567890x456") == V{"+442034567890"});
  CHECK(phones("CN", "+44 2034567890x456") == V{"+442034567890"});
  CHECK(phones("CN", "138-1234-5678x12") == V{"+8613812345678"});
  CHECK(phones("CN", "138-1234-5678 ext. 12") == V{"+8613812345678"});
  CHECK(phones("CN", "138-1234-5678#12") == V{"+8613812345678"});
  CHECK(phones("CN", "010-6234 5678转8001") == V{"+861062345678"});
  CHECK(phones("US", "415-666-7777 ext. 45") == V{"+14156667777"});
  // A word that is no extension still glues.
  CHECK(phones("CN", "138-1234-5678xyz") == kNone);
}

TEST_CASE("phones (cause 6): dates, times, dotted and slashed groups, neighbours, numbers in a row") {
  // Date and time are not a phone.
  CHECK(phones("US", "20120102 08:00") == kNone);
  CHECK(phones("CN", "20120102 08:00") == kNone);
  // Two-digit dotted groups.
  CHECK(phones("TR", "532.123.45.67") == V{"+905321234567"});
  CHECK(phones("FR", "01.42.68.53.00") == V{"+33142685300"});
  // A slash between the area code and the number.
  CHECK(phones("US", "415/666-7777") == V{"+14156667777"});
  // Next to an unrelated number.
  CHECK(phones("US", "CA 34215 - 415-666-7777") == V{"+14156667777"});
  // Two numbers in a row are two.
  CHECK(phones("US", "415-666-7777 415-666-7778") == V{"+14156667777", "+14156667778"});
  CHECK(phones("US", "+1 415-666-7777, (650) 253-0000") == V{"+14156667777", "+16502530000"});
  // Not numbers: an IPv4 address and a version in a US text.
  CHECK(phones("US", "host 182.17.178.167 up, iOS 13.8.1234") == kNone);
}

TEST_CASE("phones: a list of regions is tried in order, the first valid reading settles a number") {
  // 604 is a Canadian area code: not a valid US number, so CA reads it.
  CHECK(phones("US,CA", "604-555-0100") == phones("CA", "604-555-0100"));
  CHECK(phones("US,CA", "415-666-7777") == V{"+14156667777"});
  // A German national number is not valid in the US; DE, second, reads it.
  CHECK(phones("US,DE", "030 12345678") == V{"+493012345678"});
  CHECK(phones("US", "030 12345678") == kNone);
  // CN first: its rules; the second region only where they find nothing.
  CHECK(phones("CN,US", "13812345678 and (415) 666-7777") == V{"+8613812345678", "+14156667777"});
  CHECK(*leakwatch::identity::normalize_phone("030 12345678", "US,DE") == "+493012345678");
  // identity parses (no grouping checks): valid in the first region wins.
  CHECK(*leakwatch::identity::normalize_phone("+1 650 253 0000", "de, us") == "+16502530000");
  CHECK(*leakwatch::identity::normalize_phone("604 555 0100", "us, ca") ==
        *leakwatch::identity::normalize_phone("604 555 0100", "CA"));
  CHECK(phones("DE,US", "(650) 253-0000") == V{"+16502530000"});
  CHECK(leakwatch::identity::split_regions(" us,ca ") == V{"US", "CA"});
}

TEST_CASE("phones: an unknown region in a list is refused") {
  ExtractorOptions options;
  options.default_region = "US,XX";
  CHECK_THROWS_AS(Extractor{options}, std::invalid_argument);
}

namespace {

// What libphonenumber's own PhoneNumberMatcher (VALID) finds in `text`, as
// the values the extractor gives (E.164, through identity's normalization).
std::vector<std::string> matcher_phones(const std::string& region, const std::string& text) {
  using i18n::phonenumbers::PhoneNumberMatch;
  using i18n::phonenumbers::PhoneNumberMatcher;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumberMatcher matcher(util, text, region, PhoneNumberMatcher::VALID, 65535);
  PhoneNumberMatch match;
  std::vector<std::string> out;
  while (matcher.HasNext() && matcher.Next(&match)) {
    std::string e164;
    util.Format(match.number(), PhoneNumberUtil::E164, &e164);
    auto value = leakwatch::identity::normalize_phone(e164, region);
    if (value) out.push_back(*value);
  }
  return out;
}

}  // namespace

TEST_CASE("phones: one run of digits between field separators reads as libphonenumber's matcher reads it") {
  // The extractor answers these shapes without running the matcher (a run
  // between bytes no candidate of the matcher crosses); every answer must
  // be the matcher's own, in regions that do and do not require their
  // national prefix, for valid and invalid numbers, whatever stands beside.
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const std::vector<std::string> regions = {"US", "GB", "DE", "FR", "IN", "BR",
                                            "JP", "IL", "MX", "AU", "RU", "IT"};
  const std::vector<std::string> lefts = {"",  "|", "=", "\"", "'", "@", "_", "ID", "a",   "x",  "%",   "$",
                                          " ", ",", ";", "\t", "-", "(", "#", "*",  "12|", "5 ", "tel:"};
  const std::vector<std::string> rights = {
      "",  "|", "=", "\"",  "@",      "_",    "a",    "x",      "%",    " ",      ",",      "\t", ";",
      "-", ")", "#", "x12", " ext 5", ", 12", ",,12", ";ext=4", " Tel", ", pass", "\tname", ",b", ":30"};
  int compared = 0;
  for (const std::string& region : regions) {
    std::vector<std::string> numbers;
    for (auto type : {PhoneNumberUtil::FIXED_LINE, PhoneNumberUtil::MOBILE, PhoneNumberUtil::TOLL_FREE}) {
      PhoneNumber example;
      if (!util.GetExampleNumberForType(region, type, &example)) continue;
      std::string e164, national, nsn;
      util.Format(example, PhoneNumberUtil::E164, &e164);
      util.Format(example, PhoneNumberUtil::NATIONAL, &national);
      util.GetNationalSignificantNumber(example, &nsn);
      std::string national_digits;
      for (char c : national)
        if (c >= '0' && c <= '9') national_digits.push_back(c);
      numbers.insert(numbers.end(), {e164, national_digits, nsn, e164 + "9", nsn.substr(1)});
    }
    for (const std::string& number : numbers) {
      for (const std::string& left : lefts) {
        for (const std::string& right : rights) {
          const std::string text = left + number + right;
          CAPTURE(region);
          CAPTURE(text);
          CHECK(phones(region, text) == matcher_phones(region, text));
          ++compared;
        }
      }
    }
  }
  CHECK(compared > 10000);
}
