// Long commands on a terminal show a progress line rewritten in place and
// clear it before their summary; piped (cron, systemd, a script) they print
// no progress at all (issue #19 part 2).
#include <doctest/doctest.h>

#include <string>

#include "harness.h"

using namespace leakwatch::testing;

namespace {

constexpr std::string_view kClear = "\r\033[K";

// 20,000 customers with an e-mail each, and a phone that is not one on line 3.
std::string customers_csv() {
  std::string csv = "customer_id,email,phone\n";
  for (int i = 0; i < 20000; ++i) {
    csv += "c" + std::to_string(i) + ",progress" + std::to_string(i) + "@qq.com," +
           (i == 1 ? "12345" : "") + "\n";
  }
  return csv;
}

// What stays on the terminal after the last clear: the summary line.
std::string after_last_clear(const std::string& err) {
  size_t at = err.rfind(kClear);
  return at == std::string::npos ? err : err.substr(at + kClear.size());
}

bool has_terminal_control(const std::string& s) {
  return s.find('\r') != std::string::npos || s.find('\033') != std::string::npos;
}

}  // namespace

TEST_CASE("progress: customers import on a terminal counts rows on one line, prints rejections above it, "
          "clears it; piped it prints only the rejections") {
  CliFixture f;
  auto csv = f.dir.write("customers.csv", customers_csv()).string();

  auto t = run_cli_on_terminal({"customers", "import", csv}, f.env);
  INFO(t.err);
  REQUIRE(t.exit_code == 0);
  CHECK(t.out.find("20000 rows: 19999 imported") != std::string::npos);
  CHECK(t.err.find(std::string(kClear) + "customers import: reading " + csv) != std::string::npos);
  // The count moves every 4,096 rows (drawn twice a second); the phase when
  // the rows are all read is drawn at once.
  CHECK(t.err.find("customers import: 20,000 rows read; storing 19,999 identifiers") != std::string::npos);
  // A rejected row gets a line of its own: the progress line is cleared first.
  CHECK(t.err.find(std::string(kClear) + "leakwatch: " + csv + ":3: rejected: phone") != std::string::npos);
  // Nothing of the progress line is left on screen (stdout goes to a file here).
  CHECK(t.err.ends_with(kClear));
  CHECK(t.err.find("@qq.com") == std::string::npos);  // counts only, never an identifier

  // A re-import merges with what is stored, and says so.
  auto again = run_cli_on_terminal({"customers", "import", csv}, f.env);
  REQUIRE(again.exit_code == 0);
  CHECK(again.err.find("customers import: merging 19,999 identifiers with those stored") != std::string::npos);

  CliFixture piped;
  auto p = piped.ok({"customers", "import", csv});
  CHECK(p.out.find("20000 rows: 19999 imported") != std::string::npos);
  CHECK_FALSE(has_terminal_control(p.err));
  CHECK(p.err.starts_with("leakwatch: " + csv + ":3: rejected: phone"));
  CHECK(p.err.find("rows read") == std::string::npos);
}

TEST_CASE("progress: extract and match on a terminal say what they do and clear the line before their "
          "summary; piped they print the summary alone") {
  CliFixture f;
  auto extract = run_cli_on_terminal({"extract"}, f.env);
  INFO(extract.err);
  REQUIRE(extract.exit_code == 0);
  CHECK(extract.err.find(std::string(kClear) + "extract: reading the pages not yet extracted, 0 s") !=
        std::string::npos);
  CHECK(after_last_clear(extract.err).starts_with("extract: 0 pages, 0 identifiers"));

  auto match = run_cli_on_terminal({"match", "--full"}, f.env);
  INFO(match.err);
  REQUIRE(match.exit_code == 0);
  CHECK(match.err.find(std::string(kClear) + "match: joining every sighting with every customer, 0 s") !=
        std::string::npos);
  CHECK(after_last_clear(match.err).starts_with("match: 0 new exposures"));

  for (const char* command : {"extract", "match"}) {
    auto p = f.ok({command});
    CAPTURE(command);
    CHECK_FALSE(has_terminal_control(p.err));
    CHECK(p.err.starts_with(std::string(command) + ": "));
    CHECK(p.err.find("reading the pages") == std::string::npos);
    CHECK(p.err.find("joining") == std::string::npos);
  }
}
