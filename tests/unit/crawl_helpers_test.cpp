// Small pure pieces of the crawl: the Postgres array literal used to bind
// URL lists, the fetcher's error names, login and logout URLs.
#include <doctest/doctest.h>

#include "crawler/crawl.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"
#include "db/pg_array.h"

using namespace leakwatch::crawler;

TEST_CASE("db: URL lists bind as one text[] literal, quotes and backslashes escaped") {
  using leakwatch::db::to_pg_array;
  CHECK(to_pg_array(std::vector<std::string>{}) == "{}");
  CHECK(to_pg_array({"http://a.onion/"}) == "{\"http://a.onion/\"}");
  CHECK(to_pg_array({"a\"b", "c\\d", "e,f", "{g}"}) == "{\"a\\\"b\",\"c\\\\d\",\"e,f\",\"{g}\"}");
  CHECK(to_pg_array(std::vector<int64_t>{}) == "{}");
  CHECK(to_pg_array(std::vector<int64_t>{1, -2, 9007199254740993}) == "{1,-2,9007199254740993}");
}

TEST_CASE("fetcher: every error kind has a stable name for summaries") {
  CHECK(to_string(FetchError::kNone) == "ok");
  CHECK(to_string(FetchError::kProxyUnreachable) == "proxy unreachable");
  CHECK(to_string(FetchError::kNotText) == "not text");
  CHECK(to_string(FetchError::kRedirectLoop) == "redirect loop");
}

TEST_CASE("crawl: login and logout URLs are recognised by path and by query value") {
  CHECK(is_login_url("http://shop.onion/login"));
  CHECK(is_login_url("http://shop.onion/login?next=%2Flisting%2F1"));
  CHECK(is_login_url("http://shop.onion/user/sign-in.php"));
  CHECK(is_login_url("http://forum.onion/ucp.php?mode=login"));
  CHECK(is_login_url("http://forum.onion/member.php?a=1&action=login"));
  CHECK_FALSE(is_login_url("http://shop.onion/blogin"));
  CHECK_FALSE(is_login_url("http://shop.onion/listing/1?q=login-page-dumps"));
  CHECK_FALSE(is_login_url("http://shop.onion/listing/1"));
  CHECK(is_logout_url("http://forum.onion/ucp.php?mode=logout&sid=abc"));
  CHECK(is_logout_url("http://shop.onion/logout"));
  CHECK(is_logout_url("http://shop.onion/account/sign-out"));
  CHECK_FALSE(is_logout_url("http://shop.onion/listing/logo.png"));
}
