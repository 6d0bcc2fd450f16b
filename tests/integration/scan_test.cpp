#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "harness.h"

using namespace leakwatch::testing;

namespace {

struct ScanFixture : CliFixture {
  ScanFixture() {
    auto r = run_cli({"customers", "import", "-"},
                     "customer_id,apple_id,email,phone,name\n"
                     "c1,Zhang.Wei@iCloud.com,,+86 138 1234 5678,Zhang Wei\n"
                     "c2,+8613912345678,,,\n"
                     "c3,,john.smith@gmail.com,+1 415 555 2671,\n",
                     env);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
};

const char* kDump =
    "id|apple_id|phone|price\n"                                   // 1
    "1|zhang.wei@icloud.com|13812345678|$7\n"                     // 2  c1 twice
    "2|someone.else@qq.com|13700000001|$7\n"                      // 3  nobody
    "forum post: contact 0086-139-1234-5678 for the full dump\n"  // 4  c2
    "order 20170608123456 shipped, ts 1496910000\n"               // 5  nothing
    "mail john.smith [at] gmail [dot] com\n";                     // 6  c3

}  // namespace

TEST_CASE("scan: prints the matched customers with masked identifiers, file and line") {
  ScanFixture f;
  auto dump = f.dir.write("dump.txt", kDump);
  auto r = run_cli({"scan", dump.string()}, "", f.env);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::string d = dump.string();
  CHECK(r.out == d + ":2\temail\tz***@icloud.com\tc1\n" + d + ":2\tphone\t+86138****5678\tc1\n" + d +
                     ":4\tphone\t+86139****5678\tc2\n" + d + ":6\temail\tj***@gmail.com\tc3\n");
  // Matched output never shows plaintext.
  CHECK(r.out.find("zhang.wei") == std::string::npos);

  auto bare = run_cli({"scan", "--no-filename", dump.string()}, "", f.env);
  REQUIRE_MESSAGE(bare.exit_code == 0, bare.err);
  CHECK(bare.out ==
        "2\temail\tz***@icloud.com\tc1\n"
        "2\tphone\t+86138****5678\tc1\n"
        "4\tphone\t+86139****5678\tc2\n"
        "6\temail\tj***@gmail.com\tc3\n");
}

TEST_CASE("scan --all: text lines name their file (\"-\" for stdin) unless --no-filename") {
  TempDir dir;
  auto a = dir.write("a.txt", "x\nmail zhang.wei@icloud.com\n");
  auto b = dir.write("b.txt", "tel 13812345678\n");
  const std::map<std::string, std::string> no_database = {
      {"LEAKWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}};
  auto r = run_cli({"scan", "--all", a.string(), b.string()}, "", no_database);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out ==
        a.string() + ":2\temail\tzhang.wei@icloud.com\n" + b.string() + ":1\tphone\t+8613812345678\n");

  auto bare = run_cli({"scan", "--all", "--no-filename", a.string(), b.string()}, "", no_database);
  REQUIRE_MESSAGE(bare.exit_code == 0, bare.err);
  CHECK(bare.out == "2\temail\tzhang.wei@icloud.com\n1\tphone\t+8613812345678\n");

  auto from_stdin = run_cli({"scan", "--all"}, "tel 13812345678\n", no_database);
  CHECK(from_stdin.out == "-:1\tphone\t+8613812345678\n");
}

TEST_CASE("scan --format json: JSON Lines with kind, masked, file, line and customer_id, from stdin") {
  ScanFixture f;
  auto r = run_cli({"scan", "--format", "json"}, kDump, f.env);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == 4);
  CHECK(rows[0]["customer_id"] == "c1");
  CHECK(rows[0]["kind"] == "email");
  CHECK(rows[0]["masked"] == "z***@icloud.com");
  CHECK(rows[0]["file"] == "-");
  CHECK(rows[0]["line"] == 2);
  CHECK_FALSE(rows[0].contains("value"));
  CHECK(rows[3]["customer_id"] == "c3");
}

TEST_CASE("scan --all: every identifier with its normalized value, and no database needed") {
  TempDir dir;
  auto r = run_cli({"scan", "--all", "--format", "json"}, kDump,
                   {{"LEAKWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::istringstream lines(r.out);
  std::vector<std::string> values;
  for (std::string line; std::getline(lines, line);) values.push_back(nlohmann::json::parse(line)["value"]);
  CHECK(values == std::vector<std::string>{"zhang.wei@icloud.com", "+8613812345678", "someone.else@qq.com",
                                           "+8613700000001", "+8613912345678", "john.smith@gmail.com"});
}

TEST_CASE("scan: an unreadable file is named, the other files are still scanned, exit 2 (as grep)") {
  ScanFixture f;
  auto dump = f.dir.write("dump.txt", kDump);
  auto r = run_cli({"scan", "/nonexistent/dump.txt", dump.string()}, "", f.env);
  CHECK(r.exit_code == 2);
  CHECK(r.err == "leakwatch: error: cannot read /nonexistent/dump.txt: No such file or directory\n");
  CHECK(r.out.find(dump.string() + ":6\temail\tj***@gmail.com\tc3") != std::string::npos);
}

TEST_CASE("scan: line numbers stay right across chunk boundaries of a large input") {
  ScanFixture f;
  std::string big;
  const int lines = 400000;  // about 12 MB: several 4 MiB chunks
  big.reserve(lines * 32);
  for (int i = 1; i <= lines; ++i) {
    if (i == 123457 || i == 399999) {
      big += "leak: +86 139 1234 5678 sold\n";
    } else {
      big += "row " + std::to_string(i) + " nothing to see here....\n";
    }
  }
  auto file = f.dir.write("big.txt", big);
  auto r = run_cli({"scan", file.string()}, "", f.env);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == file.string() + ":123457\tphone\t+86139****5678\tc2\n" + file.string() +
                     ":399999\tphone\t+86139****5678\tc2\n");
}
