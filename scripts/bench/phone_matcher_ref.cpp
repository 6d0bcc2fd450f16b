// phone_matcher_ref: libphonenumber's side of the multi-region corpus
// (scripts/gen_region_corpus.py, ctest `region_corpus`).
//
//   phone_matcher_ref examples REGION...
//     For each region and each number type libphonenumber has an example of,
//     up to three valid numbers of that type (the example, then neighbours
//     of it that are valid and of the same type), one line each:
//       REGION TAB TYPE TAB E164 TAB NATIONAL TAB INTERNATIONAL TAB RFC3966
//     (the four forms as libphonenumber formats them).
//   phone_matcher_ref match
//     Reads "REGION TAB TEXT" lines on stdin; prints for each the numbers
//     PhoneNumberMatcher finds in TEXT for REGION at VALID leniency, as E.164
//     separated by spaces (an empty line when none): the reference.
//
// Built by CMake (scripts/bench/CMakeLists.txt): build/scripts/bench/phone_matcher_ref.
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <iostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

const std::vector<std::pair<PhoneNumberUtil::PhoneNumberType, const char*>> kTypes = {
    {PhoneNumberUtil::FIXED_LINE, "FIXED_LINE"},
    {PhoneNumberUtil::MOBILE, "MOBILE"},
    {PhoneNumberUtil::TOLL_FREE, "TOLL_FREE"},
    {PhoneNumberUtil::PREMIUM_RATE, "PREMIUM_RATE"},
    {PhoneNumberUtil::SHARED_COST, "SHARED_COST"},
    {PhoneNumberUtil::VOIP, "VOIP"},
    {PhoneNumberUtil::PERSONAL_NUMBER, "PERSONAL_NUMBER"},
    {PhoneNumberUtil::PAGER, "PAGER"},
    {PhoneNumberUtil::UAN, "UAN"},
    {PhoneNumberUtil::VOICEMAIL, "VOICEMAIL"},
};

void print_number(const PhoneNumberUtil& util, const std::string& region, const char* type,
                  const PhoneNumber& number) {
  std::string e164, national, international, rfc3966;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  util.Format(number, PhoneNumberUtil::NATIONAL, &national);
  util.Format(number, PhoneNumberUtil::INTERNATIONAL, &international);
  util.Format(number, PhoneNumberUtil::RFC3966, &rfc3966);
  std::cout << region << '\t' << type << '\t' << e164 << '\t' << national << '\t' << international << '\t'
            << rfc3966 << '\n';
}

int examples(int argc, char** argv) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  for (int a = 2; a < argc; ++a) {
    const std::string region = argv[a];
    for (auto [type, name] : kTypes) {
      PhoneNumber example;
      if (!util.GetExampleNumberForType(region, type, &example)) continue;
      if (!util.IsValidNumber(example)) continue;
      const auto actual = util.GetNumberType(example);  // FIXED_LINE may say FIXED_LINE_OR_MOBILE
      if (actual != type && actual != PhoneNumberUtil::FIXED_LINE_OR_MOBILE) continue;
      if (actual != type) name = "FIXED_LINE_OR_MOBILE";
      print_number(util, region, name, example);
      // Neighbours: the example with its last digits changed, kept when
      // still valid and of the same type (a fixed step, so the corpus is
      // the same on every run).
      int kept = 1;
      for (std::uint64_t step = 1; step < 400 && kept < 3; step += 37) {
        PhoneNumber other = example;
        other.set_national_number(example.national_number() + step * 11);
        if (util.IsValidNumber(other) && util.GetNumberType(other) == actual) {
          print_number(util, region, name, other);
          ++kept;
        }
      }
    }
  }
  return 0;
}

int match() {
  std::ios::sync_with_stdio(false);
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string line;
  while (std::getline(std::cin, line)) {
    const auto tab = line.find('\t');
    const std::string region = tab == std::string::npos ? "ZZ" : line.substr(0, tab);
    const std::string text = tab == std::string::npos ? line : line.substr(tab + 1);
    PhoneNumberMatcher matcher(util, text, region, PhoneNumberMatcher::VALID, 65535);
    PhoneNumberMatch found;
    std::set<std::string> numbers;
    while (matcher.HasNext() && matcher.Next(&found)) {
      std::string e164;
      util.Format(found.number(), PhoneNumberUtil::E164, &e164);
      numbers.insert(e164);
    }
    bool first = true;
    for (const std::string& n : numbers) {
      std::cout << (first ? "" : " ") << n;
      first = false;
    }
    std::cout << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "examples") return examples(argc, argv);
  if (mode == "match") return match();
  std::cerr << "usage: phone_matcher_ref examples REGION... | phone_matcher_ref match < lines\n";
  return 2;
}
