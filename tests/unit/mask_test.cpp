#include <doctest/doctest.h>

#include "identity/mask.h"

using leakwatch::identity::Kind;
using leakwatch::identity::mask;
using leakwatch::identity::mask_email;
using leakwatch::identity::mask_name;
using leakwatch::identity::mask_phone;

TEST_CASE("mask: email keeps the first character and the domain") {
  CHECK(mask_email("zhang.wei@icloud.com") == "z***@icloud.com");
  CHECK(mask_email("a@qq.com") == "a***@qq.com");
  CHECK(mask_email("not-an-email") == "***");
}

TEST_CASE("mask: Chinese mobile keeps +86, three leading and four trailing digits") {
  CHECK(mask_phone("+8613812345678") == "+86138****5678");
}

TEST_CASE("mask: short national numbers keep at most half their digits") {
  // US: 10 national digits -> 5 kept.
  CHECK(mask_phone("+16502530000") == "+165*****000");
  // HK: 8 national digits -> 4 kept.
  CHECK(mask_phone("+85291234567") == "+85291****67");
  // UK: 10 national digits.
  CHECK(mask_phone("+442079460958") == "+4420*****958");
}

TEST_CASE("mask: malformed phone input never shows more than two characters") {
  CHECK(mask_phone("13812345678") == "***78");
  CHECK(mask_phone("") == "***");
}

TEST_CASE("mask: names show only the first character of each word") {
  CHECK(mask_name("Zhang Wei") == "Z*** W***");
  CHECK(mask_name("张伟") == "张***");
  CHECK(mask_name("") == "***");
}

TEST_CASE("mask: dispatch by kind") {
  CHECK(mask(Kind::kEmail, "zhang.wei@icloud.com") == "z***@icloud.com");
  CHECK(mask(Kind::kPhone, "+8613812345678") == "+86138****5678");
  CHECK(mask(Kind::kName, "zhang wei") == "z*** w***");
}
