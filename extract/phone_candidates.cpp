#include "extract/phone_candidates.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "identity/calling_codes.h"
#include "identity/identity.h"
#include "identity/identity_text.h"
#include "identity/phone_screen.h"

namespace leakwatch::extract {

namespace {

using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

// Bytes of context the matcher sees on each side of a chain: enough for a
// number our chain broke off ("415/666-7777", "CA 34215 - 415-666-7777") and
// for an extension ("x 12345", "ext. 45").
constexpr std::size_t kLeftContext = 24;
constexpr std::size_t kRightContext = 24;
// How far the right edge may be pushed to finish the word it falls in.
constexpr std::size_t kRightWordLimit = 64;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_cn_mobile_shape(std::string_view d) {
  return d.size() == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

// The window's left edge: at most kLeftContext bytes before the chain, at a
// word start, never before `floor`, and always taking the character just
// before the chain (the matcher checks it: "ID13812345678" is no number).
std::size_t window_begin(std::string_view text, std::size_t begin0, std::size_t floor) {
  std::size_t just_before = begin0;
  while (just_before > floor) {
    --just_before;
    if (!is_continuation(text[just_before])) break;
  }
  std::size_t b = begin0 > floor + kLeftContext ? begin0 - kLeftContext : floor;
  while (b < just_before && ((b > 0 && !is_blank(text[b - 1])) || is_continuation(text[b]))) ++b;
  return b;
}

// The right edge: kRightContext bytes past the chain, pushed on to finish
// the word it falls in (a number glued to a letter must be seen glued).
std::size_t window_end(std::string_view text, std::size_t chain_end) {
  const std::size_t n = text.size();
  std::size_t e = std::min(n, chain_end + kRightContext);
  while (e < n && e < chain_end + kRightWordLimit && (!is_blank(text[e]) || is_continuation(text[e]))) ++e;
  while (e < n && is_continuation(text[e])) ++e;
  return e;
}

// A byte that no candidate of libphonenumber's matcher holds or runs across
// (not a digit, its punctuation, '+' or a bracket, an extension's separator
// or label) and that its VALID leniency accepts next to a number (not a
// Latin letter, '%' or a currency sign).
bool is_hard_break(char c) {
  switch (c) {
    case '|':
    case '"':
    case '\'':
    case '<':
    case '>':
    case '=':
    case '&':
    case '!':
    case '?':
    case '{':
    case '}':
    case '^':
    case '`':
    case '\\':
    case '@':
    case '_':
      return true;
    default:
      return false;
  }
}

// Whether the matcher's candidate for a number whose digits end at `end`
// ends there too, and is accepted as far as its right edge goes: the text
// ends, or a hard break follows, or a space, tab or comma run and then a
// hard break or a letter that starts no extension label ("x", "ext", "int",
// "anexo").
bool ends_cleanly(std::string_view text, std::size_t end) {
  const std::size_t n = text.size();
  if (end == n || is_hard_break(text[end]) || text[end] == '\r') return true;
  std::size_t k = end;
  while (k < n && (text[k] == ' ' || text[k] == '\t' || text[k] == ',')) ++k;
  if (k == end) return false;
  if (k == n || is_hard_break(text[k]) || text[k] == '\r') return true;
  const char c = static_cast<char>(text[k] | 0x20);
  return c >= 'a' && c <= 'z' && c != 'e' && c != 'x' && c != 'a' && c != 'i';
}

}  // namespace

PhoneCandidates::PhoneCandidates(std::string_view default_regions, std::size_t cache_entries)
    : regions_(identity::split_regions(default_regions)), shard_capacity_(cache_entries / kShards + 1) {
  if (regions_.empty()) throw std::invalid_argument("no phone region given (expected e.g. CN)");
  for (const std::string& region : regions_) {
    const int code = PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(region);
    if (code == 0) {
      throw std::invalid_argument("unknown phone region \"" + region +
                                  "\" (expected ISO 3166 alpha-2, e.g. CN)");
    }
    bare_read_alone_.push_back(identity::CallingCodes::shared().national_prefix_never_required(code));
    plans_.push_back(screen_.region(region));
  }
}

std::optional<std::string> PhoneCandidates::parse_cached(const std::string& digits,
                                                         const std::string& region) const {
  // Most digit runs of a dump are no number of the region: the metadata's
  // patterns say so without Parse, without the cache and its lock.
  const identity::PhoneScreen::Plan* plan = region == "CN" ? cn_plan_ : nullptr;
  for (std::size_t r = 0; plan == nullptr && r < regions_.size(); ++r) {
    if (regions_[r] == region) plan = plans_[r];
  }
  if (plan != nullptr && !screen_.may_be_valid(digits, *plan)) return std::nullopt;
  // An international number reads the same in every region.
  const std::string key = digits.front() == '+' ? digits : region + digits;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it != shard.entries.end()) {
      if (it->second.empty()) return std::nullopt;
      return it->second;
    }
  }
  // libphonenumber runs outside our lock: it has its own.
  auto parsed = identity::detail::parse_phone_digits(digits, region);
  std::string value = parsed ? *parsed : std::string();
  {
    std::lock_guard<std::mutex> lock(shard.mutex);
    // A full shard starts over: simpler than LRU, and leak dumps repeat
    // numbers locally, so recent entries are what matters.
    if (shard.entries.size() >= shard_capacity_) shard.entries.clear();
    shard.entries.emplace(key, value);
  }
  if (value.empty()) return std::nullopt;
  return value;
}

std::optional<std::string> PhoneCandidates::validate_cn(const std::string& digits, bool single_group) const {
  static const std::string kCn = "CN";
  std::string_view d(digits);
  bool international = false;
  if (!d.empty() && d.front() == '+') {
    international = true;
    d.remove_prefix(1);
  } else if (d.size() > 2 && d[0] == '0' && d[1] == '0') {
    international = true;
    d.remove_prefix(2);
  }
  if (d.size() < kMinPhoneDigits || d.size() > 15) return std::nullopt;

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
        return parse_cached(std::string("+86").append(mobile), kCn);
    }
  }
  // Parse, not a hand-built number: libphonenumber then applies its national
  // rules (Mexico's old mobile '1', a '0' after '+') exactly as the customer
  // import does, so both sides hash the same E.164.
  if (international) return parse_cached(std::string("+").append(d), kCn);
  // Bare digits are most often order numbers, timestamps, dates or IDs. In
  // China only a trunk '0' (landline with area code) makes them a phone
  // number; mobiles were handled above. (libphonenumber alone would also
  // strip carrier-selection prefixes like "1228" and accept the rest.)
  if (d.front() != '0') return std::nullopt;
  return parse_cached(std::string(d), kCn);
}

// The matcher's numbers inside a chain are whole runs of its groups (it
// splits candidates at punctuation, never inside a digit run), so when no
// run of groups parses as a valid number in `region` (identity's Parse and
// IsValidNumber, cached: dumps repeat numbers) the matcher would find
// nothing here and is not asked. Most chains of a dump end here: the
// matcher costs tens of microseconds a window, a cached answer far less.
bool PhoneCandidates::may_hold_number(std::string_view text, const PhoneChain& chain,
                                      const std::string& region) const {
  std::string digits;
  for (std::size_t s = 0; s < chain.ngroups; ++s) {
    digits.clear();
    if (s == 0 && chain.plus) digits.push_back('+');
    for (std::size_t e = s; e < chain.ngroups; ++e) {
      digits.append(text.substr(chain.groups[e].begin, chain.length(e)));
      const std::size_t count = digits.size() - (digits.front() == '+' ? 1 : 0);
      if (count > kMaxPhoneDigits) break;
      if (count >= kMinPhoneDigits && parse_cached(digits, region)) return true;
    }
  }
  return false;
}

std::optional<bool> PhoneCandidates::read_alone(std::string_view text, const PhoneChain& chain,
                                                std::size_t floor, const std::string& region,
                                                bool bare_read_alone, std::vector<PhoneHit>* out) const {
  if (chain.ngroups != 1 || chain.begin0 != chain.pos || chain.pos < floor) return std::nullopt;
  const std::size_t first = chain.groups[0].begin;
  if (chain.plus) {
    // After '+' the matcher does not look at the byte before; only a
    // bracket or another '+' there would join its candidate.
    if (first != chain.pos + 1) return std::nullopt;
    if (chain.pos > 0) {
      const char before = text[chain.pos - 1];
      if (static_cast<unsigned char>(before) >= 0x80 || before == '(' || before == '[' || before == '+')
        return std::nullopt;
    }
  } else {
    // A national number: the region must never require its national prefix,
    // "00" is read by identity as an international prefix (the matcher
    // reads the region's own), and the byte before must be a hard break.
    if (!bare_read_alone || first != chain.pos || text.substr(first, 2) == "00") return std::nullopt;
    if (chain.pos > 0 && !is_hard_break(text[chain.pos - 1])) return std::nullopt;
  }
  if (!ends_cleanly(text, chain.end)) return std::nullopt;
  if (chain.digits < kMinPhoneDigits || chain.digits > kMaxPhoneDigits) return false;
  std::string digits = chain.plus ? std::string("+") : std::string();
  digits.append(text.substr(first, chain.end - first));
  auto value = parse_cached(digits, region);
  if (!value) return false;
  // Israel's four-digit star numbers are the matcher's exception: ask it.
  if (value->starts_with("+972")) return std::nullopt;
  // What the matcher's path reports: the value of its E.164, a fixed point.
  auto again = parse_cached(*value, region);
  if (!again || *again != *value) return std::nullopt;
  out->push_back({chain.pos, chain.end, std::move(*value)});
  return true;
}

void PhoneCandidates::pick_matched(std::string_view text, const PhoneChain& chain, std::size_t floor,
                                   const std::string& region, bool bare_read_alone,
                                   std::vector<PhoneHit>* out) const {
  // One run of more digits than any number holds, standing alone: an order
  // number or a hash, and nothing the matcher could cut a number out of.
  if (chain.ngroups == 1 && !chain.plus && chain.digits > kMaxPhoneDigits) return;
  // Most chains of a dump are one run of digits between field separators:
  // what the matcher would find there is known without it.
  if (read_alone(text, chain, floor, region, bare_read_alone, out).has_value()) return;
  if (!may_hold_number(text, chain, region)) return;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  const std::size_t begin = window_begin(text, chain.begin0, floor);
  const std::size_t end = window_end(text, chain.end);
  const std::string window(text.substr(begin, end - begin));
  PhoneNumberMatcher matcher(util, window, region, PhoneNumberMatcher::VALID, 65535);
  PhoneNumberMatch match;
  while (matcher.HasNext() && matcher.Next(&match)) {
    const std::size_t start = begin + static_cast<std::size_t>(match.start());
    const std::size_t stop = start + static_cast<std::size_t>(match.length());
    // Only what overlaps this chain is its own; what lies before it was its
    // own chain's to find.
    if (start < floor || start >= chain.end || stop <= chain.pos) continue;
    std::string e164;
    util.Format(match.number(), PhoneNumberUtil::E164, &e164);
    // The value the customer import gives for it (a fixed point of Parse).
    auto value = parse_cached(e164, region);
    if (!value) continue;
    out->push_back({start, stop, std::move(*value)});
    floor = stop;
  }
}

std::size_t PhoneCandidates::find(std::string_view text, std::size_t pos, std::size_t floor,
                                  std::vector<PhoneHit>* out) const {
  // The CN rules and the matcher read slightly different chains ('/'); each
  // is collected once, when a region first needs it.
  PhoneChain cn_chain;
  PhoneChain chain;
  enum { kNotYet, kNone, kReady } cn_state = kNotYet, state = kNotYet;
  std::size_t next = pos + 1;
  const std::size_t before = out->size();
  for (std::size_t r = 0; r < regions_.size(); ++r) {
    const std::string& region = regions_[r];
    std::size_t chain_next = pos + 1;
    if (region == "CN") {
      if (cn_state == kNotYet) {
        cn_state = collect_phone_chain(text, pos, false, &cn_chain, &chain_next) ? kReady : kNone;
        next = std::max(next, chain_next);
      }
      if (cn_state == kReady) pick_cn(text, cn_chain, out);
    } else {
      if (state == kNotYet) {
        state = collect_phone_chain(text, pos, true, &chain, &chain_next) ? kReady : kNone;
        next = std::max(next, chain_next);
      }
      if (state == kReady) pick_matched(text, chain, floor, region, bare_read_alone_[r], out);
    }
    if (out->size() != before) break;
  }
  // A match may run past the chain (an extension, a number the chain broke).
  if (out->size() != before && out->back().end > next) next = out->back().end;
  return next;
}

}  // namespace leakwatch::extract
