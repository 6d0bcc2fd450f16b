// PhoneCandidates::pick_cn: the numbers a person could have meant in a digit
// chain of Chinese text. Rules tuned on Chinese leak dumps (scripts/
// gen_corpus.py, scripts/gen_leak_corpus.py score them at 1.0000); every
// candidate is still validated by libphonenumber (validate_cn).
#include <array>

#include "extract/phone_candidates.h"

namespace leakwatch::extract {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// '-' or '.' when the separator holds one, ')' when it closes a bracketed
// area code ("(0571) 8765", "(415)555"), else ' '.
char sep_kind(std::string_view sep) {
  if (sep.find('-') != std::string_view::npos) return '-';
  if (sep.find('.') != std::string_view::npos) return '.';
  if (sep.find(')') != std::string_view::npos) return ')';
  return ' ';
}

// "13812345678/13987654321": a '/' after a run of at least 7 digits lists
// numbers; after anything else it is a path or a date.
bool listed_after_slash(std::string_view text, std::size_t slash) {
  std::size_t k = slash;
  while (k > 0 && is_digit(text[k - 1])) --k;
  return slash - k >= kMinPhoneDigits;
}

// The canonical way to write a Chinese mobile, "138 1234 5678".
bool is_3_4_4(std::size_t a, std::size_t b, std::size_t c) { return a == 3 && b == 4 && c == 4; }

bool is_cn_mobile_shape(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

// Whether a number may start at the chain's first group, judging by the
// character before it. A '+' needs no space before it ("at+64 3 331 6005",
// as libphonenumber's matcher reads a leading '+').
bool left_boundary_ok(std::string_view text, const PhoneChain& c) {
  const std::size_t b = c.begin0;
  const char before = b > 0 ? text[b - 1] : ' ';
  if (c.plus && is_alpha(before)) return true;
  return !(is_alpha(before) || is_digit(before) || before == '_' || before == '@' || before == '+' ||
           (before == '/' && !listed_after_slash(text, b - 1)) || before == '&' || before == '#' ||
           (before == '.' && b >= 2 && is_digit(text[b - 2])) ||
           (before == '-' && b >= 2 && (is_digit(text[b - 2]) || is_alpha(text[b - 2]))));
}

// Where a number ending with the chain's last group ends: past an extension
// ("138-1234-5678x12"), at the chain's end, or 0 when the text runs on into
// a word or another figure.
std::size_t right_end_of_chain(std::string_view text, const PhoneChain& c) {
  const std::size_t ext = extension_end(text, c.end);
  if (ext != c.end) return ext;
  const char after = c.end < text.size() ? text[c.end] : ' ';
  if (is_alpha(after) || after == '_' || after == '@' || after == '+' ||
      (after == '.' && c.end + 1 < text.size() && is_digit(text[c.end + 1]))) {
    return 0;
  }
  return c.end;
}

// The shape rules for groups s..e as one number (separators, dots, groups
// of a longer grouped figure). `after_found` is the group after the last
// number found in this chain.
bool shape_ok(std::string_view text, const PhoneChain& c, std::size_t s, std::size_t e,
              std::size_t after_found, const std::array<bool, PhoneChain::kMaxGroups>& standalone) {
  const bool country_code = s == 0 && c.plus;
  bool dotted = false;
  bool short_group = false;
  for (std::size_t g = s; g <= e; ++g) {
    if (g > s && c.dot_before(text, g)) dotted = true;
    // A group that alone is a Chinese mobile is never glued to its
    // neighbours ("2017-06-08 13812345678", two numbers side by side).
    if (e > s && standalone[g]) return false;
    if (!(g == 0 && c.plus) && c.length(g) < 3) short_group = true;
  }
  // "4709 3399 1944 2410 937": a bank card or an ID written in groups; a
  // grouped piece of it, continued by the same separator on either side, is
  // not a phone number of its own. Not for "138 1234 5678 139 8765 4321":
  // the canonical 3-4-4 mobile stands for itself, and a number already found
  // ends what came before.
  if (!country_code && e > s && !(e == s + 2 && is_3_4_4(c.length(s), c.length(s + 1), c.length(e)))) {
    const char kind = sep_kind(c.sep_before(text, s + 1));
    if ((s > after_found && sep_kind(c.sep_before(text, s)) == kind) ||
        (e + 1 < c.ngroups && sep_kind(c.sep_before(text, e + 1)) == kind)) {
      return false;
    }
  }
  // Without a country code or trunk '0', one number is written with one kind
  // of separator ("2017-09-22 12" is a date and an hour); a bracketed area
  // code may come first ("(415) 666-7777").
  const bool trunk = text[c.groups[s].begin] == '0';
  if (!country_code && !trunk && e > s) {
    std::size_t first = s + 1;
    if (sep_kind(c.sep_before(text, first)) == ')' && e > first) ++first;
    const char kind = sep_kind(c.sep_before(text, first));
    for (std::size_t g = first + 1; g <= e; ++g) {
      if (sep_kind(c.sep_before(text, g)) != kind) return false;
    }
  }
  // Dots only join phone-shaped groups: not IPv4 addresses, versions or
  // prices. A country code makes it a phone number written with dots
  // ("+86.10.1234.5678", as libphonenumber's matcher reads it).
  return country_code || !(dotted && short_group);
}

}  // namespace

bool PhoneCandidates::starts_number(std::string_view text, const PhoneChain& c, std::size_t g,
                                    std::size_t chain_right) const {
  std::string digits;
  for (std::size_t e = g; e < c.ngroups; ++e) {
    digits.append(text.substr(c.groups[e].begin, c.length(e)));
    if (digits.size() > kMaxPhoneDigits) break;
    if (digits.size() < kMinPhoneDigits || (e + 1 == c.ngroups && chain_right == 0)) continue;
    if (validate_cn(digits, e == g)) return true;
  }
  return false;
}

void PhoneCandidates::pick_cn(std::string_view text, const PhoneChain& c, std::vector<PhoneHit>* out) const {
  std::array<bool, PhoneChain::kMaxGroups> standalone{};
  for (std::size_t g = 0; g < c.ngroups; ++g) {
    std::string_view d = text.substr(c.groups[g].begin, c.length(g));
    standalone[g] =
        is_cn_mobile_shape(d) && cn_mobiles_.lookup(d) != identity::CnMobilePrefixes::Verdict::kInvalid;
  }
  const bool left_ok = left_boundary_ok(text, c);
  const std::size_t chain_right = right_end_of_chain(text, c);
  std::size_t s = 0;
  std::size_t after_found = 0;  // the group after the last number found
  while (s < c.ngroups) {
    const bool start_ok = s == 0 ? left_ok : !c.dot_before(text, s);
    bool found = false;
    // The longest candidate first: the most digits a number may hold.
    std::size_t e_max = s;
    std::size_t total = (s == 0 && c.plus) ? 1 : 0;
    for (std::size_t g = s; g < c.ngroups; ++g) {
      total += c.length(g);
      if (total > kMaxPhoneDigits + 1) break;
      e_max = g;
    }
    for (std::size_t e = e_max + 1; start_ok && e-- > s;) {
      std::size_t end = c.groups[e].end;
      if (e + 1 < c.ngroups) {
        if (c.dot_before(text, e + 1)) continue;
        // Whole or nothing: "+39 02-36618 300" is one number or none, never
        // "+39 02-36618"; what follows must start a number of its own.
        if (s == 0 && c.plus && !starts_number(text, c, e + 1, chain_right)) continue;
      } else {
        if (chain_right == 0) continue;
        end = chain_right;
      }
      if (!shape_ok(text, c, s, e, after_found, standalone)) continue;
      std::size_t count = 0;
      std::string digits;
      if (s == 0 && c.plus) digits.push_back('+');
      for (std::size_t g = s; g <= e; ++g) {
        count += c.length(g);
        digits.append(text.substr(c.groups[g].begin, c.length(g)));
      }
      if (count < kMinPhoneDigits || count > kMaxPhoneDigits) continue;
      auto e164 = validate_cn(digits, s == e);
      if (!e164) continue;
      out->push_back({s == 0 ? c.begin0 : c.groups[s].begin, end, std::move(*e164)});
      s = e + 1;
      after_found = s;
      found = true;
      break;
    }
    if (!found) ++s;
  }
}

}  // namespace leakwatch::extract
