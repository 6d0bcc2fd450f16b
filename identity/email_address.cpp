// Email addresses: de-obfuscation, lowercasing and validation (identity.h's
// normalize_email; identity_text.h's steps). Pure; the TLD answers are
// memoized per thread.
#include <libpsl.h>
#include <re2/re2.h>
#include <unicode/locid.h>
#include <unicode/uidna.h>
#include <unicode/unistr.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "core/checked_regex.h"
#include "core/utf8.h"
#include "identity/ascii_text.h"
#include "identity/identity.h"
#include "identity/identity_text.h"

namespace leakwatch::identity {

namespace {

using detail::reject;
using detail::starts_with_icase;
using detail::trim_ascii;

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

// The reasons email_if_valid tells apart (EmailSkip), by address: each is
// one object, returned wherever the reason applies.
constexpr char kLocalhostDomain[] = "localhost domain";
constexpr char kReservedTld[] = "reserved top-level domain";
constexpr char kExampleDomain[] = "reserved example domain";
constexpr char kFileExtensionTld[] = "top-level domain is a file extension";

const std::array<std::string_view, 3> kExampleDomains = {"example.com", "example.org", "example.net"};

// RFC 5322 atext (the local part's characters besides '.'), as a table: it
// is asked for every byte of every address found.
constexpr std::array<bool, 256> kAtext = detail::alnum_and("!#$%&'*+-/=?^_`{|}~");

// Why `local` is no local part, or nullptr. Static text: nothing allocates
// for a rejected candidate (scan rejects many and reads no reason).
const char* check_local(std::string_view local) {
  if (local.empty()) return "empty local part";
  if (local.size() > 64) return "local part longer than 64 bytes";
  if (local.front() == '.' || local.back() == '.') return "local part starts or ends with a dot";
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
  if (double_dot) return "local part has two dots in a row";
  return bad;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

const char* check_domain(std::string_view domain) {
  if (domain.empty()) return "empty domain";
  if (domain.size() > 253) return "domain longer than 253 bytes";
  if (domain.front() == '[') return "IP-literal domain";
  size_t labels = 0;
  std::string_view tld;
  std::string_view rest = domain;
  bool all_numeric = true;
  while (true) {
    size_t dot = rest.find('.');
    std::string_view label = rest.substr(0, dot);
    if (label.empty()) return "domain has an empty label";
    if (label.size() > 63) return "domain label longer than 63 bytes";
    if (label.front() == '-' || label.back() == '-') return "domain label starts or ends with a hyphen";
    for (char c : label) {
      bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return "domain has a character not allowed in a host name";
      if (!(c >= '0' && c <= '9')) all_numeric = false;
    }
    ++labels;
    tld = label;
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (all_numeric) return "IP-address domain";
  if (domain == "localhost" || ends_with(domain, ".localhost")) return kLocalhostDomain;
  if (labels < 2) return "domain has no top-level domain";
  bool punycode_tld = tld.size() > 4 && tld.substr(0, 4) == "xn--";
  if (!punycode_tld) {
    if (tld.size() < 2) return "top-level domain shorter than 2 letters";
    for (char c : tld) {
      if (!(c >= 'a' && c <= 'z')) return "top-level domain is not letters";
    }
  }
  if (std::find(kReservedTlds.begin(), kReservedTlds.end(), tld) != kReservedTlds.end()) {
    return kReservedTld;  // the list holds "onion": check this first
  }
  if (!known_tld(tld)) {
    // No file extension here is a TLD; the list only names the reason.
    if (std::find(kFileExtensions.begin(), kFileExtensions.end(), tld) != kFileExtensions.end()) {
      return kFileExtensionTld;
    }
    return "top-level domain does not exist";
  }
  for (std::string_view example : kExampleDomains) {
    if (domain == example ||
        (ends_with(domain, example) && domain[domain.size() - example.size() - 1] == '.')) {
      return kExampleDomain;
    }
  }
  return nullptr;
}

// UTS #46 (ICU's uidna, nontransitional, as browsers and registries do):
// the domain's ASCII form, lowercase, in `*out`; or why it has none.
const char* domain_to_ascii(std::string_view domain, std::string* out) {
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
  if (domain.size() > 1024) return "domain longer than 253 bytes";
  std::array<char, 1024> ascii{};
  UIDNAInfo info = UIDNA_INFO_INITIALIZER;
  UErrorCode status = U_ZERO_ERROR;
  const int32_t length =
      uidna_nameToASCII_UTF8(idna.get(), domain.data(), static_cast<int32_t>(domain.size()), ascii.data(),
                             static_cast<int32_t>(ascii.size()), &info, &status);
  if (U_FAILURE(status) || info.errors != 0 || length <= 0) {
    return "domain is not a valid internationalized domain name";
  }
  out->assign(ascii.data(), static_cast<std::size_t>(length));
  return nullptr;
}

// validate_email's work: the address in `*s` (given the de-obfuscated text,
// left lowercased and its domain in ASCII form), or why it is none (static
// text: a rejected candidate costs no allocation for its reason).
const char* email_rejection(std::string_view deobfuscated, std::string* out) {
  // One pass: lowercase ASCII, find the '@'s, note whitespace or control
  // characters (this runs for every address found in a dump).
  if (deobfuscated.empty()) return "empty address";
  bool ascii = true;
  bool blank = false;
  size_t at = std::string::npos;
  size_t ats = 0;
  for (size_t i = 0; i < deobfuscated.size(); ++i) {
    const char c = deobfuscated[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      ascii = false;
    } else if (c == '@') {
      if (ats++ == 0) at = i;
    } else if (u <= 0x20 || u == 0x7f) {
      blank = true;  // ASCII whitespace is control characters and ' '
    }
  }
  if (ats == 0) return "no '@' in address";
  if (ats > 1) return "more than one '@' in address";
  if (blank) return "address contains whitespace or control characters";
  std::string& s = *out;
  if (ascii) {
    // ASCII lowercasing changes no verdict of check_local: an ASCII local
    // part is checked before anything is copied.
    if (const char* r = check_local(deobfuscated.substr(0, at))) return r;
    s.assign(deobfuscated);
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  } else {
    // Non-ASCII letters lowercase by Unicode rules (some to ASCII, some to
    // more bytes), then the local part is checked; a Unicode domain gets a
    // chance to be reported with the right reason.
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(
        icu::StringPiece(deobfuscated.data(), static_cast<int32_t>(deobfuscated.size())));
    u.toLower(icu::Locale::getRoot());
    s.clear();
    u.toUTF8String(s);
    at = s.find('@');
    if (const char* r = check_local(std::string_view(s).substr(0, at))) return r;
  }
  std::string_view view(s);
  std::string_view domain = view.substr(at + 1);
  // An internationalized domain is kept in its ASCII (punycode) form, so
  // "jeff@臺網中心.tw" and "jeff@xn--fiqz9s.tw" are one address, one hash.
  std::string ascii_domain;
  if (!ascii || domain.find("xn--") != std::string_view::npos) {
    if (const char* r = domain_to_ascii(domain, &ascii_domain)) return r;
    domain = ascii_domain;
  }
  if (const char* r = check_domain(domain)) return r;
  // RFC 5321's limit on a forward path, less its angle brackets.
  if (at + 1 + domain.size() > 254) return "address longer than 254 bytes";
  // An ASCII domain is s's own tail: s is the address (no second copy).
  if (!ascii_domain.empty()) s.resize(at + 1), s.append(ascii_domain);
  return nullptr;
}

}  // namespace

namespace detail {

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
  std::string address;
  if (const char* reason = email_rejection(deobfuscated, &address)) return reject(reason);
  return address;
}

std::optional<std::string> email_if_valid(std::string_view deobfuscated, EmailSkip* skip) {
  std::string address;
  if (const char* reason = email_rejection(deobfuscated, &address)) {
    if (skip != nullptr) {
      *skip = reason == kLocalhostDomain || reason == kReservedTld || reason == kExampleDomain
                  ? EmailSkip::kReservedDomain
              : reason == kFileExtensionTld ? EmailSkip::kFileName
                                            : EmailSkip::kOther;
    }
    return std::nullopt;
  }
  if (skip != nullptr) *skip = EmailSkip::kNone;
  return address;
}
}  // namespace detail

tl::expected<std::string, Rejection> normalize_email(std::string_view text) {
  if (!is_valid_utf8(text)) return reject("invalid UTF-8");
  if (text.size() > 4096) return reject("too long for an address");
  auto nfkc_text = detail::nfkc_utf8(text);
  if (!nfkc_text) return reject("cannot be normalized (NFKC)");
  return detail::validate_email(detail::deobfuscate_email(*nfkc_text));
}
}  // namespace leakwatch::identity
