#include "identity/identity.h"

#include <libpsl.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>
#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uidna.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "core/checked_regex.h"
#include "core/utf8.h"
#include "identity/calling_codes.h"
#include "identity/cn_mobile_prefixes.h"
#include "identity/identity_text.h"

namespace leakwatch::identity {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

tl::unexpected<Rejection> reject(std::string reason) { return tl::unexpected(Rejection{std::move(reason)}); }

// How many digits a country calling code (1 to 999) is written with.
std::size_t code_digits(int code) { return code < 10 ? 1 : code < 100 ? 2 : 3; }

bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

// The de-obfuscation rewrites, compiled once. RE2 keeps them linear-time on
// hostile input. " at " and " dot " only apply to text that has no '@' yet:
// "me at home" inside a real address is not possible, but inside prose it is.
struct Deobfuscators {
  CheckedRegex<RE2> bracket_at{
      "bracketed at",
      R"((?i)\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>|&#0*64;|&#x0*40;|%40)\s*)"};
  CheckedRegex<RE2> bracket_dot{"bracketed dot",
                                R"((?i)\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*)"};
  CheckedRegex<RE2> spaced_at{"spaced at", R"((?i)\s+at\s+)"};
  CheckedRegex<RE2> spaced_dot{"spaced dot", R"((?i)\s+dot\s+)"};
};

const Deobfuscators& deobfuscators() {
  static const Deobfuscators d;
  return d;
}

const icu::Normalizer2& nfkc() {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = icu::Normalizer2::getNFKCInstance(status);
  // ICU's own data is linked in (ICU::data); failure here is a broken install.
  if (U_FAILURE(status) || n == nullptr) std::abort();
  return *n;
}

const std::array<std::string_view, 28> kFileExtensions = {
    "png", "jpg",  "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "css",   "js",  "mjs", "json",
    "xml", "html", "htm",  "php", "asp", "aspx", "jsp", "txt", "pdf", "woff", "woff2", "ttf", "eot", "avif"};

// Reserved or special-use names (RFC 2606, 6761, 6762, 7686, 9476): no
// mailbox an Apple ID could use lives under them.
// "arpa" holds infrastructure names (in-addr.arpa, ip6.arpa), no mailboxes.
const std::array<std::string_view, 10> kReservedTlds = {
    "test", "invalid", "example", "localhost", "local", "localdomain", "internal", "onion", "alt", "arpa"};

// Whether the top-level domain exists: the Public Suffix List's ICANN
// section as compiled into libpsl, without its "*" rule (which would make
// any label a suffix). "gmail.con" and "qq.cmo" are typos or lookalikes.
// Asked for every address found, and a dump has few distinct TLDs: answers
// are kept per thread in a small direct-mapped table keyed by the TLD's bytes
// (hostile text can invent any number of TLDs; they just evict each other).
bool known_tld(std::string_view tld) {
  auto ask = [](std::string_view t) {
    std::string name(t);
    return psl_is_public_suffix2(psl_builtin(), name.c_str(), PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE) != 0;
  };
  if (tld.size() > 8) return ask(tld);
  std::uint64_t key = 0;
  std::memcpy(&key, tld.data(), tld.size());
  struct Entry {
    std::uint64_t key = 0;  // 0: empty (a TLD is never empty)
    bool known = false;
  };
  thread_local std::array<Entry, 256> cache{};
  Entry& entry = cache[(key * 0x9E3779B97F4A7C15ULL) >> 56];
  if (entry.key != key) entry = {key, ask(tld)};
  return entry.known;
}

const std::array<std::string_view, 3> kExampleDomains = {"example.com", "example.org", "example.net"};

// RFC 5322 atext (the local part's characters besides '.'), as a table: it
// is asked for every byte of every address found.
constexpr std::array<bool, 256> kAtext = detail::alnum_and("!#$%&'*+-/=?^_`{|}~");

std::optional<Rejection> check_local(std::string_view local) {
  if (local.empty()) return Rejection{"empty local part"};
  if (local.size() > 64) return Rejection{"local part longer than 64 bytes"};
  if (local.front() == '.' || local.back() == '.') return Rejection{"local part starts or ends with a dot"};
  // One pass; the reasons keep their order (two dots before a bad character).
  bool double_dot = false;
  const char* bad = nullptr;
  char previous = 0;
  for (char c : local) {
    if (c == '.') {
      double_dot |= previous == '.';
    } else if (bad == nullptr && !kAtext[static_cast<unsigned char>(c)]) {
      bad = static_cast<unsigned char>(c) >= 0x80 ? "local part has non-ASCII characters"
                                                  : "local part has a character not allowed in an address";
    }
    previous = c;
  }
  if (double_dot) return Rejection{"local part has two dots in a row"};
  if (bad != nullptr) return Rejection{bad};
  return std::nullopt;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::optional<Rejection> check_domain(std::string_view domain) {
  if (domain.empty()) return Rejection{"empty domain"};
  if (domain.size() > 253) return Rejection{"domain longer than 253 bytes"};
  if (domain.front() == '[') return Rejection{"IP-literal domain"};
  size_t labels = 0;
  std::string_view tld;
  std::string_view rest = domain;
  bool all_numeric = true;
  while (true) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    if (label.empty()) return Rejection{"domain has an empty label"};
    if (label.size() > 63) return Rejection{"domain label longer than 63 bytes"};
    if (label.front() == '-' || label.back() == '-')
      return Rejection{"domain label starts or ends with a hyphen"};
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return Rejection{"domain has a character not allowed in a host name"};
      if (!(c >= '0' && c <= '9')) all_numeric = false;
    }
    ++labels;
    tld = label;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (all_numeric) return Rejection{"IP-address domain"};
  if (domain == "localhost" || ends_with(domain, ".localhost")) return Rejection{"localhost domain"};
  if (labels < 2) return Rejection{"domain has no top-level domain"};
  bool punycode_tld = tld.size() > 4 && tld.substr(0, 4) == "xn--";
  if (!punycode_tld) {
    if (tld.size() < 2) return Rejection{"top-level domain shorter than 2 letters"};
    for (char c : tld) {
      if (!(c >= 'a' && c <= 'z')) return Rejection{"top-level domain is not letters"};
    }
  }
  if (std::find(kReservedTlds.begin(), kReservedTlds.end(), tld) != kReservedTlds.end()) {
    return Rejection{"reserved top-level domain"};  // the list holds "onion": check this first
  }
  if (!known_tld(tld)) {
    // No file extension here is a TLD; the list only names the reason.
    if (std::find(kFileExtensions.begin(), kFileExtensions.end(), tld) != kFileExtensions.end()) {
      return Rejection{"top-level domain is a file extension"};
    }
    return Rejection{"top-level domain does not exist"};
  }
  for (std::string_view example : kExampleDomains) {
    if (domain == example ||
        (ends_with(domain, example) && domain[domain.size() - example.size() - 1] == '.')) {
      return Rejection{"reserved example domain"};
    }
  }
  return std::nullopt;
}

// UTS #46 (ICU's uidna, nontransitional, as browsers and registries do):
// the domain's ASCII form, lowercase, or why it has none.
tl::expected<std::string, Rejection> domain_to_ascii(std::string_view domain) {
  struct Closer {
    void operator()(UIDNA* p) const noexcept { uidna_close(p); }
  };
  thread_local std::unique_ptr<UIDNA, Closer> idna = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<UIDNA, Closer> p(uidna_openUTS46(
        UIDNA_NONTRANSITIONAL_TO_ASCII | UIDNA_CHECK_BIDI | UIDNA_CHECK_CONTEXTJ | UIDNA_USE_STD3_RULES,
        &status));
    if (U_FAILURE(status)) std::abort();  // ICU's own data is linked in
    return p;
  }();
  if (domain.size() > 1024) return reject("domain longer than 253 bytes");
  std::array<char, 1024> out{};
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  UErrorCode status = U_ZERO_ERROR;
  const int32_t length =
      uidna_nameToASCII_UTF8(idna.get(), domain.data(), static_cast<int32_t>(domain.size()), out.data(),
                             static_cast<int32_t>(out.size()), &info, &status);
  if (U_FAILURE(status) || info.errors != 0 || length <= 0) {
    return reject("domain is not a valid internationalized domain name");
  }
  return std::string(out.data(), static_cast<std::size_t>(length));
}

}  // namespace

namespace detail {

std::optional<std::string> nfkc_utf8(std::string_view text) {
  if (text.size() > (1u << 20) || !is_valid_utf8(text)) return std::nullopt;
  bool ascii =
      std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(text);  // NFKC is the identity on ASCII.
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = nfkc().normalize(u, status);
  if (U_FAILURE(status)) return std::nullopt;
  std::string out;
  normalized.toUTF8String(out);
  return out;
}

std::string deobfuscate_email(std::string_view nfkc_text) {
  std::string s(trim_ascii(nfkc_text));
  if (starts_with_icase(s, "mailto:")) s.erase(0, 7);
  const Deobfuscators& d = deobfuscators();
  RE2::GlobalReplace(&s, *d.bracket_at, "@");
  RE2::GlobalReplace(&s, *d.bracket_dot, ".");
  if (s.find('@') == std::string::npos) {
    // "name at qq dot com": only when the words leave exactly one "at".
    std::string candidate = s;
    if (RE2::GlobalReplace(&candidate, *d.spaced_at, "@") == 1) s = std::move(candidate);
  }
  if (s.find('@') != std::string::npos) RE2::GlobalReplace(&s, *d.spaced_dot, ".");
  return std::string(trim_ascii(s));
}

tl::expected<std::string, Rejection> validate_email(std::string_view deobfuscated) {
  // One pass: lowercase ASCII, find the '@'s, note whitespace or control
  // characters (this runs for every address found in a dump).
  std::string s(deobfuscated);
  bool ascii = true;
  bool blank = false;
  size_t at = std::string::npos;
  size_t ats = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char& c = s[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      ascii = false;
    } else if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    } else if (c == '@') {
      if (ats++ == 0) at = i;
    } else if (u <= 0x20 || u == 0x7f) {
      blank = true;  // ASCII whitespace is control characters and ' '
    }
  }
  if (!ascii) {
    // Non-ASCII letters lowercase by Unicode rules; the local-part check below
    // rejects them anyway, but a Unicode domain gets a chance to be reported
    // with the right reason. (Lowercasing moves no ASCII byte.)
    icu::UnicodeString u =
        icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
    u.toLower(icu::Locale::getRoot());
    s.clear();
    u.toUTF8String(s);
    at = s.find('@');
  }
  if (s.empty()) return reject("empty address");
  if (ats == 0) return reject("no '@' in address");
  if (ats > 1) return reject("more than one '@' in address");
  if (blank) return reject("address contains whitespace or control characters");
  std::string_view view(s);
  if (auto r = check_local(view.substr(0, at))) return tl::unexpected(*r);
  std::string_view domain = view.substr(at + 1);
  // An internationalized domain is kept in its ASCII (punycode) form, so
  // "jeff@臺網中心.tw" and "jeff@xn--fiqz9s.tw" are one address, one hash.
  std::string ascii_domain;
  if (!ascii || domain.find("xn--") != std::string_view::npos) {
    auto converted = domain_to_ascii(domain);
    if (!converted) return tl::unexpected(converted.error());
    ascii_domain = std::move(*converted);
    domain = ascii_domain;
  }
  if (auto r = check_domain(domain)) return tl::unexpected(*r);
  std::string address = std::string(view.substr(0, at + 1)).append(domain);
  // RFC 5321's limit on a forward path, less its angle brackets.
  if (address.size() > 254) return reject("address longer than 254 bytes");
  return address;
}

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

// parse_phone_digits in one region.
tl::expected<std::string, Rejection> parse_in_region(const std::string& digits, const std::string& region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::string input;
  if (digits.front() == '+') {
    input = digits;
  } else if (digits.size() > 2 && digits[0] == '0' && digits[1] == '0') {
    input = std::string("+").append(digits, 2);
  } else {
    input = digits;
  }
  if (input.size() < 3) return reject("phone number too short");
  // Fast path for Chinese mobiles, the bulk of every customer file and leak
  // (only where CN is the region, or the number says +86): a prefix table
  // derived from libphonenumber's own metadata answers without Parse's
  // regexes (about 20 us a number otherwise).
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
  // Fast path for numbers given with their calling code ("+852 9123 4567"):
  // where Parse would keep the digits after the code as they are
  // (CallingCodes, from libphonenumber's metadata), the number is (code,
  // those digits) and only IsValidNumber needs asking; such an input is its
  // own E.164. A leading zero after the code (Italy), any doubt, and an
  // invalid number (for Parse's own rejection reason) take Parse's path.
  if (input[0] == '+') {
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
  }
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
  // Parse is not always idempotent: it strips Mexico's old mobile '1' once per
  // pass, so "+52 1133 8133 8421" formats as +5213381338421, which parses to
  // +523381338421. A value we give must give itself when imported again (a
  // customer file already in E.164), so settle on the fixed point. An input
  // that was already this E.164 is one, and so is one whose national digits
  // the country's national-prefix pattern cannot strip (every Chinese
  // landline given as 010-..., libphonenumber's own metadata says so);
  // otherwise one more Parse usually shows it.
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

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::kEmail:
      return "email";
    case Kind::kPhone:
      return "phone";
    case Kind::kName:
      return "name";
  }
  return "unknown";
}

std::optional<Kind> parse_kind(std::string_view name) {
  if (name == "email") return Kind::kEmail;
  if (name == "phone") return Kind::kPhone;
  if (name == "name") return Kind::kName;
  return std::nullopt;
}

tl::expected<std::string, Rejection> normalize_email(std::string_view text) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 4096) return reject("too long for an address");
  auto nfkc_text = detail::nfkc_utf8(text);
  if (!nfkc_text) return reject("cannot be normalized (NFKC)");
  return detail::validate_email(detail::deobfuscate_email(*nfkc_text));
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

tl::expected<std::string, Rejection> normalize_name(std::string_view text) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 4096) return reject("name longer than 256 bytes");
  // Printable ASCII: NFKC is the identity and case folding is lowercasing.
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r'; })) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
      if (is_ascii_space(c)) {
        if (!out.empty() && out.back() != ' ') out.push_back(' ');
      } else {
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
      }
    }
    if (!out.empty() && out.back() == ' ') out.pop_back();
    if (out.empty()) return reject("empty name");
    if (out.size() > 256) return reject("name longer than 256 bytes");
    return out;
  }
  icu::UnicodeString u =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString folded = nfkc().normalize(u, status);
  if (U_FAILURE(status)) return reject("cannot be normalized (NFKC)");
  folded.foldCase(U_FOLD_CASE_DEFAULT);
  // Folding can un-normalize (e.g. U+0130); one more NFKC pass settles it.
  folded = nfkc().normalize(folded, status);
  if (U_FAILURE(status)) return reject("cannot be normalized (NFKC)");
  icu::UnicodeString collapsed;
  bool pending_space = false;
  for (int32_t i = 0; i < folded.length();) {
    UChar32 c = folded.char32At(i);
    i += U16_LENGTH(c);
    if (u_isUWhiteSpace(c)) {
      pending_space = !collapsed.isEmpty();
      continue;
    }
    if (u_charType(c) == U_CONTROL_CHAR || u_charType(c) == U_FORMAT_CHAR) continue;
    if (pending_space) collapsed.append(static_cast<UChar>(' '));
    pending_space = false;
    collapsed.append(c);
  }
  std::string out;
  collapsed.toUTF8String(out);
  if (out.empty()) return reject("empty name");
  if (out.size() > 256) return reject("name longer than 256 bytes");
  return out;
}

tl::expected<Identifier, Rejection> normalize_apple_id(std::string_view text,
                                                       std::string_view default_region) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 4096) return reject("too long for an Apple ID");
  auto nfkc_text = detail::nfkc_utf8(text);
  if (!nfkc_text) return reject("cannot be normalized (NFKC)");
  std::string deobfuscated = detail::deobfuscate_email(*nfkc_text);
  if (deobfuscated.find('@') != std::string::npos) {
    auto email = detail::validate_email(deobfuscated);
    if (!email) return tl::unexpected(email.error());
    return Identifier{Kind::kEmail, std::move(*email)};
  }
  auto digits = detail::phone_digits(*nfkc_text);
  if (!digits) return tl::unexpected(Rejection{"neither an email address nor a phone number"});
  auto phone = detail::parse_phone_digits(*digits, default_region);
  if (!phone) return tl::unexpected(phone.error());
  return Identifier{Kind::kPhone, std::move(*phone)};
}

}  // namespace leakwatch::identity
