// The test harness's own promise: a child that cannot be started is an error
// naming the program and the cause, never a bare exit status 127.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "fixture_market.h"
#include "harness.h"

using namespace leakwatch::testing;

namespace {

std::string start_error(const std::vector<std::string>& argv, const std::filesystem::path& cwd = {}) {
  try {
    run_program(argv, "", {}, cwd);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(started)";
}

}  // namespace

TEST_CASE("harness: a program that is not installed is named with the cause") {
  CHECK(start_error({"leakwatch-no-such-program", "--version"}) ==
        "could not run leakwatch-no-such-program: No such file or directory");
}

TEST_CASE("harness: a file that is not executable is named with the cause") {
  TempDir dir;
  auto script = dir.write("script.sh", "#!/bin/sh\nexit 0\n");  // mode 0644
  CHECK(start_error({script.string()}) == "could not run " + script.string() + ": Permission denied");
}

TEST_CASE("harness: a working directory that does not exist is named") {
  TempDir dir;
  auto missing = dir.path() / "gone";
  CHECK(start_error({"sh", "-c", "exit 0"}, missing) ==
        "could not run sh: cd " + missing.string() + ": No such file or directory");
}

TEST_CASE("harness: a program that starts gives its own exit status and output") {
  auto r = run_program({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(r.exit_code == 3);
  CHECK(r.out == "out\n");
  CHECK(r.err == "err\n");
}

TEST_CASE("harness: a background child that cannot start throws from its constructor") {
  TempDir dir;
  try {
    ChildProcess child({"leakwatch-no-such-program"}, {}, dir.path() / "out", dir.path() / "err");
    FAIL("the child started");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "could not run leakwatch-no-such-program: No such file or directory");
  }
}
