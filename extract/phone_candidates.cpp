#include "extract/phone_candidates.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "identity/identity_text.h"

namespace leakwatch::extract {

namespace {

constexpr std::size_t kMaxGroups = 12;
constexpr std::size_t kMinDigits = 7;
constexpr std::size_t kMaxDigits = 17;  // "00" + 15 digits of E.164

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// A tab is not here: it separates the fields of a TSV dump, never the digit
// groups of one number.
bool is_sep(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

// '-' or '.' when the separator holds one, else ' ' (a space, parentheses).
char sep_kind(std::string_view sep) {
  if (sep.find('-') != std::string_view::npos) return '-';
  if (sep.find('.') != std::string_view::npos) return '.';
  return ' ';
}

// "13812345678/13987654321": a '/' after a run of at least 7 digits lists
// numbers; after anything else it is a path or a date.
bool listed_after_slash(std::string_view text, std::size_t slash) {
  std::size_t k = slash;
  while (k > 0 && is_digit(text[k - 1])) --k;
  return slash - k >= kMinDigits;
}

// The canonical way to write a Chinese mobile, "138 1234 5678".
bool is_3_4_4(std::size_t a, std::size_t b, std::size_t c) { return a == 3 && b == 4 && c == 4; }

// Trivial on purpose: the array of them is left uninitialized, since this
// runs for every digit run of the input (zeroing it was a sixth of the time).
struct Group {
  std::size_t begin;
  std::size_t end;
  std::size_t sep_begin;  // the separator before the group; empty for the first
  std::size_t sep_length;
};

bool is_cn_mobile_shape(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
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

PhoneCandidates::PhoneCandidates(std::string default_region, std::size_t cache_entries)
    : region_(std::move(default_region)),
      region_is_cn_(region_ == "CN"),
      shard_capacity_(cache_entries / kShards + 1) {
  if (i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(region_) == 0) {
    throw std::invalid_argument("unknown phone region \"" + region_ +
                                "\" (expected ISO 3166 alpha-2, e.g. CN)");
  }
}

std::optional<std::string> PhoneCandidates::parse_cached(const std::string& digits) const {
  Shard& shard = shards_[std::hash<std::string>{}(digits) % kShards];
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.entries.find(digits);
    if (it != shard.entries.end()) {
      if (it->second.empty()) return std::nullopt;
      return it->second;
    }
  }
  // libphonenumber runs outside our lock: it has its own.
  auto parsed = identity::detail::parse_phone_digits(digits, region_);
  std::string value = parsed ? *parsed : std::string();
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    // A full shard starts over: simpler than LRU, and leak dumps repeat
    // numbers locally, so recent entries are what matters.
    if (shard.entries.size() >= shard_capacity_) shard.entries.clear();
    shard.entries.emplace(digits, value);
  }
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<std::string> PhoneCandidates::validate(const std::string& digits, bool single_group) const {
  std::string_view d(digits);
  bool international = false;
  if (!d.empty() && d.front() == '+') {
    international = true;
    d.remove_prefix(1);
  } else if (d.size() > 2 && d[0] == '0' && d[1] == '0') {
    international = true;
    d.remove_prefix(2);
  }
  if (d.size() < kMinDigits || d.size() > 15) return std::nullopt;

  // Chinese mobiles: +86 / 0086 / 86 / nothing, then 1[3-9] and 9 digits.
  std::string_view mobile;
  if (international) {
    if (d.size() == 13 && d[0] == '8' && d[1] == '6') mobile = d.substr(2);
  } else if (d.size() == 13 && d[0] == '8' && d[1] == '6' && single_group) {
    mobile = d.substr(2);
  } else {
    mobile = d;
  }
  if (is_cn_mobile_shape(mobile)) {
    switch (cn_mobiles_.lookup(mobile)) {
      case identity::CnMobilePrefixes::Verdict::kValid:
        return std::string("+86").append(mobile);
      case identity::CnMobilePrefixes::Verdict::kInvalid:
        return std::nullopt;
      case identity::CnMobilePrefixes::Verdict::kAsk:
        return parse_cached(std::string("+86").append(mobile));
    }
  }
  // Parse, not a hand-built number: libphonenumber then applies its national
  // rules (Mexico's old mobile '1', a '0' after '+') exactly as the customer
  // import does, so both sides hash the same E.164.
  if (international) return parse_cached(std::string("+").append(d));
  // Bare digits are most often order numbers, timestamps, dates or IDs. In
  // China only a trunk '0' (landline with area code) makes them a phone
  // number; mobiles were handled above. (libphonenumber alone would also
  // strip carrier-selection prefixes like "1228" and accept the rest.)
  if (region_is_cn_ && d.front() != '0') return std::nullopt;
  return parse_cached(std::string(d));
}

std::size_t PhoneCandidates::find(std::string_view text, std::size_t pos, std::vector<PhoneHit>* out) const {
  const std::size_t n = text.size();
  std::size_t i = pos;
  bool plus = false;
  if (text[i] == '+') {
    plus = true;
    ++i;
    if (i < n && text[i] == ' ') ++i;
    if (i >= n || !is_digit(text[i])) return pos + 1;
  }
  // Each digit run of the chain is measured once, here or below.
  std::size_t run_end = digit_run_end(text, i);
  // Most digit runs stand alone and are short (dates, prices, pieces of
  // hashes): without a separator after them no chain can reach a phone
  // number's length; this is the chain code's own verdict, reached early.
  if (!plus && run_end - i < kMinDigits && (run_end == n || !is_sep(text[run_end]))) return run_end;
  // Collect the chain: digit runs joined by short separator runs.
  // Fixed arrays: this runs for every digit run of the input.
  std::array<Group, kMaxGroups> groups;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t ngroups = 0;
  std::size_t sep_begin = i;
  while (true) {
    groups[ngroups++] = {i, run_end, sep_begin, i - sep_begin};
    i = run_end;
    // A longer chain ends here; the rest is scanned as a chain of its own,
    // so a number at the end of a long list of figures is still seen.
    if (ngroups == kMaxGroups) break;
    std::size_t j = i;
    while (j < n && j - i < 3 && is_sep(text[j])) ++j;
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
  const std::size_t chain_end = i;
  // Most digit runs are dates, prices, counters or pieces of hashes: too few
  // digits for any phone number.
  std::size_t chain_digits = 0;
  for (std::size_t g = 0; g < ngroups; ++g) chain_digits += groups[g].end - groups[g].begin;
  if (chain_digits < kMinDigits) return chain_end > pos ? chain_end : pos + 1;

  std::size_t begin0 = pos;
  if (plus && pos > 0 && text[pos - 1] == '(') begin0 = pos - 1;
  char before = begin0 > 0 ? text[begin0 - 1] : ' ';
  bool left_ok =
      !(is_alpha(before) || is_digit(before) || before == '_' || before == '@' || before == '+' ||
        (before == '/' && !listed_after_slash(text, begin0 - 1)) || before == '&' || before == '#' ||
        (before == '.' && begin0 >= 2 && is_digit(text[begin0 - 2])) ||
        (before == '-' && begin0 >= 2 && (is_digit(text[begin0 - 2]) || is_alpha(text[begin0 - 2]))));

  auto digits_of = [&](std::size_t s, std::size_t e) {
    std::string d;
    if (s == 0 && plus) d.push_back('+');
    for (std::size_t g = s; g <= e; ++g)
      d.append(text.substr(groups[g].begin, groups[g].end - groups[g].begin));
    return d;
  };
  auto group_len = [&](std::size_t g) { return groups[g].end - groups[g].begin; };
  auto sep_before = [&](std::size_t g) { return text.substr(groups[g].sep_begin, groups[g].sep_length); };
  auto dot_before = [&](std::size_t g) {
    return groups[g].sep_length == 1 && text[groups[g].sep_begin] == '.';
  };
  // Whether group g alone is a Chinese mobile: then it is never glued to its
  // neighbours ("2017-06-08 13812345678", two numbers side by side).
  std::array<bool, kMaxGroups> standalone{};
  for (std::size_t g = 0; g < ngroups; ++g) {
    std::string_view d = text.substr(groups[g].begin, group_len(g));
    standalone[g] =
        is_cn_mobile_shape(d) && cn_mobiles_.lookup(d) != identity::CnMobilePrefixes::Verdict::kInvalid;
  }

  std::size_t s = 0;
  std::size_t after_found = 0;  // the group after the last number found
  while (s < ngroups) {
    bool found = false;
    bool start_ok = s == 0 ? left_ok : !dot_before(s);
    if (start_ok) {
      std::size_t total = (s == 0 && plus) ? 1 : 0;
      std::size_t e_max = s;
      for (std::size_t g = s; g < ngroups; ++g) {
        total += group_len(g);
        if (total > kMaxDigits + 1) break;
        e_max = g;
      }
      for (std::size_t e = e_max + 1; e-- > s;) {
        // Right boundary.
        if (e + 1 < ngroups) {
          if (dot_before(e + 1)) continue;
        } else {
          char after = chain_end < text.size() ? text[chain_end] : ' ';
          if (is_alpha(after) || after == '_' || after == '@' || after == '+' ||
              (after == '.' && chain_end + 1 < text.size() && is_digit(text[chain_end + 1]))) {
            continue;
          }
        }
        bool dotted = false;
        bool glued_mobile = false;
        bool short_group = false;
        for (std::size_t g = s; g <= e; ++g) {
          if (g > s && dot_before(g)) dotted = true;
          if (e > s && standalone[g]) glued_mobile = true;
          bool country_code = g == 0 && plus;
          if (!country_code && group_len(g) < 3) short_group = true;
        }
        if (glued_mobile) continue;
        // Without a country code or trunk '0', one number is written with one
        // kind of separator; "2017-09-22 12" is a date and an hour.
        bool trunk = text[groups[s].begin] == '0';
        // "4709 3399 1944 2410 937": a bank card or an ID written in groups;
        // a grouped piece of it, continued by the same separator on either
        // side, is not a phone number of its own.
        // Not for "138 1234 5678 139 8765 4321": the canonical 3-4-4 mobile
        // stands for itself, and a number already found ends what came before.
        if (!(s == 0 && plus) && e > s &&
            !(e == s + 2 && is_3_4_4(group_len(s), group_len(s + 1), group_len(e)))) {
          char kind = sep_kind(sep_before(s + 1));
          if ((s > after_found && sep_kind(sep_before(s)) == kind) ||
              (e + 1 < ngroups && sep_kind(sep_before(e + 1)) == kind)) {
            continue;
          }
        }
        if (!(s == 0 && plus) && !trunk && e > s) {
          char kind = sep_kind(sep_before(s + 1));
          bool consistent = true;
          for (std::size_t g = s + 2; g <= e; ++g) consistent = consistent && sep_kind(sep_before(g)) == kind;
          if (!consistent) continue;
        }
        // Dots only join phone-shaped groups: not IPv4 addresses, versions
        // or prices.
        if (dotted && short_group) continue;
        std::size_t count = 0;
        for (std::size_t g = s; g <= e; ++g) count += group_len(g);
        if (count < kMinDigits || count > kMaxDigits) continue;
        std::string d = digits_of(s, e);
        auto e164 = validate(d, s == e);
        if (!e164) continue;
        std::size_t begin = s == 0 ? begin0 : groups[s].begin;
        out->push_back({begin, groups[e].end, std::move(*e164)});
        s = e + 1;
        after_found = s;
        found = true;
        break;
      }
    }
    if (!found) ++s;
  }
  return chain_end > pos ? chain_end : pos + 1;
}

}  // namespace leakwatch::extract
