#include "extract/email_candidates.h"

#include <array>

#include "identity/identity_text.h"

namespace leakwatch::extract {

namespace {

constexpr std::size_t kMaxLocal = 64;
constexpr std::size_t kMaxDomain = 253;
// Enough for an obfuscated domain: " [dot] " costs 7 bytes per label.
constexpr std::size_t kMaxObfuscatedTail = 512;

#define LW_LABEL "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
// An internationalized label as written ("臺網中心"); identity turns it into
// its punycode form (UTS #46) or refuses it.
// No counted repetition of a Unicode class: RE2 would copy the class's
// UTF-8 automaton 61 times, outgrow its DFA budget and fall back to the slow
// NFA on every '@'; lengths are checked by identity (63 per label, UTS #46).
#define LW_IDN_LABEL "[\\p{L}\\p{N}][\\p{L}\\p{M}\\p{N}-]*"
#define LW_DOT_WORD R"((?:\s*[\[\(\{<]\s*(?i:dot)\s*[\]\)\}>]\s*|\s+(?i:dot)\s+))"
// A TLD: an A-label ("xn--p1ai", .рф; before letters, which would stop at
// "xn"), letters, or (IDN pattern) Unicode letters only when no ASCII TLD
// fits (RE2 is leftmost-first: "qq.com的" ends at "com"). Never digits: in
// "a@qq.com----15.5.8196" the domain is qq.com. The ASCII pattern is the hot
// path; the IDN one is asked only where non-ASCII text meets the domain.
constexpr const char kDomainPattern[] = "(?:" LW_LABEL "\\.)+(?:(?i:xn--)[A-Za-z0-9-]{1,59}|[A-Za-z]{2,63})";
constexpr const char kIdnDomainPattern[] =
    "(?:(?:" LW_LABEL "|" LW_IDN_LABEL
    ")\\.)+"
    "(?:(?i:xn--)[A-Za-z0-9-]{1,59}|[A-Za-z]{2,63}|[\\p{L}\\p{M}][\\p{L}\\p{M}]+)";
constexpr const char kBracketedPattern[] =
    R"(\s*(?:[\[\(\{<]\s*(?i:at)\s*[\]\)\}>]|&#0*64;|&#[xX]0*40;|%40)\s*)"
    "(?:" LW_LABEL "(?:" LW_DOT_WORD "|\\.))+[A-Za-z]{2,63}";
// " at " is ordinary English: only taken with an obfuscated dot as well.
constexpr const char kSpelledPattern[] = R"(\s+(?i:at)\s+)"
                                         "(?:" LW_LABEL LW_DOT_WORD ")+[A-Za-z]{2,63}";
#undef LW_LABEL
#undef LW_IDN_LABEL
#undef LW_DOT_WORD

// [A-Za-z0-9._%+-]: what a local part found in a dump is made of.
constexpr std::array<bool, 256> kLocalChar = identity::detail::alnum_and("._%+-");

bool is_local_char(char c) { return kLocalChar[static_cast<unsigned char>(c)]; }

bool is_domain_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// The local part ending at `end` (exclusive): [begin, end), or nullopt when
// there is none or it is too long to be one (a glued blob).
std::optional<std::size_t> local_begin(std::string_view text, std::size_t end) {
  // "account----name@qq.com": dumps separate fields with dash runs, which
  // no real address holds; the local part starts after the last "--" (the
  // first one met walking back). The whole run still counts for the length.
  std::size_t b = end;
  std::size_t after_dashes = 0;  // 0: no "--" seen
  while (b > 0 && is_local_char(text[b - 1])) {
    --b;
    if (end - b > kMaxLocal) return std::nullopt;
    if (after_dashes == 0 && text[b] == '-' && b + 1 < end && text[b + 1] == '-') after_dashes = b + 2;
  }
  if (after_dashes != 0) b = after_dashes;
  while (b < end && (text[b] == '.' || text[b] == '-')) ++b;  // a sentence's dot is not the address's
  if (b == end) return std::nullopt;
  return b;
}

// "http://user:pass@host.com", "ftp://root@files.qq.com": the '@' ends the
// user information of a URL's authority, and what precedes it is a login
// and a password, not a mailbox. True when the local part starting at
// `begin` is (the password after) the user of "scheme://".
bool in_url_authority(std::string_view text, std::size_t begin) {
  std::size_t k = begin;
  if (k > 0 && text[k - 1] == ':') --k;  // the password's colon
  while (k > 0 && k + 64 > begin && text[k - 1] != '/' && text[k - 1] != '@' && text[k - 1] != ' ' &&
         text[k - 1] != '\t') {
    --k;
  }
  return k >= 3 && text.substr(k - 3, 3) == "://";
}

// `"test"test@iana.org`: a local part glued to the closing quote of a quoted
// string is the tail of a quoted local part, not an address of its own. An
// opening quote (after '=', ':', a space, ...) is a delimiter as usual.
bool after_closing_quote(std::string_view text, std::size_t begin) {
  if (begin < 2 || text[begin - 1] != '"') return false;
  return is_local_char(text[begin - 2]);
}

// After a domain: a letter, digit or '@' means the text runs on and this is
// not a whole address; a '.' followed by a letter likewise.
bool right_boundary_ok(std::string_view text, std::size_t end) {
  if (end >= text.size()) return true;
  char c = text[end];
  if ((is_domain_char(c) && c != '-') || c == '@') return false;
  if (c == '.' && end + 1 < text.size() && is_domain_char(text[end + 1])) return false;
  return true;
}

// email_if_valid, noting in `*skip` (when given) a deliberate refusal.
std::optional<std::string> valid_address(std::string_view candidate, identity::detail::EmailSkip* skip) {
  if (skip == nullptr) return identity::detail::email_if_valid(candidate);
  identity::detail::EmailSkip why = identity::detail::EmailSkip::kNone;
  auto email = identity::detail::email_if_valid(candidate, &why);
  if (!email && why != identity::detail::EmailSkip::kOther) *skip = why;
  return email;
}

}  // namespace

EmailCandidates::EmailCandidates()
    : domain_(kDomainPattern, "email domain"),
      idn_domain_(kIdnDomainPattern, "email IDN domain"),
      bracketed_(kBracketedPattern, "email bracketed"),
      spelled_(kSpelledPattern, "email spelled") {}

std::optional<EmailHit> EmailCandidates::at_sign(std::string_view text, std::size_t at,
                                                 identity::detail::EmailSkip* skip) const {
  auto begin = local_begin(text, at);
  if (!begin || in_url_authority(text, *begin) || after_closing_quote(text, *begin)) return std::nullopt;
  // "a%40b@qq.com": normalize_email reads %40 as a second '@' and rejects the
  // address; so must we, or the value could never match an import. (The
  // domain patterns hold neither '%' nor '&'.)
  const std::string_view local = text.substr(*begin, at - *begin);
  if (local.find("%40") != std::string_view::npos || local.find("&#") != std::string_view::npos) {
    return std::nullopt;
  }
  const std::size_t limit = std::min(text.size(), at + 1 + kMaxDomain + 1);
  auto match_end = [&](const RE2& re) -> std::optional<std::size_t> {
    re2::StringPiece match;
    if (!re.Match(re2::StringPiece(text.data(), limit), at + 1, limit, RE2::ANCHOR_START, &match, 1)) {
      return std::nullopt;
    }
    return static_cast<std::size_t>(match.data() - text.data()) + match.size();
  };
  auto non_ascii = [&](std::size_t i) {
    return i < text.size() && static_cast<unsigned char>(text[i]) >= 0x80;
  };
  std::optional<std::size_t> end = match_end(domain_.get());
  // An internationalized domain: non-ASCII right after the '@' or where the
  // ASCII reading stops ("jeff@臺網中心.tw", "a@пример.рф", "a@b.中国").
  if (!end || non_ascii(*end) || (*end < text.size() && text[*end] == '.' && non_ascii(*end + 1))) {
    if (non_ascii(at + 1) || end) {
      auto idn_end = match_end(idn_domain_.get());
      if (idn_end && idn_end != end && right_boundary_ok(text, *idn_end)) {
        auto email = valid_address(text.substr(*begin, *idn_end - *begin), skip);
        if (email) return EmailHit{*begin, *idn_end, std::move(*email)};
      }
    }
  }
  if (!end || !right_boundary_ok(text, *end)) return std::nullopt;
  std::string_view candidate = text.substr(*begin, *end - *begin);
  auto email = valid_address(candidate, skip);
  if (!email) return std::nullopt;
  return EmailHit{*begin, *end, std::move(*email)};
}

std::optional<EmailHit> EmailCandidates::obfuscated(std::string_view text, std::size_t pos,
                                                    identity::detail::EmailSkip* skip) const {
  const RE2* re = &bracketed_.get();
  std::size_t local_end = pos;
  if (text[pos] == 'a' || text[pos] == 'A') {
    // " at ": the caller saw a space before; the local part ends before it.
    re = &spelled_.get();
    while (local_end > 0 && is_space(text[local_end - 1])) --local_end;
  } else {
    while (local_end > 0 && is_space(text[local_end - 1])) --local_end;
  }
  if (local_end == 0 || !is_local_char(text[local_end - 1])) return std::nullopt;
  auto begin = local_begin(text, local_end);
  if (!begin) return std::nullopt;
  std::size_t limit = std::min(text.size(), local_end + kMaxObfuscatedTail);
  re2::StringPiece match;
  if (!re->Match(re2::StringPiece(text.data(), limit), local_end, limit, RE2::ANCHOR_START, &match, 1)) {
    return std::nullopt;
  }
  std::size_t end = static_cast<std::size_t>(match.data() - text.data()) + match.size();
  if (!right_boundary_ok(text, end)) return std::nullopt;
  std::string deobfuscated = identity::detail::deobfuscate_email(text.substr(*begin, end - *begin));
  auto email = valid_address(deobfuscated, skip);
  if (!email) return std::nullopt;
  return EmailHit{*begin, end, std::move(*email)};
}

}  // namespace leakwatch::extract
