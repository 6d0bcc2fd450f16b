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
