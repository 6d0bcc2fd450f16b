#include <doctest/doctest.h>

#include <string>

#include "identity/identity.h"

#include "extractor_fixture.h"

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

TEST_CASE("extractor: image names are not emails") {
  CHECK(ids(R"(<img src="logo@2x.png"> <img src="/i/icon@2x.png">)") == kNone);
}

TEST_CASE("extractor: localhost and reserved domains are not emails") {
  CHECK(ids("user@localhost root@localhost.localdomain") == kNone);
  CHECK(ids("see user@example.com or a@b.test or c@d.invalid") == kNone);
}

TEST_CASE("extractor: an address with digits in its local part is one email, not a phone") {
  CHECK(ids("13812345678@qq.com") == V{"email:13812345678@qq.com"});
}

TEST_CASE("extractor: addresses under a top-level domain that does not exist are not emails") {
  CHECK(ids("luckylover1991@gmail.con cailuo@qq.cmo a.b@mail.zzzz") == kNone);
  CHECK(ids("market admin@abcdefghijklmnop.onion") == kNone);
  CHECK(ids("zhang@qq.com li@mail.co.uk wang@example.cn") ==
        V{"email:zhang@qq.com", "email:li@mail.co.uk", "email:wang@example.cn"});
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

namespace {

// "reserved/files/numbers" that a scan of `text` skipped on purpose, counting
// those that start in [begin, end).
std::string skips(std::string_view text, std::size_t begin = 0, std::size_t end = std::string_view::npos) {
  std::vector<std::size_t> newlines;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') newlines.push_back(i);
  }
  leakwatch::extract::SkipTally tally;
  tally.begin = begin;
  tally.end = end;
  extractor().scan(text, newlines, [](FoundIdentifier&&) {}, nullptr, 0, &tally);
  const auto& k = tally.counts;
  return std::to_string(k.reserved_domains) + "/" + std::to_string(k.file_names) + "/" +
         std::to_string(k.invalid_numbers);
}

}  // namespace

TEST_CASE("extractor: what it skips on purpose is counted by why, each once") {
  // Reserved and documentation domains, whatever the spelling of the address.
  CHECK(skips("contact: Li.Na@Example.COM") == "1/0/0");
  CHECK(skips("a@b.test, c@d.invalid, e@f.example, g@localhost.localhost, h@x.onion, i [at] j.test") ==
        "6/0/0");
  CHECK(skips("ｌｉ＠ｅｘａｍｐｌｅ．ｃｏｍ") == "1/0/0");  // full-width: the line is folded and read again, once
  // File names where a top-level domain would be.
  CHECK(skips("<img src=logo@2x.png> icon@3x.jpg") == "0/2/0");
  // Phone-length digit runs that are no valid number; shorter or longer
  // runs are no phone's shape, and digits inside a found address are its own.
  CHECK(skips("on 20120102 08:00, order 1234567, price 12345, card 12345678901234567890") == "0/0/2");
  CHECK(skips("user12345678@qq.com") == "0/0/0");
  // What is found is not skipped; other refusals (no such TLD) are not counted.
  CHECK(skips("li.na@qq.com 13812345678 a@b.con") == "0/0/0");
  // Only the candidates that start inside the window count.
  const std::string two = "a@b.test\nc@d.test\n";
  CHECK(skips(two, 0, 9) == "1/0/0");
  CHECK(skips(two, 9) == "1/0/0");
}
