#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdio>

#include "harness.h"
#include "identity/keyed_hash.h"

using namespace leakwatch::testing;
using leakwatch::identity::HashKey;
using leakwatch::identity::Kind;
using leakwatch::identity::to_hex;

namespace {

struct Fixture : CliFixture {
  CliResult import(const std::string& csv, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"customers", "import"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("-");
    return run_cli(args, csv, env);
  }
  long count(const std::string& where = "true") {
    return std::stol(db.query_value("SELECT count(*) FROM customer_identifiers WHERE " + where));
  }
  std::string hash_of(Kind kind, const std::string& normalized) {
    return to_hex(HashKey::load(key).hash(kind, normalized));
  }
  bool stored(const std::string& customer, Kind kind, const std::string& normalized) {
    return count("customer_id = '" + customer + "' AND hash = '" + hash_of(kind, normalized) + "'::uuid") ==
           1;
  }
};

const char* kCustomers =
    "customer_id,apple_id,email,phone,name\n"
    "c1,Zhang.Wei@iCloud.com,,+86 138 1234 5678,Zhang Wei\n"
    "c2,+8613912345678,li.na@qq.com,139-1234-5678,李娜\n"
    "c3,,ＷＡＮＧ＠ME.COM,（+86）１３７１２３４５６７８,\n"
    "c4,,john.smith@gmail.com,+1 (415) 555-2671,John Smith\n"
    "c5,,,0086-186-1234-5678,\n";

}  // namespace

TEST_CASE("customers import: plaintext CSV is normalized, hashed with the key and stored as hashes only") {
  Fixture f;
  auto r = f.import(kCustomers);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("5 rows: 5 imported, 0 skipped (already present), 0 rejected") != std::string::npos);

  CHECK(f.stored("c1", Kind::kEmail, "zhang.wei@icloud.com"));
  CHECK(f.stored("c1", Kind::kPhone, "+8613812345678"));
  CHECK(f.stored("c1", Kind::kName, "zhang wei"));
  // The Apple ID that is a phone and the phone column are one identifier.
  CHECK(f.stored("c2", Kind::kPhone, "+8613912345678"));
  CHECK(f.count("customer_id = 'c2'") == 3);  // phone, email, name
  // Full-width letters, ＠ and digits, (+86) prefix.
  CHECK(f.stored("c3", Kind::kEmail, "wang@me.com"));
  CHECK(f.stored("c3", Kind::kPhone, "+8613712345678"));
  CHECK(f.stored("c4", Kind::kPhone, "+14155552671"));
  CHECK(f.stored("c5", Kind::kPhone, "+8618612345678"));
  CHECK(f.count() == 12);
  CHECK(f.count("kind = 'name'") == 3);
  CHECK(f.db.query_value("SELECT count(DISTINCT key_version) FROM customer_identifiers") == "1");
}

TEST_CASE("customers import: importing the same file again changes nothing") {
  Fixture f;
  REQUIRE(f.import(kCustomers).exit_code == 0);
  long before = f.count();
  auto again = f.import(kCustomers);
  REQUIRE_MESSAGE(again.exit_code == 0, again.err);
  CHECK(again.out.find("5 rows: 0 imported, 5 skipped (already present), 0 rejected; 0 new identifiers") !=
        std::string::npos);
  CHECK(f.count() == before);
}

TEST_CASE("customers import: bad rows are reported with their line and reason, the rest is imported") {
  Fixture f;
  const std::string csv =
      "customer_id,email,phone\n"        // line 1
      "c1,good.one@icloud.com,\n"        // 2
      "c2,not-an-email,\n"               // 3  bad email
      "c3,ok3@qq.com,12345\n"            // 4  bad phone
      "c4,ok4@qq.com\n"                  // 5  too few fields
      "\"c5\",\"multi\n"                 // 6  quoted field over two lines
      "line@outlook.com\",\n"            // 7
      "c6,logo@2x.png,\n"                // 8  image name, not an email
      ",ok7@qq.com,\n"                   // 9  no customer_id
      "c8,ok8@qq.com,\"broken\"quote\n"  // 10 malformed quoting
      "c9,,+86 138 0013 8000\n";         // 11
  auto r = f.import(csv);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.find("-:3: rejected: email:") != std::string::npos);
  CHECK(r.err.find("-:4: rejected: phone:") != std::string::npos);
  CHECK(r.err.find("-:5: rejected: expected 3 fields, found 2") != std::string::npos);
  CHECK(r.err.find("-:8: rejected: email:") != std::string::npos);
  CHECK(r.err.find("-:9: rejected: customer_id is empty") != std::string::npos);
  CHECK(r.err.find("-:10: rejected: malformed quoting") != std::string::npos);
  // A quoted field may hold a newline: the record starts on line 6 and ends on 7.
  CHECK(r.err.find("-:6: rejected: email:") != std::string::npos);
  CHECK(r.err.find("-:7:") == std::string::npos);
  CHECK(r.err.find("-:11:") == std::string::npos);
  // Rejections never echo the identifiers.
  for (const char* plain :
       {"not-an-email", "12345", "ok4@qq.com", "logo@2x.png", "ok7@qq.com", "ok3@qq.com"}) {
    CHECK_MESSAGE(r.err.find(plain) == std::string::npos, plain);
  }
  CHECK(r.out.find("9 rows: 2 imported, 0 skipped (already present), 7 rejected") != std::string::npos);
  CHECK(f.stored("c1", Kind::kEmail, "good.one@icloud.com"));
  CHECK(f.count("customer_id = 'c5'") == 0);
  CHECK(f.stored("c9", Kind::kPhone, "+8613800138000"));
}

TEST_CASE("customers import: --strict turns the first bad row into an error and imports nothing") {
  Fixture f;
  auto r = f.import("customer_id,email\nc1,a.b@icloud.com\nc2,nope\nc3,c.d@icloud.com\n", {"--strict"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("leakwatch: error: -:3: email:") == 0);
  CHECK(r.err.find("nothing imported") != std::string::npos);
  CHECK(f.count() == 0);
}

TEST_CASE("customers import: UTF-8 byte-order mark and CRLF line ends") {
  Fixture f;
  auto r = f.import(
      "\xEF\xBB\xBF"
      "customer_id,Email\r\nc1,\"Quoted, Name\"\"s\"\"@x.com\"\r\nc2,bom@icloud.com\r\n");
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("2 rows: 1 imported, 0 skipped (already present), 1 rejected") != std::string::npos);
  CHECK(r.err.find("-:2: rejected: email:") != std::string::npos);
  CHECK(f.stored("c2", Kind::kEmail, "bom@icloud.com"));
}

TEST_CASE("customers import --hashed: customer_id,kind,hash rows go in as given") {
  Fixture f;
  std::string h1 = f.hash_of(Kind::kEmail, "pre.hashed@icloud.com");
  std::string h2 = f.hash_of(Kind::kPhone, "+8613812345678");
  std::string csv =
      "customer_id,kind,hash\nh1,email," + h1 + "\nh2,phone," + h2 + "\nh3,fax," + h2 + "\nh4,email,xyz\n";
  auto r = run_cli({"customers", "import", "--hashed", "-"}, csv, {{"LEAKWATCH_DATABASE_URL", f.db.url()}});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);  // no key needed for hashed input
  CHECK(r.err.find("-:4: rejected: kind:") != std::string::npos);
  CHECK(r.err.find("-:5: rejected: hash:") != std::string::npos);
  CHECK(f.stored("h1", Kind::kEmail, "pre.hashed@icloud.com"));
  CHECK(f.stored("h2", Kind::kPhone, "+8613812345678"));
  CHECK(f.count() == 2);
}

TEST_CASE("customers import: a header without customer_id is a usage error naming the file") {
  Fixture f;
  auto r = f.import("id,email\n1,a@b.com\n");
  CHECK(r.exit_code == 2);
  CHECK(r.err == "leakwatch: error: -:1: header: no customer_id column\n");
}

TEST_CASE("customers import: no key file is a clear error, never a default key") {
  TestDatabase db;
  REQUIRE(run_cli({"--database", db.url(), "db", "migrate"}).exit_code == 0);
  auto r =
      run_cli({"--database", db.url(), "customers", "import", "-"}, "customer_id,email\nc1,a.b@icloud.com\n");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no HMAC key") != std::string::npos);
  CHECK(db.query_value("SELECT count(*) FROM customer_identifiers") == "0");

  TempDir dir;
  auto missing =
      run_cli({"--database", db.url(), "customers", "import", "-"}, "customer_id,email\nc1,a.b@icloud.com\n",
              {{"LEAKWATCH_HMAC_KEY_FILE", (dir.path() / "nope.key").string()}});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.key") != std::string::npos);

  auto short_key = dir.write("short.key", "abcdef\n");
  ::chmod(short_key.c_str(), 0600);
  auto bad =
      run_cli({"--database", db.url(), "customers", "import", "-"}, "customer_id,email\nc1,a.b@icloud.com\n",
              {{"LEAKWATCH_HMAC_KEY_FILE", short_key.string()}});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("short.key") != std::string::npos);
}

TEST_CASE("customers import: a key file group or others can access is refused, naming its mode and the fix") {
  Fixture f;
  for (mode_t mode : {0644, 0640, 0604, 0660, 0601}) {
    CAPTURE(mode);
    ::chmod(f.key.c_str(), mode);
    auto r = f.import("customer_id,email\nc1,a.b@icloud.com\n");
    CHECK(r.exit_code == 2);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    CHECK(r.err == "leakwatch: error: HMAC key file " + f.key.string() + ": has mode " + octal +
                       ": it must not be accessible by group or others; fix: chmod 600 " + f.key.string() +
                       "\n");
  }
  CHECK(f.count() == 0);
  ::chmod(f.key.c_str(), 0400);
  auto ok = f.import("customer_id,email\nc1,a.b@icloud.com\n");
  CHECK_MESSAGE(ok.exit_code == 0, ok.err);
  CHECK(ok.err.find("key file") == std::string::npos);
}

TEST_CASE("customers import: a customer_id that is not UTF-8 is rejected by line, the rest imported") {
  Fixture f;
  using namespace std::string_literals;  // the NUL byte stays in
  const std::string csv =
      "customer_id,email\n"                  // 1
      "c1,first@icloud.com\n"                // 2
      "c\xff\xfeSECRETROW,bad@icloud.com\n"  // 3: Latin-1 junk in the id
      "c3,third@icloud.com\n"                // 4
      "\"c4\0x\",nul@icloud.com\n"           // 5: a NUL byte
      "c5,fifth@icloud.com\n"s;              // 6
  auto r = f.import(csv);
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.err.find("-:3: rejected: customer_id is not valid UTF-8 text") != std::string::npos);
  CHECK(r.err.find("-:5: rejected: customer_id is not valid UTF-8 text") != std::string::npos);
  CHECK(r.err.find("SECRETROW") == std::string::npos);
  CHECK(r.err.find("bad@icloud.com") == std::string::npos);
  CHECK(r.out.find("5 rows: 3 imported, 0 skipped (already present), 2 rejected") != std::string::npos);
  CHECK(f.stored("c1", Kind::kEmail, "first@icloud.com"));
  CHECK(f.stored("c3", Kind::kEmail, "third@icloud.com"));
  CHECK(f.stored("c5", Kind::kEmail, "fifth@icloud.com"));
  CHECK(f.count() == 3);
  // Hashed files too.
  const std::string hashed = "customer_id,kind,hash\nh\xff,email," + f.hash_of(Kind::kEmail, "x@icloud.com") +
                             "\nh2,email," + f.hash_of(Kind::kEmail, "y@icloud.com") + "\n";
  auto h = run_cli({"customers", "import", "--hashed", "-"}, hashed, f.env);
  REQUIRE_MESSAGE(h.exit_code == 0, h.err);
  CHECK(h.err.find("-:2: rejected: customer_id is not valid UTF-8 text") != std::string::npos);
  CHECK(f.count() == 4);
}

TEST_CASE("customers import: a missing input file names the file, exit 1") {
  Fixture f;
  auto r = run_cli({"customers", "import", "/nonexistent/customers.csv"}, "", f.env);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot read /nonexistent/customers.csv") != std::string::npos);
}
