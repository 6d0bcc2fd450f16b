#include <doctest/doctest.h>

#include <string>

#include "extractor_fixture.h"

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

TEST_CASE("extractor: a number after a long run of grouped figures is still found") {
  CHECK(ids("1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20, 13812345678") == V{kMobile});
}
