// What the crawler takes as an attachment: by the link's file name, then by
// the response's Content-Type, then (when the type says nothing) by the
// body's first bytes.
#include <doctest/doctest.h>

#include <string>

#include "crawler/attachment_types.h"

using namespace leakwatch::crawler;

TEST_CASE("attachment types: links whose file name is a leak's extension are attachments, any case") {
  for (const char* url :
       {"http://m.onion/files/sample.zip", "http://m.onion/dump_part1.7z", "http://m.onion/a/b/leak.tar.xz",
        "http://m.onion/x.tgz", "http://m.onion/users.CSV", "http://m.onion/paste/raw.txt?dl=1",
        "http://m.onion/db.sql#top", "http://m.onion/sheet.xlsx", "http://m.onion/x.rar",
        "http://m.onion/x.json", "http://m.onion/x.jsonl", "http://m.onion/x.tsv", "http://m.onion/x.bz2",
        "http://m.onion/x.zst", "http://m.onion/x.gz", "http://m.onion/x.tar", "http://m.onion/x.lzma"}) {
    CAPTURE(url);
    CHECK(is_attachment_link(url));
  }
}

TEST_CASE("attachment types: pages, images, bare extensions and names in the query are not attachments") {
  for (const char* url :
       {"http://m.onion/listing/42", "http://m.onion/", "http://m.onion/index.html",
        "http://m.onion/logo.png", "http://m.onion/zip", "http://m.onion/.zip", "http://m.onion/files/",
        "http://m.onion/get?file=sample.zip", "http://m.onion/sample.zip/view", "not a url"}) {
    CAPTURE(url);
    CHECK_FALSE(is_attachment_link(url));
  }
}

TEST_CASE("attachment types: archive, sheet and text content types are taken; HTML and images are refused") {
  for (const char* type :
       {"application/zip", "application/x-7z-compressed", "application/vnd.rar", "application/gzip",
        "application/x-xz", "application/zstd", "application/x-tar", "application/json", "application/sql",
        "text/plain", "text/csv; charset=gbk", "TEXT/PLAIN", "  application/ZIP ; name=\"a.zip\"",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}) {
    CAPTURE(type);
    CHECK(refuse_content_type(type).empty());
    CHECK_FALSE(needs_sniffing(type));
  }
  CHECK(refuse_content_type("text/html; charset=utf-8") == "an HTML page, not a file");
  CHECK(refuse_content_type("application/xhtml+xml") == "an HTML page, not a file");
  CHECK(refuse_content_type("image/jpeg") == "not text, an archive or a sheet (image/jpeg)");
  CHECK(refuse_content_type("application/pdf").find("application/pdf") != std::string::npos);
}

TEST_CASE("attachment types: an absent or generic content type leaves the decision to the first bytes") {
  for (const char* type :
       {"", "application/octet-stream", "binary/octet-stream; x=1", "application/download"}) {
    CAPTURE(type);
    CHECK(refuse_content_type(type).empty());
    CHECK(needs_sniffing(type));
  }
}

TEST_CASE("attachment types: first bytes of archives, compressed streams and text are taken") {
  using namespace std::string_literals;
  for (const std::string& first :
       {"PK\x03\x04\x14\x00\x00\x00"s, "PK\x05\x06\x00\x00"s, "7z\xBC\xAF\x27\x1C\x00\x04"s,
        "Rar!\x1A\x07\x01\x00"s, "\x1F\x8B\x08\x00"s, "BZh91AY&SY"s,
        "\xFD"
        "7zXZ\x00\x00"s,
        "\x28\xB5\x2F\xFD\x24"s, "\x5D\x00\x00\x80\x00"s, "uid,email,phone\r\n1,a@qq.com,13812345678\r\n"s,
        "张伟\t13812345678\n"s}) {
    CAPTURE(first);
    CHECK(refuse_first_bytes(first).empty());
  }
  std::string tar(512, '\0');
  tar.replace(0, 9, "users.csv");
  tar.replace(257, 5, "ustar");
  CHECK(refuse_first_bytes(tar).empty());
}

TEST_CASE("attachment types: binary first bytes (a NUL, many control bytes) are refused") {
  using namespace std::string_literals;
  CHECK(refuse_first_bytes("\x89PNG\r\n\x1A\n\x00\x00\x00\rIHDR"s) ==
        "binary content (not text, an archive or a sheet)");
  CHECK(refuse_first_bytes("%PDF-1.4\n\x01\x02\x03\x04\x05\x06\x07\x08"s) ==
        "binary content (not text, an archive or a sheet)");
  // One stray control byte in a long text line is still text.
  CHECK(refuse_first_bytes("a@qq.com 13812345678 \x01 and more text to read here"s).empty());
}

TEST_CASE("attachment types: a report names an attachment by its last path segment, or by its host") {
  CHECK(attachment_file_name("http://m.onion/files/sample.zip?x=1") == "sample.zip");
  CHECK(attachment_file_name("http://m.onion/dump.7z") == "dump.7z");
  CHECK(attachment_file_name("http://m.onion/") == "m.onion");
}
