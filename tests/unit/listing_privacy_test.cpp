#include <doctest/doctest.h>

#include <string>

#include "db/listing_privacy.h"

using leakwatch::db::ListingPrivacy;

namespace {

// A stand-in masker: stars over every "secret" (the real one is
// extract::mask_identifiers, tested in mask_text_test.cpp).
std::string mask_secrets(std::string_view text) {
  std::string out(text);
  for (auto pos = out.find("secret"); pos != std::string::npos; pos = out.find("secret", pos)) {
    out.replace(pos, 6, "s*****");
  }
  return out;
}

ListingPrivacy privacy(std::uint8_t fill) {
  ListingPrivacy::Key data{}, tag{};
  data.fill(fill);
  tag.fill(static_cast<std::uint8_t>(fill + 1));
  return ListingPrivacy(data, tag, mask_secrets);
}

}  // namespace

TEST_CASE("listing privacy: sealed text opens only under its key, unaltered, and never shows the plaintext") {
  auto p = privacy(1);
  std::string text = "name | email\nZhang Wei | zhang.wei@icloud.com\n";
  std::string sealed = p.seal(text);
  CHECK(sealed.find("zhang.wei") == std::string::npos);
  CHECK(sealed.size() == text.size() + 24 + 16);
  CHECK(p.seal(text) != sealed);  // a fresh nonce each time
  CHECK(p.open(sealed) == text);
  CHECK_FALSE(privacy(2).open(sealed).has_value());
  std::string altered = sealed;
  altered[30] = static_cast<char>(altered[30] ^ 1);
  CHECK_FALSE(p.open(altered).has_value());
  CHECK_FALSE(p.open("short").has_value());
  CHECK(p.open(p.seal("")) == "");
}

TEST_CASE(
    "listing privacy: a URL is stored as itself unless it carries an identifier; then masked and tagged") {
  auto p = privacy(1);
  CHECK(p.stored_url("http://m.onion/listing/7") == "http://m.onion/listing/7");
  std::string a = p.stored_url("http://m.onion/u/secret-a");
  std::string b = p.stored_url("http://m.onion/u/secret-b");
  CHECK(a.rfind("http://m.onion/u/s*****-a#lw-", 0) == 0);
  CHECK(a.size() == std::string("http://m.onion/u/s*****-a#lw-").size() + 32);
  CHECK(a == p.stored_url("http://m.onion/u/secret-a"));  // the same every time: an identity
  CHECK(a.substr(a.find("#lw-")) != b.substr(b.find("#lw-")));
  // Two URLs that mask alike stay apart.
  CHECK(p.stored_url("http://m.onion/secret") != p.stored_url("http://m.onion/s*****"));
  CHECK(privacy(3).stored_url("http://m.onion/u/secret-a") != a);  // keyed
}
