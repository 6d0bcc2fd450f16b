#include "crawler/scope.h"

#include <doctest/doctest.h>

#include "core/errors.h"

using leakwatch::ConfigError;
using leakwatch::crawler::is_private_host;
using leakwatch::crawler::is_private_ip;
using leakwatch::crawler::Scope;
using leakwatch::crawler::ScopeOptions;
using leakwatch::crawler::ScopeVerdict;

TEST_CASE("scope: without allow patterns, only the seeds' hosts are in scope") {
  Scope scope(ScopeOptions{"shop", {"http://Shop.onion/", "http://forum.onion:8080/x"}, {}, {}, false, {}});
  CHECK(scope.in_scope("http://shop.onion/listing/1"));
  CHECK(scope.in_scope("https://shop.onion/listing/1"));
  CHECK(scope.in_scope("http://forum.onion:8080/viewtopic.php?t=1"));
  CHECK(scope.check("http://forum.onion/") == ScopeVerdict::kNotAllowed);
  CHECK(scope.check("http://evil.example/") == ScopeVerdict::kNotAllowed);
  CHECK(scope.check("http://sub.shop.onion/") == ScopeVerdict::kNotAllowed);
  CHECK(scope.check("mailto:a@b.c") == ScopeVerdict::kBadUrl);
  CHECK(scope.check("") == ScopeVerdict::kBadUrl);
  CHECK(scope.seeds() == std::vector<std::string>{"http://shop.onion/", "http://forum.onion:8080/x"});
}

TEST_CASE("scope: allow and deny patterns match the canonical URL") {
  ScopeOptions options;
  options.source = "shop";
  options.seeds = {"http://shop.onion/"};
  options.allow = {R"(^https?://(shop|mirror)\.onion/)"};
  options.deny = {R"(/logout)", R"(^http://shop\.onion/calendar\?)"};
  Scope scope(options);
  CHECK(scope.in_scope("http://mirror.onion/a"));
  CHECK(scope.in_scope("HTTP://SHOP.ONION/a"));
  CHECK(scope.check("http://shop.onion/logout") == ScopeVerdict::kDenied);
  CHECK(scope.check("http://shop.onion/calendar?month=3") == ScopeVerdict::kDenied);
  CHECK(scope.check("http://forum.onion/") == ScopeVerdict::kNotAllowed);
}

TEST_CASE("scope: private, loopback and link-local hosts are refused unless allow_private") {
  Scope scope(ScopeOptions{"shop", {"http://shop.onion/"}, {".*"}, {}, false, {}});
  for (const char* url :
       {"http://127.0.0.1/", "http://127.1:8080/", "http://2130706433/", "http://10.0.0.1/",
        "http://192.168.1.1/", "http://172.16.5.4/", "http://169.254.169.254/latest/", "http://[::1]/",
        "http://[::ffff:127.0.0.1]/", "http://[fe80::1]/", "http://[fd00::1]/", "http://localhost/",
        "http://LocalHost./", "http://app.localhost/", "http://0.0.0.0/"}) {
    CAPTURE(url);
    CHECK(scope.check(url) == ScopeVerdict::kPrivateAddress);
  }
  CHECK(scope.in_scope("http://8.8.8.8/"));
  CHECK(scope.in_scope("http://[2a00:1450::1]/"));

  ScopeOptions permissive{"fixture", {"http://127.0.0.1:8080/m/shop/"}, {}, {}, true, {}};
  Scope fixture(permissive);
  CHECK(fixture.in_scope("http://127.0.0.1:8080/m/shop/listing/1"));
  CHECK(fixture.check("http://127.0.0.1:9999/") == ScopeVerdict::kNotAllowed);
  CHECK(fixture.check("http://10.0.0.1/") == ScopeVerdict::kNotAllowed);
}

TEST_CASE("scope: configuration errors name the source and the pattern or seed") {
  SUBCASE("bad pattern") {
    ScopeOptions options{"shop", {"http://shop.onion/"}, {"(unclosed"}, {}, false, {}};
    CHECK_THROWS_WITH_AS(Scope{options}, doctest::Contains("'(unclosed'"), ConfigError);
    CHECK_THROWS_WITH_AS(Scope{options}, doctest::Contains("source 'shop'"), ConfigError);
  }
  SUBCASE("bad deny pattern") {
    ScopeOptions options{"shop", {"http://shop.onion/"}, {}, {"a**"}, false, {}};
    CHECK_THROWS_WITH_AS(Scope{options}, doctest::Contains("deny pattern 'a**'"), ConfigError);
  }
  SUBCASE("bad seed") {
    ScopeOptions options{"shop", {"ftp://shop.onion/"}, {}, {}, false, {}};
    CHECK_THROWS_WITH_AS(Scope{options}, doctest::Contains("ftp://shop.onion/"), ConfigError);
  }
  SUBCASE("private seed") {
    ScopeOptions options{"shop", {"http://127.0.0.1:8080/"}, {}, {}, false, {}};
    CHECK_THROWS_WITH_AS(Scope{options}, doctest::Contains("allow_private"), ConfigError);
  }
  SUBCASE("no seeds") { CHECK_THROWS_AS(Scope(ScopeOptions{"shop", {}, {}, {}, false, {}}), ConfigError); }
}

TEST_CASE("scope: private IP classification") {
  CHECK(is_private_ip("127.0.0.1"));
  CHECK(is_private_ip("[::1]"));
  CHECK(is_private_ip("::1"));
  CHECK(is_private_ip("100.64.0.1"));
  CHECK(is_private_ip("fe80::1%eth0"));
  CHECK(is_private_ip("224.0.0.1"));
  CHECK(is_private_ip("255.255.255.255"));
  CHECK_FALSE(is_private_ip("1.1.1.1"));
  CHECK_FALSE(is_private_ip("172.32.0.1"));
  CHECK_FALSE(is_private_ip("shop.onion"));
  CHECK(is_private_host("localhost"));
  CHECK_FALSE(is_private_host("notlocalhost"));
  CHECK_FALSE(is_private_host("abcdefghijklmnop.onion"));
}
