#include "crawler/parse/html_document.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using leakwatch::crawler::FieldSelectors;
using leakwatch::crawler::HtmlDocument;
using leakwatch::crawler::Selector;
using leakwatch::crawler::UrlOptions;
using Lines = std::vector<std::string>;

TEST_CASE("html_document: links from a, area, link rel=next, frame and iframe, resolved and canonical") {
  HtmlDocument doc(R"(<html><head>
      <link rel="stylesheet" href="/style.css">
      <link rel="next" href="?page=2">
      <link rel="Prev Next" href="?page=3">
    </head><body>
      <a href="listing/5">five</a>
      <a href="/listing/5#reviews">five again</a>
      <a href="HTTP://Shop.Onion:80/listing/6">six</a>
      <a href="http://evil.example/">evil</a>
      <a href="mailto:admin@shop.onion">mail</a>
      <a href="javascript:void 0">js</a>
      <a>no href</a>
      <map><area href="/area"></map>
      <iframe src="/frame"></iframe>
      <img src="/logo.jpg">
    </body></html>)",
                   "http://shop.onion/listings?page=1");
  CHECK(doc.links() == Lines{"http://shop.onion/listings?page=2", "http://shop.onion/listings?page=3",
                             "http://shop.onion/listing/5", "http://shop.onion/listing/6",
                             "http://evil.example/", "http://shop.onion/area", "http://shop.onion/frame"});
}

TEST_CASE("html_document: <base href> decides how relative links resolve") {
  HtmlDocument doc(R"(<head><base href="/m/shop/"></head><body><a href="listing/1">x</a></body>)",
                   "http://127.0.0.1:8080/m/shop/listings?page=3");
  CHECK(doc.base_url() == "http://127.0.0.1:8080/m/shop/");
  CHECK(doc.links() == Lines{"http://127.0.0.1:8080/m/shop/listing/1"});
}

TEST_CASE("html_document: session parameters are dropped from links") {
  HtmlDocument doc(
      R"(<a href="./viewtopic.php?t=3&amp;sid=abc123">t</a><a href="./viewtopic.php?sid=zzz&t=3">t</a>)"
      R"(<a href="./x?tok=1&id=2">x</a>)",
      "http://forum.onion/viewforum.php?f=1");
  CHECK(doc.links(UrlOptions{{"tok"}}) ==
        Lines{"http://forum.onion/viewtopic.php?t=3", "http://forum.onion/x?id=2"});
}

TEST_CASE("html_document: the title, whitespace collapsed") {
  HtmlDocument doc("<title>\n  Apple ID  +\tphone\n</title><p>body</p>", "http://shop.onion/");
  CHECK(doc.title() == "Apple ID + phone");
  CHECK(HtmlDocument("<p>no title</p>", "http://shop.onion/").title().empty());
}

TEST_CASE("html_document: each table row is one line, cells joined by ' | '") {
  HtmlDocument doc(R"(<table class="sample">
      <tr><th>name</th><th>email</th><th>phone</th></tr>
      <tr><td>Wang Wei</td><td>wang.wei@icloud.com</td><td>+86 138 1234 5678</td></tr>
      <tr><td> Li   Na </td><td><b>li.na</b>@qq.com</td><td>13900001111</td></tr>
    </table>)",
                   "http://shop.onion/");
  CHECK(doc.text_lines() == Lines{"name | email | phone",
                                  "Wang Wei | wang.wei@icloud.com | +86 138 1234 5678",
                                  "Li Na | li.na@qq.com | 13900001111"});
}

TEST_CASE("html_document: block elements, list items and <br> segments are lines; inline text is not split") {
  HtmlDocument doc(R"(<body><h1>Title</h1><p>first <span>para</span>graph</p>
      <div>Samples:<br>a@b.cn | 13800000000<br/>c@d.cn | 13900000000</div>
      <ul><li>one</li><li>two</li></ul>
      text&nbsp;after</body>)",
                   "http://f.onion/");
  CHECK(doc.text_lines() == Lines{"Title", "first paragraph", "Samples:", "a@b.cn | 13800000000",
                                  "c@d.cn | 13900000000", "one", "two", "text after"});
  CHECK(doc.text() ==
        "Title\nfirst paragraph\nSamples:\na@b.cn | 13800000000\nc@d.cn | 13900000000\none\ntwo\ntext after");
}

TEST_CASE("html_document: each <pre> line is its own line") {
  HtmlDocument doc("<pre>email,phone,name\na@b.cn,13800000000,Wang Wei\n\nc@d.cn,139 0000 0000,Li  Na</pre>",
                   "http://paste.onion/paste/1");
  CHECK(doc.text_lines() ==
        Lines{"email,phone,name", "a@b.cn,13800000000,Wang Wei", "c@d.cn,139 0000 0000,Li Na"});
}

TEST_CASE("html_document: script, style, noscript, template and hidden elements are not text") {
  HtmlDocument doc(R"(<head><title>T</title><style>p{}</style></head><body>
      <script>var x = "hidden@script.cn";</script><noscript>enable js</noscript>
      <template><p>tpl@x.cn</p></template><div hidden>secret</div><!-- comment -->
      <p>visible</p></body>)",
                   "http://shop.onion/");
  CHECK(doc.text_lines() == Lines{"visible"});
}

TEST_CASE("html_document: selectors pick listing fields") {
  HtmlDocument doc(R"(<title>Page title</title><h1 class="title big">Apple ID dump</h1>
      <div class="meta">Price: <span class="price">$7.50</span> Seller: <span class="seller" id="s1">dragonfly</span></div>
      <span class="price">$1</span>)",
                   "http://shop.onion/listing/1");
  auto selector = [](const char* text) {
    auto parsed = Selector::parse(text);
    REQUIRE_MESSAGE(parsed.has_value(), parsed.error());
    return *parsed;
  };
  CHECK(doc.select_text(selector("span.price")) == "$7.50");
  CHECK(doc.select_text(selector(".price")) == "$7.50");
  CHECK(doc.select_text(selector("#s1")) == "dragonfly");
  CHECK(doc.select_text(selector("span#s1.seller")) == "dragonfly");
  CHECK(doc.select_text(selector("h1.big.title")) == "Apple ID dump");
  CHECK(doc.select_text(selector("H1")) == "Apple ID dump");
  CHECK(doc.select_text(selector("title")) == "Page title");
  CHECK_FALSE(doc.select_text(selector("div.nothing")).has_value());
  CHECK_FALSE(doc.select_text(selector(".Price")).has_value());

  FieldSelectors selectors{selector("h1.title"), selector("span.price"), selector(".seller")};
  auto fields = doc.fields(selectors);
  CHECK(fields.title == "Apple ID dump");
  CHECK(fields.price == "$7.50");
  CHECK(fields.seller == "dragonfly");
  CHECK(doc.fields(FieldSelectors{}).title == "Page title");
  CHECK(doc.fields(FieldSelectors{selector(".missing"), std::nullopt, std::nullopt}).title == "Page title");
}

TEST_CASE("html_document: bad selectors are error values naming the selector") {
  for (const char* bad : {"", "div > p", "a[href]", "p:first-child", "#", ".a#b#c", "div p"}) {
    CAPTURE(bad);
    CHECK_FALSE(Selector::parse(bad).has_value());
  }
  CHECK(Selector::parse("div p").error().find("'div p'") != std::string::npos);
}

TEST_CASE("html_document: hostile input never crashes") {
  SUBCASE("deep nesting") {
    std::string deep;
    // Gumbo's tree construction is quadratic in nesting depth (100,000 levels
    // take about a minute); 10,000 keeps the test short and still proves the
    // non-recursive walk over a deep tree.
    for (int i = 0; i < 10000; ++i) deep += "<div>";
    deep += "bottom";
    HtmlDocument doc(deep, "http://shop.onion/");
    CHECK(doc.text() == "bottom");
  }
  SUBCASE("garbage bytes and unclosed tags") {
    HtmlDocument doc(std::string("<p>a\xFF\xFE<b>b<td>c</table><a href=\"\x01\">x", 36),
                     "http://shop.onion/");
    CHECK_FALSE(doc.text().empty());
    (void)doc.links();
  }
  SUBCASE("moved documents stay valid") {
    HtmlDocument a("<title>x</title><custom-tag class=\"k\">v</custom-tag>", "http://shop.onion/");
    HtmlDocument b = std::move(a);
    CHECK(b.title() == "x");
    CHECK(b.select_text(*Selector::parse("custom-tag.k")) == "v");
  }
}
