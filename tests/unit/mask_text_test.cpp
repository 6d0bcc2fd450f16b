#include <doctest/doctest.h>

#include "extract/extractor.h"
#include "extract/mask_text.h"

using leakwatch::extract::Extractor;
using leakwatch::extract::mask_identifiers;

TEST_CASE("mask_text: identifiers in titles, URLs and messages are masked; other text is untouched") {
  static const Extractor extractor;
  CHECK(mask_identifiers(extractor, "listing for zhou.ming8@163.com") == "listing for z***@163.com");
  CHECK(mask_identifiers(extractor, "call +86 138 1234 5678 now") == "call +86138****5678 now");
  CHECK(mask_identifiers(extractor, "Apple IDs, fresh, $5 each") == "Apple IDs, fresh, $5 each");
  CHECK(mask_identifiers(extractor, "") == "");

  SUBCASE("in a URL's path and query, also percent-encoded") {
    CHECK(mask_identifiers(extractor, "http://m.onion/contact/zhou.ming8@163.com") ==
          "http://m.onion/contact/z***@163.com");
    std::string query = mask_identifiers(extractor, "http://m.onion/profile?user=zhou.ming8%40163.com&x=1");
    CHECK(query.find("zhou.ming8") == std::string::npos);
    CHECK(query.find("z***@163.com&x=1") != std::string::npos);
    CHECK(mask_identifiers(extractor, "http://m.onion/p?phone=%2B8613812345678").find("12345678") ==
          std::string::npos);
    CHECK(mask_identifiers(extractor, "http://m.onion/a%20b/listing/7") == "http://m.onion/a%20b/listing/7");
  }
  SUBCASE("an error message that quotes a URL") {
    std::string m = mask_identifiers(extractor, "fetch http://m.onion/u/li.na@qq.com: timeout after 10 s");
    CHECK(m == "fetch http://m.onion/u/l***@qq.com: timeout after 10 s");
  }
}
