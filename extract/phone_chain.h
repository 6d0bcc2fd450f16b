// The digit chain around a phone trigger: the digit runs joined by short
// separator runs ("+86 138-1234-5678", "(415) 666-7777") that a number could
// be cut out of, measured once, with the questions the pickers ask of it.
// Pure functions over the scanned view; no allocation.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace leakwatch::extract {

// Fewest and most digits a candidate may hold (with a '+' country code, or
// "00" + the 15 digits E.164 allows).
inline constexpr std::size_t kMinPhoneDigits = 7;
inline constexpr std::size_t kMaxPhoneDigits = 17;

struct PhoneChain {
  static constexpr std::size_t kMaxGroups = 12;
  // Trivial on purpose: the array of them is left uninitialized, since a
  // chain is collected for every digit run of the input (zeroing it was a
  // sixth of the time).
  struct Group {
    std::size_t begin;
    std::size_t end;
    std::size_t sep_begin;  // the separator before the group; empty for the first
    std::size_t sep_length;
  };
  std::array<Group, kMaxGroups> groups;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t ngroups = 0;
  std::size_t pos = 0;     // the trigger: '+' or the first digit
  std::size_t begin0 = 0;  // where a number starting at group 0 begins ("(+86)": the '(')
  std::size_t end = 0;     // one past the last digit of the last group
  std::size_t digits = 0;  // digits in all groups
  bool plus = false;       // group 0 follows a '+'

  std::size_t length(std::size_t g) const { return groups[g].end - groups[g].begin; }
  std::string_view sep_before(std::string_view text, std::size_t g) const {
    return text.substr(groups[g].sep_begin, groups[g].sep_length);
  }
  bool dot_before(std::string_view text, std::size_t g) const {
    return groups[g].sep_length == 1 && text[groups[g].sep_begin] == '.';
  }
};

// The end of the run of ASCII digits '0'-'9' that starts at `i` (`i` itself
// when text[i] is not a digit; `i` <= text.size()). Any bytes.
std::size_t digit_run_end(std::string_view text, std::size_t i);

// Collects the chain whose trigger is `pos` ('+' or a digit). Returns false
// when no phone number can start there (a lone '+', a short run standing
// alone, too few digits in the whole chain); `*next` is then where scanning
// goes on, always > pos. On true, `*chain` holds the chain. `slash_joins`:
// a '/' joins groups too ("415/666-7777", read by libphonenumber's matcher;
// the CN rules keep '/' for lists, dates and paths).
bool collect_phone_chain(std::string_view text, std::size_t pos, bool slash_joins, PhoneChain* chain,
                         std::size_t* next);

// Where an extension written right after a number ends ("x123", "ext. 45",
// "#12", "转8001"; libphonenumber's extension syntax), or `at` when none
// starts there.
std::size_t extension_end(std::string_view text, std::size_t at);

}  // namespace leakwatch::extract
