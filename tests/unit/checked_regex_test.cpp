// Regexes written in the source are checked when built, by name.
#include <doctest/doctest.h>
#include <re2/re2.h>

#include <stdexcept>
#include <string>

#include "core/checked_regex.h"

using leakwatch::CheckedRegex;

TEST_CASE("core: a checked regex that compiles matches like the regex itself") {
  CheckedRegex<RE2> digits("digits", "([0-9]+)");
  std::string found;
  CHECK(RE2::PartialMatch("order 1234", *digits, &found));
  CHECK(found == "1234");
  CHECK(digits->NumberOfCapturingGroups() == 1);
}

TEST_CASE(
    "core: a pattern that does not compile is an error naming the regex, not a regex matching nothing") {
  RE2::Options quiet;
  quiet.set_log_errors(false);
  try {
    CheckedRegex<RE2> broken("login URL", "(unclosed", quiet);
    FAIL("a broken pattern was accepted");
  } catch (const std::logic_error& e) {
    std::string message = e.what();
    CHECK(message.find("regex login URL does not compile") != std::string::npos);
    CHECK(message.find("missing )") != std::string::npos);
  }
}
