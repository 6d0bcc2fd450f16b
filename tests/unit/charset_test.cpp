#include "crawler/parse/charset.h"
#include "core/utf8.h"

#include <doctest/doctest.h>

#include <string>

using leakwatch::is_valid_utf8;
using leakwatch::crawler::charset_from_content_type;
using leakwatch::crawler::charset_from_meta;
using leakwatch::crawler::CharsetSource;
using leakwatch::crawler::convert_to_utf8;
using leakwatch::crawler::decode_to_utf8;

namespace {
// "苹果账号 王伟" in GBK.
const std::string kGbk = "\xC6\xBB\xB9\xFB\xD5\xCB\xBA\xC5\x20\xCD\xF5\xCE\xB0";
const std::string kGbkAsUtf8 = "苹果账号 王伟";
}  // namespace

TEST_CASE("charset: the Content-Type header's charset parameter") {
  CHECK(charset_from_content_type("text/html; charset=GBK") == "GBK");
  CHECK(charset_from_content_type("text/html;charset=\"gb2312\"") == "gb2312");
  CHECK(charset_from_content_type("text/plain; format=flowed; Charset='utf-8'") == "utf-8");
  CHECK_FALSE(charset_from_content_type("text/html").has_value());
  CHECK_FALSE(charset_from_content_type("").has_value());
}

TEST_CASE("charset: <meta> pre-scan finds both forms within the first 2 KB") {
  CHECK(charset_from_meta("<html><head><meta charset=\"gbk\"><title>x</title>") == "gbk");
  CHECK(charset_from_meta("<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=Big5\">") ==
        "Big5");
  CHECK(charset_from_meta("<meta charset=shift_jis>") == "shift_jis");
  CHECK_FALSE(charset_from_meta("<html><head><title>no meta</title>").has_value());
  CHECK_FALSE(charset_from_meta(std::string(3000, ' ') + "<meta charset=\"gbk\">").has_value());
}

TEST_CASE("charset: GBK declared in the header is converted to UTF-8") {
  auto decoded = decode_to_utf8("<p>" + kGbk + "</p>", "text/html; charset=GBK");
  CHECK(decoded.utf8 == "<p>" + kGbkAsUtf8 + "</p>");
  CHECK(decoded.source == CharsetSource::kHeader);
  CHECK(decoded.charset == "gb18030");  // ICU's canonical name
  CHECK_FALSE(decoded.had_errors);
}

TEST_CASE("charset: GBK declared only in <meta http-equiv> is converted to UTF-8") {
  std::string html =
      "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">"
      "</head><body>" +
      kGbk + "</body></html>";
  auto decoded = decode_to_utf8(html, "text/html");
  CHECK(decoded.source == CharsetSource::kMeta);
  CHECK(decoded.utf8.find(kGbkAsUtf8) != std::string::npos);
}

TEST_CASE("charset: Big5, Shift_JIS and latin1 labels") {
  SUBCASE("big5") {
    auto decoded = decode_to_utf8("\xC4\xAB\xAA\x47\xB1\x62\xB8\xB9", "text/plain; charset=big5");
    CHECK(decoded.utf8 == "蘋果帳號");
  }
  SUBCASE("shift_jis") {
    auto decoded = decode_to_utf8("\x93\xFA\x96\x7B\x8C\xEA", "text/html; charset=Shift_JIS");
    CHECK(decoded.utf8 == "日本語");
  }
  SUBCASE("latin1 means windows-1252") {
    auto decoded = decode_to_utf8("caf\xE9 \x80", "text/html; charset=ISO-8859-1");
    CHECK(decoded.utf8 == "café €");
  }
}

TEST_CASE("charset: undeclared pages: valid UTF-8 stays, others are detected") {
  auto utf8 = decode_to_utf8("plain ascii and 中文", "");
  CHECK(utf8.source == CharsetSource::kUtf8Valid);
  CHECK(utf8.utf8 == "plain ascii and 中文");

  std::string gbk_text;
  for (int i = 0; i < 40; ++i) gbk_text += kGbk + "\xA3\xAC";  // "，"
  auto detected = decode_to_utf8("<html><body><p>" + gbk_text + "</p></body></html>", "text/html");
  CHECK(detected.source == CharsetSource::kDetected);
  CHECK(detected.utf8.find(kGbkAsUtf8) != std::string::npos);
}

TEST_CASE("charset: invalid UTF-8 in a page declared UTF-8 becomes U+FFFD, never a crash") {
  std::string bad = "ok \xFF\xFE\xC3\x28 \xE2\x82 \xF0\x90\x80 end";
  auto decoded = decode_to_utf8(bad, "text/html; charset=utf-8");
  CHECK(decoded.had_errors);
  CHECK(is_valid_utf8(decoded.utf8));
  CHECK(decoded.utf8.find("\xEF\xBF\xBD") != std::string::npos);
  CHECK(decoded.utf8.rfind("ok ", 0) == 0);
  CHECK(decoded.utf8.find(" end") != std::string::npos);

  auto truncated = decode_to_utf8("abc\xE4\xB8", "text/plain; charset=utf-8");  // cut mid-character
  CHECK(is_valid_utf8(truncated.utf8));
  CHECK(truncated.utf8.rfind("abc", 0) == 0);
}

TEST_CASE("charset: unknown labels fall through to the next rule") {
  auto decoded = decode_to_utf8("hello", "text/html; charset=x-no-such-charset");
  CHECK(decoded.source == CharsetSource::kUtf8Valid);
  CHECK(decoded.utf8 == "hello");
  CHECK_FALSE(convert_to_utf8("x", "x-no-such-charset").has_value());
}

TEST_CASE("charset: byte order marks win and are stripped") {
  auto decoded = decode_to_utf8("\xEF\xBB\xBFhi", "text/html; charset=GBK");
  CHECK(decoded.utf8 == "hi");
  auto utf16 = decode_to_utf8(std::string("\xFF\xFEh\0i\0", 6), "");
  CHECK(utf16.utf8 == "hi");
}

TEST_CASE("charset: UTF-8 validity") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("ascii"));
  CHECK(is_valid_utf8("王伟 １３８"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong '/'
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(is_valid_utf8("\xE4\xB8"));      // truncated
  CHECK_FALSE(is_valid_utf8("\xFF"));
}
