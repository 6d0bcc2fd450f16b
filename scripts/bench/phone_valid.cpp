// phone_valid: libphonenumber oracle for scripts/gen_leak_corpus.py.
//
// Reads one number per line on stdin, optionally prefixed by a default region
// and a TAB ("CN\t138 1234 5678"; region "ZZ" means the number must carry a
// '+'). Prints one line per input line:
//   valid<TAB>+E164<TAB>TYPE<TAB>INTERNATIONAL<TAB>NATIONAL
//     (TYPE: MOBILE, FIXED_LINE, FIXED_LINE_OR_MOBILE, ...; the two formats are
//      libphonenumber's own groupings, e.g. "+44 7911 123456" and "07911 123456")
//   invalid<TAB><reason>
// Default region when none is given: CN.
//
// Built by CMake (scripts/bench/CMakeLists.txt): build/scripts/bench/phone_valid.
#include <phonenumbers/phonenumberutil.h>
#include <iostream>
#include <string>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

static const char* type_name(PhoneNumberUtil::PhoneNumberType t) {
  switch (t) {
    case PhoneNumberUtil::FIXED_LINE:
      return "FIXED_LINE";
    case PhoneNumberUtil::MOBILE:
      return "MOBILE";
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE:
      return "FIXED_LINE_OR_MOBILE";
    case PhoneNumberUtil::TOLL_FREE:
      return "TOLL_FREE";
    case PhoneNumberUtil::PREMIUM_RATE:
      return "PREMIUM_RATE";
    case PhoneNumberUtil::SHARED_COST:
      return "SHARED_COST";
    case PhoneNumberUtil::VOIP:
      return "VOIP";
    case PhoneNumberUtil::PERSONAL_NUMBER:
      return "PERSONAL_NUMBER";
    case PhoneNumberUtil::PAGER:
      return "PAGER";
    case PhoneNumberUtil::UAN:
      return "UAN";
    case PhoneNumberUtil::VOICEMAIL:
      return "VOICEMAIL";
    default:
      return "UNKNOWN";
  }
}

int main() {
  std::ios::sync_with_stdio(false);
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  std::string line;
  while (std::getline(std::cin, line)) {
    std::string region = "CN";
    std::string num = line;
    auto tab = line.find('\t');
    if (tab != std::string::npos) {
      region = line.substr(0, tab);
      num = line.substr(tab + 1);
    }
    PhoneNumber pn;
    auto err = util->Parse(num, region, &pn);
    if (err != PhoneNumberUtil::NO_PARSING_ERROR) {
      std::cout << "invalid\tparse_error\n";
      continue;
    }
    if (!util->IsValidNumber(pn)) {
      std::cout << "invalid\tnot_valid\n";
      continue;
    }
    std::string e164, intl, national;
    util->Format(pn, PhoneNumberUtil::E164, &e164);
    util->Format(pn, PhoneNumberUtil::INTERNATIONAL, &intl);
    util->Format(pn, PhoneNumberUtil::NATIONAL, &national);
    std::cout << "valid\t" << e164 << '\t' << type_name(util->GetNumberType(pn)) << '\t' << intl << '\t'
              << national << '\n';
  }
  return 0;
}
