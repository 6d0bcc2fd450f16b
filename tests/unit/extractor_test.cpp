#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "extract/extractor.h"
#include "extract/stream_scan.h"
#include "identity/identity.h"
#include "identity/keyed_hash.h"

using leakwatch::extract::Extractor;
using leakwatch::extract::ExtractorOptions;
using leakwatch::extract::FoundIdentifier;
using leakwatch::identity::Kind;
using leakwatch::identity::kind_name;

namespace {

const Extractor& extractor() {
  static const Extractor e{ExtractorOptions{}};
  return e;
}

std::vector<FoundIdentifier> scan_all(std::string_view text) {
  std::vector<FoundIdentifier> out;
  extractor().scan(text, [&](const FoundIdentifier& f) { out.push_back(f); });
  return out;
}

// "kind:value" of every email and phone found, in order (names left out).
std::vector<std::string> ids(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& f : scan_all(text)) {
    if (f.identifier.kind == Kind::kName) continue;
    out.push_back(std::string(kind_name(f.identifier.kind)) + ":" + f.identifier.value);
  }
  return out;
}

using V = std::vector<std::string>;
const V kNone{};
const std::string kMobile = "phone:+8613812345678";

}  // namespace

TEST_CASE("extractor: plain email in any case is found lowercased") {
  CHECK(ids("contact Zhang.Wei@iCloud.COM today") == V{"email:zhang.wei@icloud.com"});
}

TEST_CASE("extractor: mailto link yields the address") {
  CHECK(ids(R"(<a href="mailto:li.na@qq.com">mail</a>)") == V{"email:li.na@qq.com"});
}

TEST_CASE("extractor: obfuscated emails are found") {
  CHECK(ids("name [at] icloud [dot] com") == V{"email:name@icloud.com"});
  CHECK(ids("write to name(at)me.com please") == V{"email:name@me.com"});
  CHECK(ids("name at qq dot com") == V{"email:name@qq.com"});
  CHECK(ids("name&#64;qq.com") == V{"email:name@qq.com"});
  CHECK(ids("https://x.onion/?u=name%40qq.com&x=1") == V{"email:name@qq.com"});
}

TEST_CASE("extractor: full-width ＠, letters and digits are found") {
  CHECK(ids("邮箱：ｚｈａｎｇ１２３＠ｑｑ．ｃｏｍ") == V{"email:zhang123@qq.com"});
  CHECK(ids("邮箱zhangwei＠163.com") == V{"email:zhangwei@163.com"});
}

TEST_CASE("extractor: Chinese characters glued to an address stay out of it") {
  CHECK(ids("邮箱abc@outlook.com") == V{"email:abc@outlook.com"});
}

TEST_CASE("extractor: Chinese mobile in each written form is found") {
  for (const char* text :
       {"13812345678", "138 1234 5678", "138-1234-5678", "138.1234.5678", "+86 138 1234 5678",
        "+8613812345678", "0086 138 1234 5678", "0086-13812345678", "(+86)13812345678", "(+86) 138-1234-5678",
        "+86-138-1234-5678", "8613812345678", "tel:+86-138-1234-5678", "手机13812345678",
        "手机：13812345678。", "phone,13812345678,x"}) {
    CAPTURE(text);
    CHECK(ids(text) == V{kMobile});
  }
}

TEST_CASE("extractor: full-width digits and invisible separators in a mobile are found") {
  CHECK(ids("电话：１３８１２３４５６７８") == V{kMobile});
  CHECK(ids("＋８６ １３８ １２３４ ５６７８") == V{kMobile});
  CHECK(ids("138\xE2\x80\x8B"
            "1234\xE2\x80\x8B"
            "5678") == V{kMobile});
}

TEST_CASE("extractor: international numbers with a + country code are found") {
  CHECK(ids("call +1 (650) 253-0000 now") == V{"phone:+16502530000"});
  CHECK(ids("UK +44 20 7946 0958") == V{"phone:+442079460958"});
  CHECK(ids("HK: +852 9123 4567") == V{"phone:+85291234567"});
}

TEST_CASE("extractor: Chinese landlines with a trunk 0 and area code are found") {
  CHECK(ids("电话 010-62345678") == V{"phone:+861062345678"});
  CHECK(ids("tel 021-6234 5678") == V{"phone:+862162345678"});
  CHECK(ids("(0571) 8765 4321") == V{"phone:+8657187654321"});
}

TEST_CASE("extractor: bank cards and ID numbers written in groups are not phones") {
  CHECK(ids("card 4709 3399 1944 2410 937") == kNone);
  CHECK(ids("card 0755 7922 9181 0560 132") == kNone);
  CHECK(ids("ID 330106199003071234 or 33010619900307123X") == kNone);
}

TEST_CASE("extractor: dates, times and thousands are not phones") {
  CHECK(ids("2017-09-22 12:27:19 2017.06.08 2017/06/08 09:00-22:00 13,812,345") == kNone);
}

TEST_CASE("extractor: a TSV field after a mobile does not hide it") {
  CHECK(ids("177 6625 6925\t3733577a3fba052a") == V{"phone:+8617766256925"});
}

TEST_CASE("extractor: Apple ID that is a phone number is a phone") {
  CHECK(ids("Apple ID: +8613812345678 pwd: x") == V{kMobile});
}

TEST_CASE("extractor: 11-digit 1[3-9] number is Chinese, not American") {
  CHECK(ids("19529975288") == V{"phone:+8619529975288"});
}

TEST_CASE("extractor: image names are not emails") {
  CHECK(ids(R"(<img src="logo@2x.png"> <img src="/i/icon@2x.png">)") == kNone);
}

TEST_CASE("extractor: localhost and reserved domains are not emails") {
  CHECK(ids("user@localhost root@localhost.localdomain") == kNone);
  CHECK(ids("see user@example.com or a@b.test or c@d.invalid") == kNone);
}

TEST_CASE("extractor: order numbers and timestamps are not phones") {
  CHECK(ids("订单号 20170608123456 时间 1496910000") == kNone);
  CHECK(ids("order 201706081381234567 shipped") == kNone);
}

TEST_CASE("extractor: mobiles glued inside longer digit runs or words are not found") {
  CHECK(ids("x2013812345678") == kNone);
  CHECK(ids("138123456789") == kNone);
  CHECK(ids("ID13812345678") == kNone);
  CHECK(ids("13812345678abc") == kNone);
  CHECK(ids("SF1381234567800") == kNone);
}

TEST_CASE("extractor: numbers one digit short or long are not found") {
  CHECK(ids("1381234567") == kNone);
  CHECK(ids("138123456789") == kNone);
  CHECK(ids("138 1234 567") == kNone);
}

TEST_CASE("extractor: prices are not phones") {
  CHECK(ids("price ¥13.80 or $1380.00 or 13812345678.00 yuan") == kNone);
}

TEST_CASE("extractor: version strings and IPv4 addresses are not phones") {
  CHECK(ids("iOS 13.8.1234 build") == kNone);
  CHECK(ids("host 182.17.178.167 up") == kNone);
}

TEST_CASE("extractor: BTC addresses and hex hashes are not found") {
  CHECK(ids("send to 1BoatSLRHtKNngkdXEeobR76b53LETtpyT now") == kNone);
  CHECK(ids("sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08") == kNone);
  CHECK(ids("md5 13812345678abcdef0123456789abcde") == kNone);
}

TEST_CASE("extractor: IMEI and tracking numbers are not phones") {
  CHECK(ids("IMEI 861234567890123") == kNone);
  CHECK(ids("YT13812345678CN") == kNone);
}

TEST_CASE("extractor: an address with digits in its local part is one email, not a phone") {
  CHECK(ids("13812345678@qq.com") == V{"email:13812345678@qq.com"});
}

TEST_CASE("extractor: two mobiles side by side are two") {
  CHECK(ids("13812345678 13987654321") == V{kMobile, "phone:+8613987654321"});
  CHECK(ids("13812345678,13987654321") == V{kMobile, "phone:+8613987654321"});
}

TEST_CASE("extractor: mobiles listed with '/' or grouped 3-4-4 one after another are each found") {
  CHECK(ids("13812345678/13987654321") == V{kMobile, "phone:+8613987654321"});
  CHECK(ids("批量号码：15242069163、19854988802/16591672423。") ==
        V{"phone:+8615242069163", "phone:+8619854988802", "phone:+8616591672423"});
  CHECK(ids("138 1234 5678 139 8765 4321") == V{kMobile, "phone:+8613987654321"});
  CHECK(ids("+86 138 1234 5678 139 8765 4321") == V{kMobile, "phone:+8613987654321"});
  // A path segment of a URL stays what it is.
  CHECK(ids("https://weibo.com/u/13812345678") == kNone);
}

TEST_CASE("extractor: a tab is a field separator, never part of a number") {
  CHECK(ids("00:06:19\t794413974") == kNone);
  CHECK(ids("50734\t17105601\t175-4016-2844\t310115200308040180") == V{"phone:+8617540162844"});
  CHECK(ids("x\t14328364844\tmail\t2018-11-05 11:21:13\t950557275") == kNone);
}

TEST_CASE("extractor: a gap of several spaces separates columns, not digit groups") {
  CHECK(ids("13:45  171 1548 3460") == V{"phone:+8617115483460"});
  CHECK(ids("2019-10-23 12:45  138 1234 5678") == V{kMobile});
  CHECK(ids("Jason Allen  1396634  2016-09-12 20:00:42  115.90.204.80") == kNone);
  CHECK(ids("2018-06-11 11:53:16  605212234") == kNone);
  CHECK(ids("2017-08-25 13:18  484967592  ") == kNone);
}

TEST_CASE("extractor: no-break and ideographic spaces between digit groups are spaces") {
  CHECK(ids("tel 138\u00A01234\u00A05678") == V{kMobile});
  CHECK(ids("193\u30008119\u30003539,295 Hill Road") == V{"phone:+8619381193539"});
  CHECK(ids("电话：138\u30001234\u30005678。") == V{kMobile});
}

TEST_CASE("extractor: a parenthesis after a number only joins an area code it closes") {
  CHECK(ids("Support: +49 89 4149919 (24/7)") == V{"phone:+49894149919"});
  CHECK(ids("call +1 (650) 253-0000 (office)") == V{"phone:+16502530000"});
}

TEST_CASE("extractor: addresses under a top-level domain that does not exist are not emails") {
  CHECK(ids("luckylover1991@gmail.con cailuo@qq.cmo a.b@mail.zzzz") == kNone);
  CHECK(ids("market admin@abcdefghijklmnop.onion") == kNone);
  CHECK(ids("zhang@qq.com li@mail.co.uk wang@example.cn") ==
        V{"email:zhang@qq.com", "email:li@mail.co.uk", "email:wang@example.cn"});
}

TEST_CASE("extractor: records are lines and offsets point into the text") {
  std::string text = "header\r\nzhang@qq.com,13812345678\n\nli@163.com\n";
  auto found = scan_all(text);
  REQUIRE(found.size() == 3);
  CHECK(found[0].record == 1);
  CHECK(found[0].offset == text.find("zhang@qq.com"));
  CHECK(found[0].length == 12);
  CHECK(found[0].masked == "z***@qq.com");
  CHECK(found[1].record == 1);
  CHECK(found[1].offset == text.find("13812345678"));
  CHECK(found[1].masked == "+86138****5678");
  CHECK(found[2].record == 3);
}

TEST_CASE("extractor: offsets map back through full-width text") {
  std::string text = "电话：１３８１２３４５６７８";
  auto found = scan_all(text);
  REQUIRE(found.size() == 1);
  CHECK(found[0].offset == text.find("\xEF\xBC\x91"));
  CHECK(found[0].offset + found[0].length == text.size());
}

TEST_CASE("extractor: a name column of a CSV dump is picked up as evidence") {
  auto found = scan_all("id,姓名,手机,邮箱\n1,张伟,13812345678,zw@qq.com\n");
  REQUIRE(found.size() == 3);
  CHECK(found[0].identifier.kind == Kind::kName);
  CHECK(found[0].identifier.value == "张伟");
  CHECK(found[0].record == 1);
  CHECK(found[0].masked == "张***");
}

TEST_CASE("extractor: a Name: field in the same record is picked up") {
  auto found = scan_all("Name: Zhang Wei Phone: 13812345678");
  REQUIRE(found.size() == 2);
  CHECK(found[0].identifier.kind == Kind::kName);
  CHECK(found[0].identifier.value == "zhang wei");
  auto cn = scan_all("姓名：李娜 手机：13812345678");
  REQUIRE(cn.size() == 2);
  CHECK(cn[0].identifier.value == "李娜");
}

TEST_CASE("extractor: names without an identifier in the record are not reported") {
  CHECK(scan_all("Name: Zhang Wei\n").empty());
}

TEST_CASE("extractor: the name header carries across chunks through ScanContext") {
  leakwatch::extract::ScanContext context;
  std::vector<FoundIdentifier> found;
  auto sink = [&](const FoundIdentifier& f) { found.push_back(f); };
  extractor().scan("name|phone\n", sink, &context, 0);
  extractor().scan("Li Na|13812345678\n", sink, &context, 1);
  REQUIRE(found.size() == 2);
  CHECK(found[0].identifier.value == "li na");
  CHECK(found[0].record == 1);
}

TEST_CASE("extractor: invalid UTF-8, NUL bytes and binary junk do not stop it") {
  static constexpr char kBytes[] = "\xff\xfe\x00\x01 zhang@qq.com \xc3\x28 13812345678 \xed\xa0\x80";
  std::string text(kBytes, sizeof kBytes - 1);
  CHECK(ids(text) == V{"email:zhang@qq.com", kMobile});
  std::string junk;
  for (int i = 0; i < 100000; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xff));
  CHECK_NOTHROW(scan_all(junk));
}

TEST_CASE("extractor: an unknown default region is refused") {
  ExtractorOptions options;
  options.default_region = "XX";
  CHECK_THROWS_AS(Extractor{options}, std::invalid_argument);
}

TEST_CASE("extractor: labelled corpus from gen_corpus.py scores precision >= 0.995 and recall >= 0.99") {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("leakwatch-corpus-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string script = LEAKWATCH_SOURCE_DIR "/scripts/gen_corpus.py", out = dir.string();
  std::vector<char*> argv{const_cast<char*>("python3"),
                          script.data(),
                          const_cast<char*>("--lines"),
                          const_cast<char*>("20000"),
                          const_cast<char*>("--out"),
                          out.data(),
                          nullptr};
  posix_spawn_file_actions_t quiet;  // its stderr to /dev/null
  posix_spawn_file_actions_init(&quiet);
  posix_spawn_file_actions_addopen(&quiet, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  // glibc's posix_spawnp reports a failed exec (python3 not installed) as its result.
  int spawn_error = posix_spawnp(&pid, "python3", &quiet, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&quiet);
  if (spawn_error != 0) {
    fs::remove_all(dir);
    FAIL("could not run python3: ", std::strerror(spawn_error));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fs::remove_all(dir);
    FAIL("scripts/gen_corpus.py failed: wait status ", status);
  }
  std::ifstream corpus_in(dir / "corpus.txt", std::ios::binary);
  std::ostringstream corpus;
  corpus << corpus_in.rdbuf();
  using Row = std::tuple<std::size_t, std::string, std::string>;
  std::multiset<Row> truth;
  std::ifstream labels(dir / "labels.tsv");
  std::string line;
  while (std::getline(labels, line)) {
    std::istringstream fields(line);
    std::string n, kind, value;
    std::getline(fields, n, '\t');
    std::getline(fields, kind, '\t');
    std::getline(fields, value, '\t');
    truth.insert({std::stoul(n), kind, value});
  }
  fs::remove_all(dir);
  REQUIRE(truth.size() > 10000);

  std::size_t found = 0;
  std::size_t true_positives = 0;
  extractor().scan(corpus.str(), [&](const FoundIdentifier& f) {
    if (f.identifier.kind == Kind::kName) return;
    ++found;
    auto it = truth.find({f.record, std::string(kind_name(f.identifier.kind)), f.identifier.value});
    if (it != truth.end()) {
      ++true_positives;
      truth.erase(it);
    }
  });
  std::size_t labelled = true_positives + truth.size();
  double precision = static_cast<double>(true_positives) / static_cast<double>(found);
  double recall = static_cast<double>(true_positives) / static_cast<double>(labelled);
  MESSAGE("corpus: ", labelled, " labelled, ", found, " found, precision ", precision, ", recall ", recall);
  std::printf("extractor corpus: %zu labelled, %zu found, precision %.4f, recall %.4f\n", labelled, found,
              precision, recall);
  CHECK(precision >= 0.995);
  CHECK(recall >= 0.99);
}

TEST_CASE(
    "extractor: scan_stream gives the same identifiers, offsets and records as one scan, any thread count") {
  std::string text = "id,name,phone\n";
  for (int i = 0; i < 400; ++i) {
    text += std::to_string(i) + ",Li Na," + std::to_string(13812345000LL + i) + "\n";
    if (i % 7 == 0) text += "noise 2017-06-08 logo@2x.png zw" + std::to_string(i) + "@qq.com\n";
    if (i == 200) text += "uid|姓名|手机\n";
    if (i > 200 && i < 300 && i % 5 == 0) text += "9|张伟|+86 139 0000 " + std::to_string(1000 + i) + "\n";
    // Headers that move the name column, each followed by rows that need it.
    if (i >= 300 && i % 20 == 0) text += i % 40 == 0 ? "姓名\tuid\t手机\n" : "uid;phone;name\n";
    if (i >= 300 && i % 40 < 20)
      text += "王芳\t" + std::to_string(i) + "\t13700001" + std::to_string(100 + i) + "\n";
    if (i >= 300 && i % 40 >= 20)
      text += std::to_string(i) + ";13600002" + std::to_string(100 + i) + ";Zhou Jie\n";
  }
  text += "tail 13912345678";  // no final newline
  auto key = [](const FoundIdentifier& f) {
    return std::string(kind_name(f.identifier.kind)) + ":" + f.identifier.value + "@" +
           std::to_string(f.offset) + "#" + std::to_string(f.record);
  };
  std::vector<std::string> expected;
  extractor().scan(text, [&](const FoundIdentifier& f) { expected.push_back(key(f)); });
  REQUIRE(expected.size() > 500);
  for (unsigned threads : {1u, 2u, 4u}) {
    for (std::size_t chunk : {std::size_t{50}, std::size_t{997}, std::size_t{4096}, std::size_t{1} << 20}) {
      CAPTURE(threads);
      CAPTURE(chunk);
      std::istringstream in(text);
      std::vector<std::string> got;
      leakwatch::extract::StreamScanOptions options;
      options.threads = threads;
      options.chunk_bytes = chunk;
      auto stats = leakwatch::extract::scan_stream(in, extractor(), options,
                                                   [&](const FoundIdentifier& f) { got.push_back(key(f)); });
      REQUIRE(stats);
      CHECK(stats->bytes == text.size());
      CHECK(stats->records == static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1);
      CHECK(stats->identifiers == got.size());
      CHECK(got == expected);

      // Rendered on the workers, written in order: the same text.
      std::istringstream again(text);
      std::string written;
      auto rendered = leakwatch::extract::scan_stream_rendered(
          again, extractor(), options,
          [&](const FoundIdentifier& f, std::string* out) { *out += key(f) + "\n"; },
          [&](std::string_view chunk_text) { written += chunk_text; });
      REQUIRE(rendered);
      CHECK(rendered->identifiers == expected.size());
      std::string joined;
      for (const auto& e : expected) joined += e + "\n";
      CHECK(written == joined);
    }
  }
}

TEST_CASE("extractor: scan_stream scans a line longer than a chunk in windows, with the same results") {
  // Records joined without newlines (a dump flattened to one line): every
  // window cut lands somewhere inside or between identifiers.
  std::string text;
  for (int i = 0; text.size() < 300000; ++i) {
    text += "uid=" + std::to_string(i) + " mail=li.na" + std::to_string(i) + "@qq.com tel=+86 138 " +
            std::to_string(1000 + i % 9000) + " " + std::to_string(1000 + i % 8999) + " 20170608" +
            (i % 3 == 0 ? " ; " : " ");
  }
  text += "\nsecond line 13912345678\n";
  auto key = [](const FoundIdentifier& f) {
    return std::string(kind_name(f.identifier.kind)) + ":" + f.identifier.value + "@" +
           std::to_string(f.offset) + "#" + std::to_string(f.record);
  };
  std::vector<std::string> expected;
  extractor().scan(text, [&](const FoundIdentifier& f) { expected.push_back(key(f)); });
  REQUIRE(expected.size() > 9000);
  for (std::size_t chunk : {std::size_t{100}, std::size_t{997}, std::size_t{65536}}) {
    for (unsigned threads : {1u, 2u}) {
      CAPTURE(chunk);
      CAPTURE(threads);
      std::istringstream in(text);
      leakwatch::extract::StreamScanOptions options;
      options.chunk_bytes = chunk;
      options.threads = threads;
      std::vector<std::string> got;
      auto stats = leakwatch::extract::scan_stream(in, extractor(), options,
                                                   [&](const FoundIdentifier& f) { got.push_back(key(f)); });
      REQUIRE(stats);
      CHECK(stats->bytes == text.size());
      CHECK(stats->records == 2);
      CHECK(got == expected);
    }
  }
}

TEST_CASE("extractor: a number after a long run of grouped figures is still found") {
  CHECK(ids("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20, 13812345678") == V{kMobile});
}

TEST_CASE("extractor: hostile 4 MB lines stay linear") {
  for (std::string unit : {"1 ", "a@", "x [at] ", "@", "(at)", "9", "\xEF\xBC\x91", "a.", "-1", "名:"}) {
    CAPTURE(unit);
    std::string line;
    while (line.size() < (4u << 20)) line += unit;
    line += " 13812345678\n";
    auto start = std::chrono::steady_clock::now();
    auto found = ids(line);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(seconds < 30.0);  // a linearity guard (quadratic would take hours), loose for sanitizer builds
    if (unit != "9" && unit != "-1" && unit != "a.") CHECK(found == V{kMobile});
  }
}

TEST_CASE("extractor: with a key set, each identifier carries its keyed hash") {
  leakwatch::identity::HashKey key(std::vector<std::uint8_t>(32, 7));
  ExtractorOptions options;
  options.key = &key;
  Extractor keyed(options);
  std::vector<FoundIdentifier> found;
  keyed.scan("Zhang.Wei@iCloud.com 138-1234-5678", [&](const FoundIdentifier& f) { found.push_back(f); });
  REQUIRE(found.size() == 2);
  REQUIRE(found[0].hash.has_value());
  CHECK(*found[0].hash == key.hash(Kind::kEmail, "zhang.wei@icloud.com"));
  CHECK(*found[1].hash == key.hash(Kind::kPhone, "+8613812345678"));
  CHECK_FALSE(scan_all("a@qq.com")[0].hash.has_value());
}

TEST_CASE("extractor: every value equals what the customer import's normalization gives (found by fuzzing)") {
  auto values = [](const std::string& text) {
    std::vector<std::string> out;
    extractor().scan(text, [&](const FoundIdentifier& f) {
      if (f.identifier.kind != leakwatch::identity::Kind::kName) out.push_back(f.identifier.value);
    });
    return out;
  };
  // A '0' after '+' is no country code.
  CHECK(values("+062 7527 2621 722").empty());
  CHECK(values("tel: 0006275272621722").empty());
  // Mexico's old mobile '1': the E.164 libphonenumber gives, as import does.
  auto mx = values("+52 1 33 8133 8421");
  REQUIRE(mx.size() == 1);
  CHECK(mx[0] == *leakwatch::identity::normalize_phone("+52 1 33 8133 8421", "CN"));
  // And a printed value, imported again (a customer file in E.164), gives
  // itself: Parse strips Mexico's '1' once per pass, so "+52 1133 8133 8421"
  // used to print +5213381338421, which imports as +523381338421.
  for (const char* text : {"+52 1133 8133 8421", "+52 1 33 8133 8421", "+52 33 8133 8421"}) {
    CAPTURE(text);
    auto found = values(text);
    REQUIRE(found.size() == 1);
    CHECK(*leakwatch::identity::normalize_phone(found[0], "CN") == found[0]);
    CHECK(*leakwatch::identity::normalize_phone(text, "CN") == found[0]);
  }
  // %40 in a local part: normalize_email rejects it, so no value to match.
  CHECK(values("user=a%40b@qq.com").empty());
}

TEST_CASE("extractor (cause 7): the password of a credential URL is not an email") {
  CHECK(ids("http://user:pass@host.com") == kNone);
  CHECK(ids("ftp://root:toor@files.qq.com/backup") == kNone);
  CHECK(ids("https://admin@panel.qq.com/login") == kNone);
  // Found: addresses after a key with a colon, and in a URL's query.
  CHECK(ids("email:zhang@qq.com") == V{"email:zhang@qq.com"});
  CHECK(ids("mailto:li@163.com") == V{"email:li@163.com"});
  CHECK(ids("https://x.com/?u=wang@qq.com") == V{"email:wang@qq.com"});
}

TEST_CASE("extractor (cause 8): punycode and Unicode domains are found, one normalized form for both") {
  CHECK(ids("a@xn--d1acufc.xn--p1ai") == V{"email:a@xn--d1acufc.xn--p1ai"});
  CHECK(ids("mail a@пример.рф now") == V{"email:a@xn--e1afmkfd.xn--p1ai"});
  auto unicode = ids("jeff@臺網中心.tw");
  REQUIRE(unicode.size() == 1);
  CHECK(unicode[0] == "email:" + *leakwatch::identity::normalize_email("jeff@臺網中心.tw"));
  CHECK(unicode[0].find("@xn--") != std::string::npos);
  // The punycode form, written out, is the same address (hence the same hash).
  CHECK(ids(unicode[0].substr(6)) == unicode);
  CHECK(*leakwatch::identity::normalize_email("JEFF@臺網中心.TW") == unicode[0].substr(6));
  // Chinese text glued after an ASCII TLD stays out of the address.
  CHECK(ids("邮箱zhang@qq.com电话") == V{"email:zhang@qq.com"});
  // Not found: a Unicode TLD that does not exist, an invalid A-label.
  CHECK(ids("a@例子.不存在") == kNone);
  CHECK(ids("a@xn--zz.com") == kNone);
}

TEST_CASE("extractor (cause 9): .arpa, over 254 octets and a quoted local part's tail are not emails") {
  CHECK(ids("me@anything.arpa") == kNone);
  std::string labels;
  for (int i = 0; i < 4; ++i) labels += std::string(60, 'a' + i) + ".";
  std::string long_address = std::string(20, 'x') + "@" + labels + "com";  // 20 + 1 + 244 + 3 bytes
  REQUIRE(long_address.size() > 254);
  CHECK(ids(long_address) == kNone);
  std::string short_address = std::string(5, 'x') + "@" + labels.substr(61) + "com";
  CHECK(ids(short_address) == V{"email:" + short_address});
  CHECK(ids(R"("test"test@iana.org)") == kNone);
  // An opening quote is a delimiter as usual.
  CHECK(ids(R"(email="zhang@qq.com")") == V{"email:zhang@qq.com"});
}

TEST_CASE("extractor: deliberate email policies stay (reserved domains, -- separators, key=value)") {
  CHECK(ids("a@example.com b@x.test c@y.invalid") == kNone);
  CHECK(ids("account----zhang@qq.com----pass") == V{"email:zhang@qq.com"});
  CHECK(ids("user=li@163.com&pwd=1") == V{"email:li@163.com"});
}
