// The phone screen may only ever say "not valid" where libphonenumber says so
// too: it runs before Parse in `scan`, so a wrong "no" would lose a number.
// Compared with Parse + IsValidNumber and with parse_phone_digits on digit
// strings made from every region's example numbers (national, with the
// calling code, with '+', '00' and the region's own IDD, with prefixes and
// digits changed) and on random digit strings.
#include <doctest/doctest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "identity/identity_text.h"
#include "identity/phone_screen.h"

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using leakwatch::identity::PhoneScreen;

namespace {

std::string digits_of(const std::string& text) {
  std::string out;
  for (char c : text) {
    if ((c >= '0' && c <= '9') || (c == '+' && out.empty())) out += c;
  }
  return out;
}

// Parse + IsValidNumber on the digits as parse_phone_digits gives them.
bool libphonenumber_valid(const std::string& digits, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string input = digits;
  if (input.size() > 2 && input.starts_with("00")) input = "+" + input.substr(2);
  PhoneNumber number;
  if (util.Parse(input, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return false;
  return util.IsValidNumber(number);
}

// Digit strings around `region`'s example numbers.
std::vector<std::string> forms_near_examples(const std::string& region, std::mt19937_64& random,
                                             int mutations) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const PhoneNumberUtil::PhoneNumberType types[] = {
      PhoneNumberUtil::FIXED_LINE,      PhoneNumberUtil::MOBILE,      PhoneNumberUtil::TOLL_FREE,
      PhoneNumberUtil::PREMIUM_RATE,    PhoneNumberUtil::SHARED_COST, PhoneNumberUtil::VOIP,
      PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER,       PhoneNumberUtil::UAN,
      PhoneNumberUtil::VOICEMAIL};
  const int code = util.GetCountryCodeForRegion(region);
  std::vector<std::string> bases;
  for (auto type : types) {
    PhoneNumber example;
    if (!util.GetExampleNumberForType(region, type, &example)) continue;
    std::string national;
    std::string nsn;
    std::string e164;
    util.Format(example, PhoneNumberUtil::NATIONAL, &national);
    util.GetNationalSignificantNumber(example, &nsn);
    util.Format(example, PhoneNumberUtil::E164, &e164);
    std::string dialled;
    util.FormatOutOfCountryCallingNumber(example, "US", &dialled);
    bases.push_back(digits_of(national));
    bases.push_back(nsn);
    bases.push_back(e164);
    bases.push_back(e164.substr(1));
    bases.push_back("00" + e164.substr(1));
    bases.push_back(digits_of(dialled));
    for (const char* prefix : {"0", "1", "8", "9", "01", "015", "90"}) bases.push_back(prefix + nsn);
    bases.push_back(std::to_string(code) + "0" + nsn);
  }
  std::vector<std::string> out = bases;
  for (int i = 0; i < mutations && !bases.empty(); ++i) {
    std::string s = bases[random() % bases.size()];
    const bool plus = s.starts_with('+');
    std::string body = plus ? s.substr(1) : s;
    if (body.empty()) continue;
    switch (random() % 5) {
      case 0:  // change one to three digits
        for (int k = 1 + static_cast<int>(random() % 3); k > 0; --k)
          body[random() % body.size()] = static_cast<char>('0' + random() % 10);
        break;
      case 1:  // one digit fewer
        body.erase(random() % body.size(), 1);
        break;
      case 2:  // one more
        body.insert(body.begin() + static_cast<long>(random() % (body.size() + 1)),
                    static_cast<char>('0' + random() % 10));
        break;
      case 3:  // a digit changed, then the last dropped
        body[random() % body.size()] = static_cast<char>('0' + random() % 10);
        body.pop_back();
        break;
      default:  // the first digits changed
        body[0] = static_cast<char>('0' + random() % 10);
        if (body.size() > 1) body[1] = static_cast<char>('0' + random() % 10);
    }
    if (body.empty()) continue;
    out.push_back(plus ? "+" + body : body);
  }
  return out;
}

std::string random_digits(std::mt19937_64& random) {
  const std::size_t length = 2 + random() % 16;
  std::string s;
  for (std::size_t k = 0; k < length; ++k) s += static_cast<char>('0' + random() % 10);
  if (random() % 8 == 0) s.insert(s.begin(), '+');
  return s;
}

struct Tally {
  int compared = 0;
  int valid = 0;
  int screened_out = 0;
  int wrong = 0;
};

void compare(const std::string& form, const std::string& region, Tally* tally) {
  const PhoneScreen& screen = PhoneScreen::shared();
  const PhoneScreen::Plan* plan = screen.region(region);
  REQUIRE(plan != nullptr);
  const bool maybe = screen.may_be_valid(form, *plan);
  const bool valid = libphonenumber_valid(form, region);
  const bool ours = leakwatch::identity::detail::parse_phone_digits(form, region).has_value();
  ++tally->compared;
  if (valid || ours) ++tally->valid;
  if (!maybe) ++tally->screened_out;
  if (!maybe && (valid || ours)) {
    ++tally->wrong;
    if (tally->wrong <= 20) FAIL_CHECK("screened out, yet valid: " << form << " in " << region);
  }
}

}  // namespace

TEST_CASE("phone screen: never screens out a number libphonenumber accepts, in the regions named in #16") {
  std::mt19937_64 random(16);
  for (const std::string region : {"US", "DE", "GB", "IN", "BR", "FR", "JP", "CN", "NZ", "TR", "AR",
                                   "MX", "IT", "RU", "KR", "AU", "CA", "ID", "HK", "AT", "CI", "UZ"}) {
    CAPTURE(region);
    Tally tally;
    for (const std::string& form : forms_near_examples(region, random, 3000)) compare(form, region, &tally);
    Tally noise;
    for (int i = 0; i < 3000; ++i) compare(random_digits(random), region, &noise);
    MESSAGE(region << ": near examples " << tally.compared << " compared, " << tally.valid << " valid, "
                   << tally.screened_out << " screened out; random " << noise.compared << ", " << noise.valid
                   << " valid, " << noise.screened_out << " screened out");
    CHECK(tally.wrong == 0);
    CHECK(noise.wrong == 0);
    // The screen does its work: most random digit strings are no number.
    // Not in Argentina: its national-prefix pattern may match nothing and
    // its transform rule rewrites what it matches, so the screen stands
    // back for most of its digit strings.
    if (region != "AR") CHECK(noise.screened_out > noise.compared / 2);
    CHECK(tally.valid > 0);
  }
}

TEST_CASE("phone screen: never screens out a number libphonenumber accepts, in every region") {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::set<std::string> regions;
  util.GetSupportedRegions(&regions);
  REQUIRE(regions.size() > 200);
  std::mt19937_64 random(1616);
  Tally tally;
  for (const std::string& region : regions) {
    CAPTURE(region);
    for (const std::string& form : forms_near_examples(region, random, 150)) compare(form, region, &tally);
    for (int i = 0; i < 50; ++i) compare(random_digits(random), region, &tally);
  }
  MESSAGE(tally.compared << " compared, " << tally.valid << " valid, " << tally.screened_out
                         << " screened out");
  CHECK(tally.wrong == 0);
  CHECK(tally.valid > 5000);
  CHECK(tally.screened_out > tally.compared / 3);
}

TEST_CASE("phone screen: what it answers for known shapes") {
  const PhoneScreen& screen = PhoneScreen::shared();
  const PhoneScreen::Plan& us = *screen.region("US");
  const PhoneScreen::Plan& cn = *screen.region("CN");
  // A Chinese mobile is no NANPA number: "1" + an area code that is none.
  CHECK_FALSE(screen.may_be_valid("13812345678", us));
  CHECK(screen.may_be_valid("13812345678", cn));
  CHECK(screen.may_be_valid("+8613812345678", us));
  // A US number in every written shape.
  for (const char* form : {"2015550123", "12015550123", "+12015550123", "0012015550123", "01112015550123"})
    CHECK(screen.may_be_valid(form, us));
  // Too long or too short for any reading.
  CHECK_FALSE(screen.may_be_valid("2015550123456789", us));
  CHECK_FALSE(screen.may_be_valid("20155", us));
  // A '+' before no known calling code: Parse reads it again, not modelled.
  CHECK(screen.may_be_valid("+999123456", us));
  CHECK(screen.region("XX") == nullptr);
}
