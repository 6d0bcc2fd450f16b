#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "identity/identity.h"
#include "identity/keyed_hash.h"

#include "extractor_fixture.h"

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
