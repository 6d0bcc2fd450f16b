#include "crawler/parse/url.h"

#include <doctest/doctest.h>

using leakwatch::crawler::canonicalize_url;
using leakwatch::crawler::parse_url;
using leakwatch::crawler::resolve_url;
using leakwatch::crawler::UrlOptions;

namespace {
std::string canon(std::string_view url, const UrlOptions& options = {}) {
  auto result = canonicalize_url(url, options);
  REQUIRE_MESSAGE(result.has_value(), url << ": " << result.error());
  return *result;
}
std::string resolved(std::string_view base, std::string_view href) {
  auto result = resolve_url(base, href);
  REQUIRE_MESSAGE(result.has_value(), href << ": " << result.error());
  return *result;
}
}  // namespace

TEST_CASE("url: scheme and host are lowercased, default port and fragment dropped") {
  CHECK(canon("HTTP://Shop.ONION:80/Listing/1#top") == "http://shop.onion/Listing/1");
  CHECK(canon("https://Shop.onion:443") == "https://shop.onion/");
  CHECK(canon("http://shop.onion:8080/a") == "http://shop.onion:8080/a");
  CHECK(canon("http://shop.onion./a") == "http://shop.onion/a");
  CHECK(canon("  http://shop.onion/a\n") == "http://shop.onion/a");
}

TEST_CASE("url: dot segments are removed and user info is dropped") {
  CHECK(canon("http://shop.onion/a/./b/../c") == "http://shop.onion/a/c");
  CHECK(canon("http://user:pw@shop.onion/a") == "http://shop.onion/a");
}

TEST_CASE("url: query parameters are sorted and empty ones removed") {
  CHECK(canon("http://shop.onion/list?page=2&cat=7") == "http://shop.onion/list?cat=7&page=2");
  CHECK(canon("http://shop.onion/list?b=1&&a=2&") == "http://shop.onion/list?a=2&b=1");
  CHECK(canon("http://shop.onion/list?a=2&a=1") == "http://shop.onion/list?a=1&a=2");
  CHECK(canon("http://shop.onion/list?") == "http://shop.onion/list");
}

TEST_CASE("url: session parameters are dropped") {
  SUBCASE("the usual names, any case") {
    CHECK(canon("http://f.onion/viewtopic.php?t=5&sid=0123abcd") == "http://f.onion/viewtopic.php?t=5");
    CHECK(canon("http://f.onion/x?PHPSESSID=1&id=3") == "http://f.onion/x?id=3");
    CHECK(canon("http://f.onion/x?jsessionid=1&id=3&SessionID=4") == "http://f.onion/x?id=3");
  }
  SUBCASE("s only on forum scripts") {
    CHECK(canon("http://f.onion/showthread.php?s=deadbeef&t=9") == "http://f.onion/showthread.php?t=9");
    CHECK(canon("http://f.onion/forum/index.php?s=1") == "http://f.onion/forum/index.php");
    CHECK(canon("http://f.onion/search?s=iphone") == "http://f.onion/search?s=iphone");
  }
  SUBCASE("extra names from the source") {
    UrlOptions options{{"token", "Visitor"}};
    CHECK(canon("http://f.onion/a?token=x&visitor=y&id=1", options) == "http://f.onion/a?id=1");
  }
}

TEST_CASE("url: spaces are percent-encoded") {
  CHECK(canon("http://shop.onion/a b") == "http://shop.onion/a%20b");
}

TEST_CASE("url: non-http schemes and garbage are error values") {
  CHECK_FALSE(canonicalize_url("mailto:a@b.c").has_value());
  CHECK_FALSE(canonicalize_url("javascript:void(0)").has_value());
  CHECK_FALSE(canonicalize_url("ftp://shop.onion/x").has_value());
  CHECK_FALSE(canonicalize_url("file:///etc/passwd").has_value());
  CHECK_FALSE(canonicalize_url("").has_value());
  CHECK_FALSE(canonicalize_url("http://").has_value());
  CHECK_FALSE(canonicalize_url("http://shop.onion:99999/").has_value());
  CHECK_FALSE(canonicalize_url("not a url").has_value());
}

TEST_CASE("url: relative links resolve against the base") {
  const std::string base = "http://shop.onion/cat/list.php?page=1";
  CHECK(resolved(base, "item/5") == "http://shop.onion/cat/item/5");
  CHECK(resolved(base, "../about") == "http://shop.onion/about");
  CHECK(resolved(base, "/login") == "http://shop.onion/login");
  CHECK(resolved(base, "?page=2") == "http://shop.onion/cat/list.php?page=2");
  CHECK(resolved(base, "//forum.onion/x") == "http://forum.onion/x");
  CHECK(resolved(base, "https://Other.onion/") == "https://other.onion/");
  CHECK(resolved(base, "#reviews") == "http://shop.onion/cat/list.php?page=1");
  CHECK(resolved(base, "") == "http://shop.onion/cat/list.php?page=1");
  CHECK(resolved(base, " item/\t6 ") == "http://shop.onion/cat/item/6");
  CHECK(resolved("http://f.onion/viewforum.php?f=1&sid=abc", "./viewtopic.php?t=2&sid=abc") ==
        "http://f.onion/viewtopic.php?t=2");
  CHECK_FALSE(resolve_url(base, "mailto:x@y.z").has_value());
  CHECK_FALSE(resolve_url(base, "javascript:alert(1)").has_value());
  CHECK_FALSE(resolve_url("not absolute", "/x").has_value());
}

TEST_CASE("url: parse_url gives the canonical parts") {
  auto parts = parse_url("HTTP://127.0.0.1:8080/m/shop/?b=2&a=1");
  REQUIRE(parts.has_value());
  CHECK(parts->scheme == "http");
  CHECK(parts->host == "127.0.0.1");
  CHECK(parts->port == 8080);
  CHECK(parts->path == "/m/shop/");
  CHECK(parts->query == "a=1&b=2");
  CHECK(parts->authority() == "127.0.0.1:8080");
  auto v6 = parse_url("http://[::1]:80/");
  REQUIRE(v6.has_value());
  CHECK(v6->host == "[::1]");
  CHECK(v6->port == 0);
}
