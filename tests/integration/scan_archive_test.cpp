// `leakwatch scan` on archives and compressed files, long lines, exit status
// and --stats, from the user's side. The archives are written here with
// libarchive's writer; the formats' own tools write the larger set in the
// `archives` test (tests/archives/score_archives.py).
#include <archive.h>
#include <archive_entry.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>

#include "harness.h"

using namespace leakwatch::testing;

namespace {

using Members = std::vector<std::pair<std::string, std::string>>;

la_ssize_t append(struct archive*, void* out, const void* data, size_t size) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

// `members` packed in `format` ("zip", "gnutar", "raw") under `filter`
// ("none", "gzip", "xz", ...), ZipCrypto-encrypted with `password` if given.
std::string pack(const Members& members, const std::string& format, const std::string& filter = "none",
                 const char* password = nullptr) {
  struct archive* a = archive_write_new();
  REQUIRE(archive_write_set_format_by_name(a, format.c_str()) == ARCHIVE_OK);
  if (filter != "none") REQUIRE(archive_write_add_filter_by_name(a, filter.c_str()) == ARCHIVE_OK);
  if (password != nullptr) {
    REQUIRE(archive_write_set_options(a, "zip:encryption=zipcrypt") == ARCHIVE_OK);
    REQUIRE(archive_write_set_passphrase(a, password) == ARCHIVE_OK);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  std::string out;
  REQUIRE(archive_write_open(a, &out, nullptr, append, nullptr) == ARCHIVE_OK);
  for (const auto& [name, data] : members) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
    REQUIRE(archive_write_data(a, data.data(), data.size()) == static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  REQUIRE(archive_write_close(a) == ARCHIVE_OK);
  archive_write_free(a);
  return out;
}

const std::map<std::string, std::string> kNoDatabase = {
    {"LEAKWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none"}};

const Members kLeak = {{"users/a.csv", "id,mail\n1,zhang.wei@icloud.com\n2,li.na@qq.com\n"},
                       {"b.txt", "nothing\nnothing\ntel 13812345678\n"}};

}  // namespace

TEST_CASE("scan: archives are told by their bytes; lines name file!member and count within the member") {
  TempDir dir;
  auto zip = dir.write("notes.txt", pack(kLeak, "zip"));  // a zip, named .txt
  auto txz = dir.write("dump.bin", pack(kLeak, "gnutar", "xz"));
  auto r = run_cli({"scan", "--all", zip.string(), txz.string()}, "", kNoDatabase);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string z = zip.string(), t = txz.string();
  CHECK(r.out == z + "!users/a.csv:2\temail\tzhang.wei@icloud.com\n" + z +
                     "!users/a.csv:3\temail\tli.na@qq.com\n" + z + "!b.txt:3\tphone\t+8613812345678\n" + t +
                     "!users/a.csv:2\temail\tzhang.wei@icloud.com\n" + t +
                     "!users/a.csv:3\temail\tli.na@qq.com\n" + t + "!b.txt:3\tphone\t+8613812345678\n");
  CHECK(r.err.empty());

  // A gzip on stdin is text after decompression: no member, lines as in the text.
  auto gz =
      run_cli({"scan", "--all"}, pack({{"x", "a\nmail wang.fang@163.com\n"}}, "raw", "gzip"), kNoDatabase);
  CHECK(gz.out == "-:2\temail\twang.fang@163.com\n");

  // Nested: a zip inside a tar.gz, on stdin (no seeking).
  auto nested = pack({{"inner.zip", pack(kLeak, "zip")}}, "gnutar", "gzip");
  auto n = run_cli({"scan", "--all", "--no-filename"}, nested, kNoDatabase);
  REQUIRE_MESSAGE(n.exit_code == 0, n.err);
  CHECK(n.out ==
        "inner.zip!users/a.csv:2\temail\tzhang.wei@icloud.com\ninner.zip!users/a.csv:3\temail\tli.na@qq.com\n"
        "inner.zip!b.txt:3\tphone\t+8613812345678\n");
  auto shallow = run_cli({"scan", "--all", "--max-depth", "1"}, nested, kNoDatabase);
  CHECK(shallow.exit_code == 2);
  CHECK(shallow.err ==
        "leakwatch: error: -!inner.zip: an archive nested more than 1 deep (--max-depth); not opened\n");
}

TEST_CASE("scan --format json: archives add a member field; file stays the input") {
  TempDir dir;
  auto zip = dir.write("leak.zip", pack(kLeak, "zip"));
  auto r = run_cli({"scan", "--all", "--format", "json", zip.string()}, "", kNoDatabase);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(nlohmann::json::parse(line));
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["file"] == zip.string());
  CHECK(rows[0]["member"] == "users/a.csv");
  CHECK(rows[0]["line"] == 2);
  CHECK(rows[2]["member"] == "b.txt");
  CHECK(rows[2]["line"] == 3);
  auto plain = run_cli({"scan", "--all", "--format", "json"}, "13812345678\n", kNoDatabase);
  CHECK_FALSE(nlohmann::json::parse(plain.out).contains("member"));
}

TEST_CASE("scan: an encrypted entry is reported and the rest scanned; --password opens it") {
  TempDir dir;
  auto locked = dir.write("locked.zip", pack(kLeak, "zip", "none", "pass: 7Leak"));
  auto plain = dir.write("plain.txt", "mail zhou.jie@126.com\n");
  auto r = run_cli({"scan", "--all", locked.string(), plain.string()}, "", kNoDatabase);
  CHECK(r.exit_code == 0);  // something was found; the encrypted entries are warnings
  CHECK(r.out == plain.string() + ":1\temail\tzhou.jie@126.com\n");
  CHECK(r.err.find("leakwatch: warning: " + locked.string() +
                   "!users/a.csv: encrypted; not read (give --password or --password-file)") !=
        std::string::npos);
  CHECK(r.err.find(locked.string() + "!b.txt: encrypted") != std::string::npos);

  auto wrong = run_cli({"scan", "--all", "--password", "nope", locked.string()}, "", kNoDatabase);
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("none of the 1 password(s) opens it") != std::string::npos);

  auto passwords = dir.write("passwords", "nope\npass: 7Leak\n");
  auto right =
      run_cli({"scan", "--all", "--no-filename", "--password-file", passwords.string(), locked.string()}, "",
              kNoDatabase);
  REQUIRE_MESSAGE(right.exit_code == 0, right.err);
  CHECK(right.out ==
        "users/a.csv:2\temail\tzhang.wei@icloud.com\nusers/a.csv:3\temail\tli.na@qq.com\n"
        "b.txt:3\tphone\t+8613812345678\n");
  CHECK(right.err.empty());
}

TEST_CASE("scan: a corrupt archive gives what could be read and an error naming the member") {
  TempDir dir;
  std::string big;
  for (int i = 0; i < 20000; ++i)
    big += "row " + std::to_string(i) + " mail u" + std::to_string(i) + "@qq.com\n";
  std::string tgz = pack({{"first.csv", "mail first@qq.com\n"}, {"second.csv", big}}, "gnutar", "gzip");
  auto cut = dir.write("cut.tar.gz", tgz.substr(0, tgz.size() / 2));
  auto r = run_cli({"scan", "--all", "--no-filename", cut.string()}, "", kNoDatabase);
  CHECK(r.exit_code == 2);
  CHECK(r.out.rfind("first.csv:1\temail\tfirst@qq.com\nsecond.csv:1\temail\tu0@qq.com\n", 0) == 0);
  // Named as the member being read or the one read last, as libarchive finds the cut.
  CHECK(r.err.rfind("leakwatch: error: " + cut.string(), 0) == 0);
  CHECK(r.err.find("second.csv") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("scan: exit 1 when nothing is found, 0 when something is; --stats counts on stderr") {
  auto none = run_cli({"scan", "--all"}, "nothing here\norder 2017-06-08\n", kNoDatabase);
  CHECK(none.exit_code == 1);
  CHECK(none.out.empty());
  CHECK(none.err.empty());  // not a terminal: no summary unless asked

  auto stats = run_cli({"scan", "--all", "--stats"}, "a\nmail li.na@qq.com tel 13812345678\n", kNoDatabase);
  CHECK(stats.exit_code == 0);
  CHECK(stats.err.rfind("leakwatch scan: 2 identifiers; 36 bytes, 2 lines in 1 input(s);", 0) == 0);
  CHECK(stats.err.find("\n  identifiers  2  (1 email, 1 phone)\n") != std::string::npos);
  CHECK(stats.err.find("\n  skipped      0 on purpose") != std::string::npos);

  // What README and `scan --help` say is skipped on purpose is counted, by why.
  auto skipped = run_cli({"scan", "--all", "--stats"},
                         "contact: Li.Na@Example.COM, qa@shop.test\n<img src=logo@2x.png>\n"
                         "order 20120102 08:00, ref 1234567\n",
                         kNoDatabase);
  CHECK(skipped.exit_code == 1);  // nothing found
  CHECK(skipped.out.empty());
  CHECK(skipped.err.find("\n  skipped      5 on purpose") != std::string::npos);
  CHECK(skipped.err.find("\n    reserved domains  2  (") != std::string::npos);
  CHECK(skipped.err.find("\n    file names        1  (") != std::string::npos);
  CHECK(skipped.err.find("\n    invalid numbers   2  (") != std::string::npos);
}

TEST_CASE("scan: one 40 MB line finds what the same records find on lines of their own") {
  std::string lines, one_line;
  for (int i = 0; one_line.size() < (40u << 20); ++i) {
    const std::string record = "uid=" + std::to_string(i) + " mail=u" + std::to_string(i) +
                               "@qq.com tel=+86 138 " + std::to_string(1000 + i % 9000) + " " +
                               std::to_string(1000 + (i * 7) % 9000);
    lines += record + "\n";
    one_line += record + " ; ";
  }
  TempDir dir;
  auto a = dir.write("lines.txt", lines);
  auto b = dir.write("one.txt", one_line);
  auto by_line = run_cli({"scan", "--all", "--no-filename", a.string()}, "", kNoDatabase);
  auto single = run_cli({"scan", "--all", "--no-filename", b.string()}, "", kNoDatabase);
  REQUIRE_MESSAGE(by_line.exit_code == 0, by_line.err);
  REQUIRE_MESSAGE(single.exit_code == 0, single.err);
  // The same identifiers in the same order; every one on line 1.
  auto values = [](const std::string& out, bool all_line_one) {
    std::vector<std::string> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (all_line_one) CHECK(line.rfind("1\t", 0) == 0);
      v.push_back(line.substr(line.find('\t') + 1));
    }
    return v;
  };
  const auto expected = values(by_line.out, false);
  CHECK(expected.size() > 700000);
  CHECK(values(single.out, true) == expected);
}

TEST_CASE("scan: matched customers inside an archive name the member") {
  CliFixture f;
  auto imported = run_cli({"customers", "import", "-"}, "customer_id,email\nc1,li.na@qq.com\n", f.env);
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  auto zip = f.dir.write("leak.zip", pack(kLeak, "zip"));
  auto r = run_cli({"scan", zip.string()}, "", f.env);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out == zip.string() + "!users/a.csv:3\temail\tl***@qq.com\tc1\n");
  auto nothing = run_cli({"scan", "-"}, "mail someone.else@qq.com\n", f.env);
  CHECK(nothing.exit_code == 1);
  CHECK(nothing.out.empty());
}

TEST_CASE("scan: a database that cannot be reached is an error, exit 2 (1 would mean nothing found)") {
  TempDir dir;
  auto key = write_key_file(dir);
  auto r = run_cli({"scan", "-"}, "mail li.na@qq.com\n",
                   {{"LEAKWATCH_HMAC_KEY_FILE", key.string()},
                    {"LEAKWATCH_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("127.0.0.1:1") != std::string::npos);
}
