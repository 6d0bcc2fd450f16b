// Small pure pieces of the crawl: login-form detection, the Postgres array
// literal used to bind URL lists, and the fetcher's error names.
#include <doctest/doctest.h>

#include "crawler/crawl.h"
#include "crawler/fetcher.h"
#include "crawler/frontier.h"

using namespace leakwatch::crawler;

TEST_CASE("crawl: a password field or an expired-session notice is a login form") {
  CHECK(looks_like_login_form("<form><input name=u><input type=\"password\" name=p></form>", ""));
  CHECK(looks_like_login_form("<input type=password>", ""));
  CHECK(looks_like_login_form("<input  class='x' type = 'password'>", ""));
  CHECK(looks_like_login_form("<h1>x</h1>", "Your session has expired"));
  CHECK(looks_like_login_form("<h1>x</h1>", "Session expired, please sign in again"));
  CHECK_FALSE(looks_like_login_form("<p>passwords for sale: type=password dumps</p>", "passwords for sale"));
  CHECK_FALSE(looks_like_login_form("<a href=/login>Login</a>", "Login"));
  // A forum page with a guest login box in its header is content.
  CHECK_FALSE(looks_like_login_form("<form><input type=password></form><table>...</table>", std::string(3000, 'x')));
}

TEST_CASE("frontier: URL lists bind as one text[] literal, quotes and backslashes escaped") {
  CHECK(to_pg_array({}) == "{}");
  CHECK(to_pg_array({"http://a.onion/"}) == "{\"http://a.onion/\"}");
  CHECK(to_pg_array({"a\"b", "c\\d", "e,f", "{g}"}) == "{\"a\\\"b\",\"c\\\\d\",\"e,f\",\"{g}\"}");
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
