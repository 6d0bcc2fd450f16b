// Small text helpers shared by identity's normalizers (email_address.cpp,
// phone_number.cpp, identity.cpp). Internal to identity/. Pure.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "identity/identity.h"

namespace leakwatch::identity::detail {

inline tl::unexpected<Rejection> reject(std::string reason) {
  return tl::unexpected(Rejection{std::move(reason)});
}

inline bool is_ascii_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

inline std::string_view trim_ascii(std::string_view s) {
  while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
  return s;
}

// Whether `s` starts with `prefix` (given in lowercase), ASCII case ignored.
inline bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

}  // namespace leakwatch::identity::detail
