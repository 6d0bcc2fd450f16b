// A regex built once from a pattern written in the source. A pattern that
// does not compile is a programming error: it is reported by name the first
// time the regex is built, instead of the regex silently matching nothing.
// Works with any regex type that has ok() and error() (RE2), so core/ needs
// no regex library of its own.
//
//   static const CheckedRegex<RE2> kPassword("password field", R"(<input[^>]*password)");
//   RE2::PartialMatch(html, *kPassword);
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace leakwatch {

template <typename Regex>
class CheckedRegex {
 public:
  // Builds Regex(args...); throws std::logic_error "regex NAME does not
  // compile: ERROR" when it does not.
  template <typename... Args>
  explicit CheckedRegex(std::string_view name, Args&&... args) : re_(std::forward<Args>(args)...) {
    if (!re_.ok()) {
      throw std::logic_error("regex " + std::string(name) + " does not compile: " + re_.error());
    }
  }
  CheckedRegex(const CheckedRegex&) = delete;
  CheckedRegex& operator=(const CheckedRegex&) = delete;

  const Regex& operator*() const { return re_; }
  const Regex* operator->() const { return &re_; }

 private:
  Regex re_;
};

}  // namespace leakwatch
