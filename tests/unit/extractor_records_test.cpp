#include <doctest/doctest.h>

#include <vector>

#include "extract/extractor.h"

#include "extractor_fixture.h"

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
