#include <doctest/doctest.h>

#include <string>

#include "identity/identity.h"

using leakwatch::identity::Identifier;
using leakwatch::identity::Kind;
using leakwatch::identity::kind_name;
using leakwatch::identity::normalize_apple_id;
using leakwatch::identity::normalize_email;
using leakwatch::identity::normalize_name;
using leakwatch::identity::normalize_phone;
using leakwatch::identity::parse_kind;

namespace {

std::string email_or_reason(std::string_view in) {
  auto r = normalize_email(in);
  return r ? *r : "rejected: " + r.error().reason;
}

std::string phone_or_reason(std::string_view in, std::string_view region = "CN") {
  auto r = normalize_phone(in, region);
  return r ? *r : "rejected: " + r.error().reason;
}

void check_email_rejected(std::string_view in) {
  auto r = normalize_email(in);
  CHECK_MESSAGE(!r, "accepted: ", std::string(in));
  if (!r) {
    CHECK(!r.error().reason.empty());
    if (!in.empty()) CHECK(r.error().reason.find(std::string(in)) == std::string::npos);
  }
}

void check_phone_rejected(std::string_view in, std::string_view region = "CN") {
  auto r = normalize_phone(in, region);
  CHECK_MESSAGE(!r, "accepted: ", std::string(in), " as ", r ? *r : "");
  if (!r) CHECK(!r.error().reason.empty());
}

}  // namespace

TEST_CASE("identity: kind names round-trip") {
  for (Kind k : {Kind::kEmail, Kind::kPhone, Kind::kName}) {
    CHECK(parse_kind(kind_name(k)) == k);
  }
  CHECK(kind_name(Kind::kEmail) == "email");
  CHECK(kind_name(Kind::kPhone) == "phone");
  CHECK(kind_name(Kind::kName) == "name");
  CHECK_FALSE(parse_kind("Email").has_value());
  CHECK_FALSE(parse_kind("").has_value());
}

TEST_CASE("identity: mixed-case email is lowercased whole and trimmed") {
  CHECK(email_or_reason("Zhang.Wei@iCloud.COM") == "zhang.wei@icloud.com");
  CHECK(email_or_reason("  zhang.wei@icloud.com \r\n") == "zhang.wei@icloud.com");
  CHECK(email_or_reason("mailto:Li.Na@QQ.com") == "li.na@qq.com");
}

TEST_CASE("identity: full-width letters, digits and ＠ normalize by NFKC") {
  CHECK(email_or_reason("ｚｈａｎｇ１２３＠ｑｑ．ｃｏｍ") == "zhang123@qq.com");
  CHECK(email_or_reason("zhangwei＠163.com") == "zhangwei@163.com");
}

TEST_CASE("identity: obfuscated emails are de-obfuscated") {
  SUBCASE("[at] [dot]") { CHECK(email_or_reason("name [at] icloud [dot] com") == "name@icloud.com"); }
  SUBCASE("(at) (dot)") { CHECK(email_or_reason("name(at)me(dot)com") == "name@me.com"); }
  SUBCASE("(at) only") { CHECK(email_or_reason("name(at)me.com") == "name@me.com"); }
  SUBCASE("spelled words") { CHECK(email_or_reason("name at qq dot com") == "name@qq.com"); }
  SUBCASE("upper-case words") { CHECK(email_or_reason("Name AT QQ DOT com") == "name@qq.com"); }
  SUBCASE("HTML entity") { CHECK(email_or_reason("name&#64;qq.com") == "name@qq.com"); }
  SUBCASE("percent-encoded") { CHECK(email_or_reason("name%40qq.com") == "name@qq.com"); }
}

TEST_CASE("identity: emails with a file-extension TLD are rejected") {
  check_email_rejected("logo@2x.png");
  check_email_rejected("icon@2x.jpg");
  check_email_rejected("sprite@3x.webp");
  check_email_rejected("a@b.gif");
  check_email_rejected("bundle@1.2.js");
  check_email_rejected("style@main.css");
  check_email_rejected("vector@icons.svg");
}

TEST_CASE("identity: reserved, example and local domains are rejected") {
  check_email_rejected("user@localhost");
  check_email_rejected("user@foo.localhost");
  check_email_rejected("user@example.com");
  check_email_rejected("user@mail.example.org");
  check_email_rejected("user@example.net");
  check_email_rejected("user@host.test");
  check_email_rejected("user@host.invalid");
  check_email_rejected("user@host.example");
  check_email_rejected("user@[127.0.0.1]");
  check_email_rejected("user@192.168.1.1");
  CHECK(email_or_reason("user@notexample.com") == "user@notexample.com");
}

TEST_CASE("identity: malformed emails are rejected with a reason that omits the input") {
  check_email_rejected("");
  check_email_rejected("no-at-sign.com");
  check_email_rejected("two@@qq.com");
  check_email_rejected("a@b@qq.com");
  check_email_rejected("@qq.com");
  check_email_rejected("user@");
  check_email_rejected("user@qq");
  check_email_rejected("user@qq.c");
  check_email_rejected("user@qq.c0m");
  check_email_rejected(".user@qq.com");
  check_email_rejected("us..er@qq.com");
  check_email_rejected("us er@qq.com");
  check_email_rejected("user@-qq.com");
  check_email_rejected("user@qq..com");
  check_email_rejected("邮箱abc@outlook.com");
  check_email_rejected(std::string(65, 'a') + "@qq.com");
  check_email_rejected("a@" + std::string(250, 'b') + ".com");
  check_email_rejected(std::string("ab\xff@qq.com"));
  check_email_rejected(std::string("ab\0c@qq.com", 11));
  CHECK(email_or_reason(std::string(64, 'a') + "@qq.com") == std::string(64, 'a') + "@qq.com");
}

TEST_CASE("identity: a malformed email's reason names its first fault, in a fixed order") {
  // The customer import prints these per rejected row.
  CHECK(email_or_reason("no-at-sign.com") == "rejected: no '@' in address");
  CHECK(email_or_reason("a b@c@qq.com") == "rejected: more than one '@' in address");
  CHECK(email_or_reason("a b@qq.com") == "rejected: address contains whitespace or control characters");
  CHECK(email_or_reason(std::string("a\x01b@qq.com")) ==
        "rejected: address contains whitespace or control characters");
  CHECK(email_or_reason(std::string("a\x7f"
                                    "b@qq.com")) ==
        "rejected: address contains whitespace or control characters");
  CHECK(email_or_reason("@qq.com") == "rejected: empty local part");
  CHECK(email_or_reason(std::string(65, 'a') + "@qq.com") == "rejected: local part longer than 64 bytes");
  CHECK(email_or_reason(".ab@qq.com") == "rejected: local part starts or ends with a dot");
  CHECK(email_or_reason("a\"b..c@qq.com") == "rejected: local part has two dots in a row");
  CHECK(email_or_reason("Ab\xc3\xa9..c@qq.com") == "rejected: local part has two dots in a row");
  CHECK(email_or_reason("a\"b@qq.com") == "rejected: local part has a character not allowed in an address");
  CHECK(email_or_reason("ab\xc3\xa9\"c@qq.com") == "rejected: local part has non-ASCII characters");
  CHECK(email_or_reason("o'brien+tag@QQ.com") == "o'brien+tag@qq.com");
  CHECK(email_or_reason("user@qq") == "rejected: domain has no top-level domain");
}

TEST_CASE("identity: invalid UTF-8 email reason says so") {
  auto r = normalize_email("ab\xc3@qq.com");
  REQUIRE_FALSE(r);
  CHECK(r.error().reason == "invalid UTF-8");
}

TEST_CASE("identity: +86 138 1234 5678 normalizes to E.164") {
  CHECK(phone_or_reason("+86 138 1234 5678") == "+8613812345678");
}

TEST_CASE("identity: Chinese mobile in its written forms normalizes to one E.164") {
  for (const char* in :
       {"13812345678", "138 1234 5678", "138-1234-5678", "138.1234.5678", "0086-138-1234-5678",
        "0086 13812345678", "(+86)13812345678", "(+86) 138-1234-5678", "+86-138-1234-5678", "+8613812345678",
        "8613812345678", "tel:+86-138-1234-5678",
        "\xEF\xBC\x91\xEF\xBC\x93\xEF\xBC\x98\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93\xEF\xBC\x94"
        "\xEF\xBC\x95\xEF\xBC\x96\xEF\xBC\x97\xEF\xBC\x98",  // full-width １３８１２３４５６７８
        "\xEF\xBC\x8B"
        "86 138 1234 5678",  // full-width ＋
        "138\xE2\x80\x8B"
        "1234\xE2\x80\x8B"
        "5678"}) {  // zero-width spaces
    CAPTURE(in);
    CHECK(phone_or_reason(in) == "+8613812345678");
  }
}

TEST_CASE("identity: 11-digit 1[3-9] number without country code is Chinese only where CN is the region") {
  CHECK(phone_or_reason("19529975288", "CN") == "+8619529975288");
  CHECK(phone_or_reason("13812345678", "GB,CN") == "+8613812345678");
  // In the US "1 650 333 6000" is a US number with its trunk '1', not a mobile.
  CHECK(phone_or_reason("16503336000", "US") == "+16503336000");
  check_phone_rejected("13812345678", "US");
  check_phone_rejected("13812345678", "GB");
}

TEST_CASE("identity: a Unicode domain and its punycode form normalize to one address") {
  auto unicode = normalize_email("Jeff@臺網中心.TW");
  REQUIRE(unicode);
  CHECK(unicode->starts_with("jeff@xn--"));
  CHECK(unicode->ends_with(".tw"));
  CHECK(normalize_email(*unicode).value_or("") == *unicode);
  CHECK(normalize_email("a@пример.рф").value_or("") == "a@xn--e1afmkfd.xn--p1ai");
  CHECK(normalize_email("a@xn--e1afmkfd.xn--p1ai").value_or("") == "a@xn--e1afmkfd.xn--p1ai");
  CHECK_FALSE(normalize_email("me@anything.arpa"));
}

TEST_CASE("identity: US, UK and HK numbers normalize to E.164") {
  SUBCASE("US with +1") { CHECK(phone_or_reason("+1 (650) 253-0000") == "+16502530000"); }
  SUBCASE("US national in region US") { CHECK(phone_or_reason("(650) 253-0000", "US") == "+16502530000"); }
  SUBCASE("US via 011 from US") { CHECK(phone_or_reason("011 44 20 7946 0958", "US") == "+442079460958"); }
  SUBCASE("UK with +44") { CHECK(phone_or_reason("+44 20 7946 0958") == "+442079460958"); }
  SUBCASE("UK national in region GB") { CHECK(phone_or_reason("020 7946 0958", "GB") == "+442079460958"); }
  SUBCASE("UK mobile via 0044") { CHECK(phone_or_reason("0044 7400 123456") == "+447400123456"); }
  SUBCASE("HK mobile") { CHECK(phone_or_reason("+852 9123 4567") == "+85291234567"); }
  SUBCASE("HK national in region HK") { CHECK(phone_or_reason("9123 4567", "HK") == "+85291234567"); }
}

TEST_CASE("identity: invalid phone numbers are rejected with a reason") {
  check_phone_rejected("");
  check_phone_rejected("1381234567");    // one digit short
  check_phone_rejected("138123456789");  // one digit long
  check_phone_rejected("12345678901");   // 12x is not a mobile prefix
  check_phone_rejected("+86 100 0000 0000");
  check_phone_rejected("+999 1234 5678");  // no such country code
  check_phone_rejected("138-1234-567a");
  check_phone_rejected("20170608123456");
  check_phone_rejected("+1 555 0100");
  check_phone_rejected("1+3812345678");
  check_phone_rejected("123456789012345678901");
  check_phone_rejected(
      std::string("138\xff"
                  "12345678"));
}

TEST_CASE("identity: names are NFKC, case folded and whitespace collapsed") {
  CHECK(normalize_name("  Zhang   Wei ").value() == "zhang wei");
  CHECK(normalize_name("ZHANG\tWEI").value() == "zhang wei");
  CHECK(normalize_name("张伟").value() == "张伟");
  CHECK(normalize_name("张\xE3\x80\x80伟").value() == "张 伟");  // ideographic space
  CHECK(normalize_name("Ｚｈａｎｇ").value() == "zhang");
  CHECK(normalize_name("Straße").value() == "strasse");
  CHECK_FALSE(normalize_name("   ").has_value());
  CHECK_FALSE(normalize_name(std::string(300, 'a')).has_value());
  CHECK_FALSE(normalize_name("\xff").has_value());
}

TEST_CASE("identity: Apple ID with '@' is an email, otherwise a phone") {
  auto email = normalize_apple_id("Zhang.Wei＠iCloud.com", "CN");
  REQUIRE(email);
  CHECK(email->kind == Kind::kEmail);
  CHECK(email->value == "zhang.wei@icloud.com");

  auto obfuscated = normalize_apple_id("zhang [at] qq [dot] com", "CN");
  REQUIRE(obfuscated);
  CHECK(obfuscated->kind == Kind::kEmail);
  CHECK(obfuscated->value == "zhang@qq.com");

  auto phone = normalize_apple_id("+86 138 1234 5678", "CN");
  REQUIRE(phone);
  CHECK(phone->kind == Kind::kPhone);
  CHECK(phone->value == "+8613812345678");

  CHECK_FALSE(normalize_apple_id("not an id", "CN"));
  CHECK_FALSE(normalize_apple_id("logo@2x.png", "CN"));
}
