#include <doctest/doctest.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "report/report_csv.h"
#include "report/report_html.h"
#include "report/report_json.h"

using namespace leakwatch::report;

namespace {

ExposureRow hostile_row() {
  return ExposureRow{"c1&<x>",
                     "email",
                     "z***@icloud.com",
                     "shop\"><svg onload=alert(1)>",
                     "http://shop.onion/listing/1?q=\"'><script>alert(1)</script>",
                     std::string("</script><script>alert(1)</script>"),
                     std::string("=HYPERLINK(\"http://evil\")"),
                     std::string("<img src=x onerror=alert(1)> \xff\xfe bad utf-8"),
                     "2024-05-01T12:00:00Z",
                     "2024-05-02T12:00:00Z",
                     "confirmed",
                     std::nullopt,
                     std::nullopt,
                     std::nullopt};
}

}  // namespace

TEST_CASE("report html: html_escape escapes markup and quotes, replaces invalid UTF-8 and controls") {
  CHECK(html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  CHECK(html_escape("\xff") == "\xEF\xBF\xBD");
  CHECK(html_escape(std::string("a\0b", 3)) ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(html_escape("张伟 ok") == "张伟 ok");
}

TEST_CASE("report html: hostile listing text never appears as markup; the page is self-contained") {
  std::ostringstream out;
  write_report_html(out, {hostile_row()}, HtmlReportInfo{"2024-05-03T00:00:00Z", "all exposures"});
  std::string page = out.str();
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("<svg onload") == std::string::npos);
  CHECK(page.find("</script><script>alert") == std::string::npos);
  CHECK(page.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(page.find("\xff") == std::string::npos);
  // One script, ours, allowed by hash; nothing loaded from anywhere.
  CHECK(page.find("script-src 'sha256-") != std::string::npos);
  size_t scripts = 0;
  for (auto p = page.find("<script"); p != std::string::npos; p = page.find("<script", p + 1)) ++scripts;
  CHECK(scripts == 1);
  CHECK(page.find("http://shop") != std::string::npos);  // as text
  CHECK(page.find("href=") == std::string::npos);
  CHECK(page.find(" src=\"") == std::string::npos);
  CHECK(page.find("<svg role=\"img\"") != std::string::npos);
}

TEST_CASE("report html: an empty report still renders its summary") {
  std::ostringstream out;
  write_report_html(out, {}, HtmlReportInfo{"now", "exposures not yet notified"});
  CHECK(out.str().find("No exposures.") != std::string::npos);
}

TEST_CASE("report csv: RFC 4180 quoting, formulas in listing text defused, masked identifiers kept as is") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  auto row = hostile_row();
  row.masked = "+86138****5678";
  std::ostringstream out;
  write_report_csv(out, {row});
  std::string text = out.str();
  CHECK(text.find(",+86138****5678,") != std::string::npos);
  CHECK(text.find(",\"'=HYPERLINK(\"\"http://evil\"\")\",") != std::string::npos);
  CHECK(std::count(text.begin(), text.end(), '\n') == 2);
}

TEST_CASE("report json: absent listing fields are null, invalid UTF-8 is replaced, grouping by customer") {
  auto row = hostile_row();
  row.price.reset();
  auto second = row;
  second.kind = "phone";
  std::ostringstream out;
  write_report_json(out, {row, second}, false);
  auto j = nlohmann::json::parse(out.str());
  REQUIRE(j.size() == 2);
  CHECK(j[0]["price"].is_null());
  CHECK(j[0]["title"] == "</script><script>alert(1)</script>");
  auto grouped = report_json({row, second}, true);
  REQUIRE(grouped.size() == 1);
  CHECK(grouped[0]["exposures"].size() == 2);
  CHECK_FALSE(grouped[0]["exposures"][0].contains("customer_id"));
}

TEST_CASE("report html: identifiers, phone numbers and dates stay on one line; only listing text wraps") {
  ExposureRow row{"cust-000123",
                  "phone",
                  "+86138****5678",
                  "shop",
                  "http://shop.onion/listing/7",
                  std::string("A long listing title that may wrap over several lines"),
                  std::string("$7.00"),
                  std::string("dragon_seller"),
                  "2024-05-01T12:00:00Z",
                  "2024-05-02T12:00:00Z",
                  "single",
                  std::nullopt,
                  std::nullopt,
                  std::nullopt};
  std::ostringstream out;
  write_report_html(out, {row}, HtmlReportInfo{"now", "all exposures"});
  const std::string page = out.str();
  // The stylesheet: nothing makes every cell break inside a word any more.
  CHECK(page.find("td.nowrap{white-space:nowrap}") != std::string::npos);
  CHECK(page.find("break-word") == std::string::npos);
  auto cell_class = [&page](const std::string& text) {
    auto end = page.find("\">" + text + "</td>");
    REQUIRE(end != std::string::npos);
    auto begin = page.rfind("<td class=\"", end);
    REQUIRE(begin != std::string::npos);
    return page.substr(begin + 11, end - begin - 11);
  };
  CHECK(cell_class("cust-000123") == "nowrap");
  CHECK(cell_class("+86138****5678") == "nowrap");
  CHECK(cell_class("2024-05-01T12:00:00Z") == "nowrap");
  CHECK(cell_class("2024-05-02T12:00:00Z") == "nowrap");
  CHECK(cell_class("$7.00") == "nowrap");
  CHECK(cell_class("A long listing title that may wrap over several lines") == "text");
}
