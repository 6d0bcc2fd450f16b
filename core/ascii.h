// ASCII case and whitespace, as protocols and file formats define them
// (HTTP header names, URL schemes and hosts, HTML tag and attribute names,
// CSV headers): never the locale's, never Unicode's. Unicode case folding is
// identity/'s (ICU).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace leakwatch {

constexpr char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string ascii_lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

inline bool ascii_iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// `text` without the characters of `chars` at either end.
constexpr std::string_view trim(std::string_view text, std::string_view chars = " \t") {
  const size_t first = text.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(chars) - first + 1);
}

}  // namespace leakwatch
