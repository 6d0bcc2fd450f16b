// Email addresses in text, found from a trigger the caller has spotted: an
// '@', or the start of an obfuscated "at" ("[at]", "(at)", " at ", "&#64;",
// "%40"). Each candidate is cut out with an anchored RE2 (linear time, no
// backtracking) and validated by the identity code.
// Thread-safe: patterns compile once in the constructor (a copy per thread,
// see Re2PerThread); methods are const.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "extract/re2_per_thread.h"
#include "identity/identity_text.h"

namespace leakwatch::extract {

struct EmailHit {
  std::size_t begin;  // first byte of the local part in the scanned view
  std::size_t end;    // one past the last byte of the domain
  std::string email;  // normalized
};

class EmailCandidates {
 public:
  // Throws std::logic_error naming the pattern if one fails to compile.
  EmailCandidates();
  EmailCandidates(const EmailCandidates&) = delete;
  EmailCandidates& operator=(const EmailCandidates&) = delete;

  // `at` is the position of an '@' in `text` (ASCII view). When no address
  // is found and `skip` is given, it says whether a well-formed address was
  // refused on purpose (a reserved domain, a file name); else it is left alone.
  std::optional<EmailHit> at_sign(std::string_view text, std::size_t at,
                                  identity::detail::EmailSkip* skip = nullptr) const;
  // `pos` is the first byte of an obfuscated "at" token: '[', '(', '{', '<',
  // '&', '%', or the 'a' of " at ". Cheap to call on a false trigger.
  std::optional<EmailHit> obfuscated(std::string_view text, std::size_t pos,
                                     identity::detail::EmailSkip* skip = nullptr) const;

 private:
  Re2PerThread domain_;      // after '@': labels and a TLD
  Re2PerThread idn_domain_;  // the same with Unicode labels, asked where non-ASCII meets the domain
  Re2PerThread bracketed_;   // from the local part's end: "[at]"-style token and domain
  Re2PerThread spelled_;     // from the local part's end: " at " and a domain with " dot "
};

}  // namespace leakwatch::extract
