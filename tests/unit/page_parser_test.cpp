// The spider alone: a response in, text lines, fields, links or a login
// wall out, with no database and no network.
#include <doctest/doctest.h>

#include <string>

#include "crawler/parse/page_parser.h"

using namespace leakwatch::crawler;

TEST_CASE("page parser: a password field or an expired-session notice is a login form") {
  CHECK(looks_like_login_form("<form><input name=u><input type=\"password\" name=p></form>", ""));
  CHECK(looks_like_login_form("<input type=password>", ""));
  CHECK(looks_like_login_form("<input  class='x' type = 'password'>", ""));
  CHECK(looks_like_login_form("<h1>x</h1>", "Your session has expired"));
  CHECK(looks_like_login_form("<h1>x</h1>", "Session expired, please sign in again"));
  CHECK_FALSE(looks_like_login_form("<p>passwords for sale: type=password dumps</p>", "passwords for sale"));
  CHECK_FALSE(looks_like_login_form("<a href=/login>Login</a>", "Login"));
  // A forum page with a guest login box in its header is content.
  CHECK_FALSE(
      looks_like_login_form("<form><input type=password></form><table>...</table>", std::string(3000, 'x')));
}

TEST_CASE("page parser: an HTML listing gives its title, fields, text lines and canonical links") {
  ParseOptions options;
  options.selectors.price = Selector::parse(".price").value();
  std::string html =
      "<html><head><title>Listing 7</title></head><body><h1>iCloud dump</h1>"
      "<span class=price>$26</span><p>li.na@icloud.com,13812345678</p>"
      "<a href='/item/8?b=2&a=1'>next</a></body></html>";
  ParsedPage page = parse_page(html, "text/html; charset=utf-8", "http://m.onion/item/7", options);
  CHECK_FALSE(page.login_wall);
  CHECK(page.title == "Listing 7");
  CHECK(page.price == "$26");
  CHECK(page.text.find("li.na@icloud.com,13812345678") != std::string::npos);
  REQUIRE(page.links.size() == 1);
  CHECK(page.links[0] == "http://m.onion/item/8?a=1&b=2");  // query parameters in a fixed order
  CHECK(page.content_hash.size() == 32);

  CHECK(parse_page(html, "text/html", "http://m.onion/item/7", options, /*want_links=*/false).links.empty());
}

TEST_CASE("page parser: a login page is a wall, not content") {
  ParsedPage page = parse_page("<html><body><form><input type=password name=p></form></body></html>",
                               "text/html", "http://m.onion/login", {});
  CHECK(page.login_wall);
  CHECK(page.text.empty());
}

TEST_CASE("page parser: plain text keeps its lines, loses CR and NUL; untyped HTML is sniffed") {
  std::string body = "a@icloud.com\r\nb@icloud.com\r\n";
  body += std::string(1, '\0') + "13812345678\n";
  ParsedPage text = parse_page(body, "text/plain", "http://p.onion/raw/1", {});
  CHECK(text.text == "a@icloud.com\nb@icloud.com\n13812345678\n");

  ParsedPage sniffed = parse_page("<html><title>t</title><p>x</p></html>", "", "http://p.onion/", {});
  CHECK(sniffed.title == "t");
}

TEST_CASE("page parser: the content hash covers title and text, not the markup around them") {
  ParsedPage a =
      parse_page("<html><a href='/x?sid=1'>x</a><p>same</p></html>", "text/html", "http://f.onion/", {});
  ParsedPage b =
      parse_page("<html><a href='/x?sid=2'>x</a><p>same</p></html>", "text/html", "http://f.onion/", {});
  ParsedPage c =
      parse_page("<html><a href='/x?sid=2'>x</a><p>other</p></html>", "text/html", "http://f.onion/", {});
  CHECK(a.content_hash == b.content_hash);
  CHECK(a.content_hash != c.content_hash);
}
