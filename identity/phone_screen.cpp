#include "identity/phone_screen.h"

#include <phonenumbers/phonenumberutil.h>

#include <array>
#include <mutex>
#include <string>

#include "identity/phone_metadata.h"

namespace leakwatch::identity {

namespace {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneNumberDesc;

// Parse's limits on a national significant number (kMinLengthForNsn,
// kMaxLengthForNsn in phonenumberutil.cc).
constexpr std::size_t kMinNsn = 2;
constexpr std::size_t kMaxNsn = 17;

std::unique_ptr<RE2> compile(const std::string& pattern) {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(64 << 20);
  auto re = std::make_unique<RE2>(pattern, options);
  if (!re->ok()) return nullptr;
  return re;
}

// A pattern libphonenumber consumes at the start of the digits (its
// Consume: ICU lookingAt). Which prefix ICU's leftmost-first matching takes
// is not modelled: every prefix in the pattern's language is a candidate.
class LeadingPattern {
 public:
  void assign(const std::string& pattern) {
    if (pattern.empty()) return;  // nothing is ever consumed
    present_ = true;
    if (pattern.find_first_not_of("0123456789") == std::string::npos) {
      literal_ = pattern;
    } else {
      pattern_ = pattern;
    }
  }
  bool present() const { return present_; }
  // Compiles the pattern (once; thread-safe); false when RE2 cannot.
  bool ready() const {
    if (pattern_.empty()) return true;
    std::call_once(once_, [this] { re_ = compile(pattern_); });
    return re_ != nullptr;
  }

  // Calls `f(k)` for every k such that the first k digits of `s` are in the
  // pattern's language, until `f` returns true; returns whether one did.
  // Only after ready() returned true.
  template <typename F>
  bool any_prefix(std::string_view s, F&& f) const {
    if (!present_) return false;
    if (re_ == nullptr) return s.starts_with(literal_) && f(literal_.size());
    // Most digits begin with no prefix of the language: one anchored pass.
    if (!re_->Match(s, 0, s.size(), RE2::ANCHOR_START, nullptr, 0)) return false;
    for (std::size_t k = 0; k <= s.size(); ++k) {
      if (RE2::FullMatch(s.substr(0, k), *re_) && f(k)) return true;
    }
    return false;
  }

 private:
  bool present_ = false;
  std::string literal_;
  std::string pattern_;  // when not a literal
  mutable std::once_flag once_;
  mutable std::unique_ptr<RE2> re_;
};

// The number types GetNumberTypeHelper tries; a valid number matches one.
std::array<const PhoneNumberDesc*, 10> type_descs(const PhoneMetadata& m) {
  return {&m.fixed_line(),      &m.mobile(), &m.toll_free(), &m.premium_rate(), &m.shared_cost(),
          &m.personal_number(), &m.voip(),   &m.pager(),     &m.uan(),          &m.voicemail()};
}

}  // namespace

struct PhoneScreen::Plan {
  int code = 0;
  LeadingPattern international;  // international_prefix (regions only)
  LeadingPattern national;       // national_prefix_for_parsing
  bool transforms = false;       // national_prefix_transform_rule is set
  std::string code_text;         // the calling code in digits

  // Compiles the patterns on first use; false when RE2 cannot.
  bool ready() const { return international.ready() && national.ready(); }
};

struct PhoneScreen::Code {
  std::uint32_t lengths = 0;   // bit n: some number type admits n digits
  std::string alternatives;    // the type patterns, "(?:...)|(?:...)"
  const Plan* main = nullptr;  // the plan Parse uses once it has the code
  // Compiled on first use (most processes see a few calling codes; all of
  // them cost ~50 ms of RE2 compiling).
  mutable std::once_flag once;
  mutable std::unique_ptr<RE2> types;

  // False when this code cannot be screened (a pattern RE2 cannot compile).
  bool ready() const {
    std::call_once(once, [this] {
      if (!alternatives.empty()) types = compile(alternatives);
    });
    return types != nullptr && main != nullptr && main->ready();
  }

  // Whether `nsn` may be a valid number of this calling code.
  bool may_hold(std::string_view nsn) const {
    if (nsn.size() < kMinNsn || nsn.size() > kMaxNsn) return false;
    if (((lengths >> nsn.size()) & 1U) == 0) return false;
    return RE2::FullMatch(nsn, *types);
  }

  // Whether `x`, or what stripping `plan`'s national prefix leaves of it,
  // may be a valid number of this code.
  bool may_hold_stripped(std::string_view x, const Plan& plan) const {
    if (may_hold(x)) return true;
    // A transform rule rewrites the digits: no longer a suffix.
    if (plan.transforms) return plan.national.any_prefix(x, [](std::size_t) { return true; });
    return plan.national.any_prefix(x, [&](std::size_t k) { return k > 0 && may_hold(x.substr(k)); });
  }
};

PhoneScreen::~PhoneScreen() = default;

PhoneScreen::PhoneScreen() {
  i18n::phonenumbers::PhoneMetadataCollection collection;
  // Unreadable metadata: every region unknown, so callers ask Parse.
  if (!detail::read_phone_metadata(&collection)) return;
  for (const PhoneMetadata& m : collection.metadata()) {
    const int code = m.country_code();
    if (code <= 0 || code >= kCodes) continue;
    auto plan = std::make_unique<Plan>();
    plan->code = code;
    plan->code_text = std::to_string(code);
    plan->international.assign(m.international_prefix());
    plan->national.assign(m.national_prefix_for_parsing());
    plan->transforms = !m.national_prefix_transform_rule().empty();
    if (!codes_[code]) codes_[code] = std::make_unique<Code>();
    Code& c = *codes_[code];
    for (const PhoneNumberDesc* type : type_descs(m)) {
      const PhoneNumberDesc& desc = *type;
      // A type without a pattern holds no number.
      if (desc.national_number_pattern().empty()) continue;
      if (desc.possible_length_size() == 0) c.lengths = ~0U;  // no length test
      for (int n : desc.possible_length()) {
        if (n > 0 && n < 32) c.lengths |= 1U << n;
      }
      if (!c.alternatives.empty()) c.alternatives += '|';
      c.alternatives += "(?:" + desc.national_number_pattern() + ")";
    }
    if (m.id() == "001") {
      non_geographic_[code] = std::move(plan);
    } else {
      regions_.emplace(m.id(), std::move(plan));
    }
  }
  const auto& util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
  for (int code = 1; code < kCodes; ++code) {
    if (!codes_[code]) continue;
    Code& c = *codes_[code];
    // Parse reads a number with this code in the code's main region (the
    // non-geographic entity for "001").
    std::string main;
    util.GetRegionCodeForCountryCode(code, &main);
    if (main == "001") {
      c.main = non_geographic_[code].get();
    } else if (auto it = regions_.find(main); it != regions_.end()) {
      c.main = it->second.get();
    }
  }
}

const PhoneScreen& PhoneScreen::shared() {
  static const PhoneScreen screen;
  return screen;
}

const PhoneScreen::Plan* PhoneScreen::region(std::string_view region) const {
  auto it = regions_.find(std::string(region));
  return it == regions_.end() ? nullptr : it->second.get();
}

int PhoneScreen::code_of(std::string_view digits) const {
  // libphonenumber's ExtractCountryCode: no code starts with '0'; codes are
  // prefix-free, so the first known prefix is the one.
  if (digits.empty() || digits[0] == '0') return 0;
  int code = 0;
  for (std::size_t i = 0; i < 3 && i < digits.size(); ++i) {
    code = code * 10 + (digits[i] - '0');
    if (codes_[code]) return code;
  }
  return 0;
}

bool PhoneScreen::international_may_be_valid(std::string_view after_prefix, bool after_plus) const {
  const int code = code_of(after_prefix);
  // After '+', an unknown code sends Parse to read the digits again without
  // the '+': not modelled. After an IDD, Parse gives up.
  if (code == 0) return after_plus;
  const Code& c = *codes_[code];
  if (!c.ready()) return true;
  const std::size_t code_length = code < 10 ? 1 : code < 100 ? 2 : 3;
  return c.may_hold_stripped(after_prefix.substr(code_length), *c.main);
}

bool PhoneScreen::national_may_be_valid(std::string_view digits, const Plan& region) const {
  const Code& own = *codes_[region.code];
  // No calling code in the digits: the region's own, read with its prefix.
  if (own.may_hold_stripped(digits, region)) return true;
  // The region's calling code at the start (MaybeExtractCountryCode): what
  // follows, with the region's national prefix stripped or not, then read in
  // the code's main region.
  if (!digits.starts_with(region.code_text)) return false;
  const std::string_view rest = digits.substr(region.code_text.size());
  if (own.may_hold_stripped(rest, *own.main)) return true;
  if (region.transforms) return region.national.any_prefix(rest, [](std::size_t) { return true; });
  return region.national.any_prefix(
      rest, [&](std::size_t k) { return k > 0 && own.may_hold_stripped(rest.substr(k), *own.main); });
}

bool PhoneScreen::may_be_valid(std::string_view digits, const Plan& region) const {
  if (!region.ready() || !codes_[region.code]->ready()) return true;
  for (char ch : digits.substr(digits.starts_with('+') ? 1 : 0)) {
    if (ch < '0' || ch > '9') return true;  // not what this screen models
  }
  if (digits.starts_with('+')) return international_may_be_valid(digits.substr(1), true);
  if (digits.size() > 2 && digits.starts_with("00"))
    return international_may_be_valid(digits.substr(2), true);
  // The region's international prefix, where one may be at the start;
  // whether Parse takes it or not, both readings are candidates.
  if (region.international.any_prefix(
          digits, [&](std::size_t k) { return international_may_be_valid(digits.substr(k), false); }))
    return true;
  return national_may_be_valid(digits, region);
}

}  // namespace leakwatch::identity
