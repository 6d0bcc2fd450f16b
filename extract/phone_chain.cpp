#include "extract/phone_chain.h"

#include <bit>
#include <cstdint>
#include <cstring>

namespace leakwatch::extract {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
// A tab is not here: it separates the fields of a TSV dump, never the digit
// groups of one number.
bool is_sep(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

bool starts_with_icase(std::string_view text, std::size_t at, std::string_view word) {
  if (text.size() - at < word.size()) return false;
  for (std::size_t k = 0; k < word.size(); ++k) {
    if (lower(text[at + k]) != word[k]) return false;
  }
  return true;
}

}  // namespace

// Eight bytes at a time: the run's length comes out of arithmetic, not out
// of one branch per byte (a byte loop pays a mispredicted exit on every run,
// and runs are everywhere in a dump: a third of its bytes are digits).
std::size_t digit_run_end(std::string_view text, std::size_t i) {
  const std::size_t n = text.size();
  if constexpr (std::endian::native == std::endian::little) {
    constexpr std::uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    while (i + 8 <= n) {
      std::uint64_t x;
      std::memcpy(&x, text.data() + i, 8);
      // Per byte, no carries between bytes: high bit of (b & 0x7F) + 0x50 is
      // set when b & 0x7F >= '0'; of (b & 0x7F) + 0x46, when >= ':'.
      const std::uint64_t at_least_0 = (x & kLow7) + 0x5050505050505050ULL;
      const std::uint64_t at_least_colon = (x & kLow7) + 0x4646464646464646ULL;
      const std::uint64_t digit = at_least_0 & ~at_least_colon & ~x & kHigh;
      const std::uint64_t other = ~digit & kHigh;
      if (other != 0) return i + static_cast<std::size_t>(std::countr_zero(other) / 8);
      i += 8;
    }
  }
  while (i < n && is_digit(text[i])) ++i;
  return i;
}

bool collect_phone_chain(std::string_view text, std::size_t pos, bool slash_joins, PhoneChain* chain,
                         std::size_t* next) {
  const std::size_t n = text.size();
  auto joins = [&](char c) { return is_sep(c) || (slash_joins && c == '/'); };
  std::size_t i = pos;
  bool plus = false;
  if (text[i] == '+') {
    plus = true;
    ++i;
    if (i < n && text[i] == ' ') ++i;
    if (i >= n || !is_digit(text[i])) {
      *next = pos + 1;
      return false;
    }
  }
  // Each digit run of the chain is measured once, here or below.
  std::size_t run_end = digit_run_end(text, i);
  // Most digit runs stand alone and are short (dates, prices, pieces of
  // hashes): without a separator after them no chain can reach a phone
  // number's length; this is the chain's own verdict, reached early.
  if (!plus && run_end - i < kMinPhoneDigits && (run_end == n || !joins(text[run_end]))) {
    *next = run_end;
    return false;
  }
  PhoneChain& c = *chain;
  c.ngroups = 0;
  c.digits = 0;
  c.plus = plus;
  c.pos = pos;
  std::size_t sep_begin = i;
  while (true) {
    c.groups[c.ngroups++] = {i, run_end, sep_begin, i - sep_begin};
    c.digits += run_end - i;
    i = run_end;
    // A longer chain ends here; the rest is scanned as a chain of its own,
    // so a number at the end of a long list of figures is still seen.
    if (c.ngroups == PhoneChain::kMaxGroups) break;
    std::size_t j = i;
    while (j < n && j - i < 3 && joins(text[j])) ++j;
    if (j == i || j >= n || !is_digit(text[j])) break;
    std::string_view sep = text.substr(i, j - i);
    // A dot mixed with other separators ends the chain (". " ends a sentence).
    if (sep.find('.') != std::string_view::npos && sep.size() != 1) break;
    // So does a gap of several spaces: columns of a fixed-width dump.
    if (sep.size() > 1 && sep.find_first_not_of(' ') == std::string_view::npos) break;
    const std::size_t next_end = digit_run_end(text, j);
    // An opening parenthesis joins only an area code it closes: "+1 (650)
    // 253-0000", not "+49 89 4149919 (24/7)".
    if (sep.find('(') != std::string_view::npos && (next_end >= n || text[next_end] != ')')) break;
    sep_begin = i;
    i = j;
    run_end = next_end;
  }
  c.end = i;
  *next = c.end > pos ? c.end : pos + 1;
  // Most digit runs are dates, prices, counters or pieces of hashes: too few
  // digits for any phone number.
  if (c.digits < kMinPhoneDigits) return false;
  c.begin0 = pos;
  if (plus && pos > 0 && text[pos - 1] == '(') c.begin0 = pos - 1;
  return true;
}

std::size_t extension_end(std::string_view text, std::size_t at) {
  const std::size_t n = text.size();
  std::size_t j = at;
  // The markers libphonenumber's extension pattern accepts after a number
  // with no space ("x", "ext", "extn", "extension", "#"), and Chinese 转.
  if (starts_with_icase(text, j, "extension")) {
    j += 9;
  } else if (starts_with_icase(text, j, "extn")) {
    j += 4;
  } else if (starts_with_icase(text, j, "ext")) {
    j += 3;
  } else if (j < n && (lower(text[j]) == 'x' || text[j] == '#')) {
    j += 1;
  } else if (text.substr(j, 3) == "\xE8\xBD\xAC") {  // 转
    j += 3;
  } else {
    return at;
  }
  if (j < n && (text[j] == '.' || text[j] == ':')) ++j;
  while (j < n && j - at < 16 && (text[j] == ' ' || text[j] == '-')) ++j;
  const std::size_t digits_end = digit_run_end(text, j);
  // One to six digits, then no letter or digit glued on: a whole extension.
  if (digits_end == j || digits_end - j > 6) return at;
  if (digits_end < n) {
    const char after = lower(text[digits_end]);
    if ((after >= 'a' && after <= 'z') || after == '_') return at;
  }
  return digits_end;
}

}  // namespace leakwatch::extract
