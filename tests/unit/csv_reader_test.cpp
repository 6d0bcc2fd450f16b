#include <doctest/doctest.h>

#include <sstream>

#include "matcher/csv_reader.h"

using leakwatch::matcher::CsvReader;
using leakwatch::matcher::CsvRecord;

namespace {

std::vector<CsvRecord> read_all(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<CsvRecord> out;
  CsvRecord r;
  while (reader.next(&r)) out.push_back(r);
  return out;
}

}  // namespace

TEST_CASE("csv reader: RFC 4180 quoting, with the line each record starts on") {
  auto records = read_all("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",z\n3,,\n");
  REQUIRE(records.size() == 4);
  CHECK(records[1].line == 2);
  CHECK(records[1].fields == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(records[2].line == 3);
  CHECK(records[2].fields == std::vector<std::string>{"2", "two\nlines", "z"});
  CHECK(records[3].line == 5);
  CHECK(records[3].fields == std::vector<std::string>{"3", "", ""});
}

TEST_CASE("csv reader: CRLF line ends, a UTF-8 BOM, blank lines and a last line without newline") {
  auto records = read_all("\xEF\xBB\xBFid,email\r\n\r\nc1,a@b.com\r\n\nc2,x@y.org");
  REQUIRE(records.size() == 3);
  CHECK(records[0].fields == std::vector<std::string>{"id", "email"});
  CHECK(records[1].line == 3);
  CHECK(records[1].fields == std::vector<std::string>{"c1", "a@b.com"});
  CHECK(records[2].line == 5);
  CHECK(records[2].fields == std::vector<std::string>{"c2", "x@y.org"});
}

TEST_CASE("csv reader: malformed quoting rejects that record and reading goes on") {
  auto records = read_all("h1,h2\nok,1\nbad\"quote,2\n\"closed\"junk,3\nfine,4\n");
  REQUIRE(records.size() == 5);
  CHECK(records[1].error.empty());
  CHECK(records[2].line == 3);
  CHECK(records[2].error.find("malformed quoting") != std::string::npos);
  CHECK(records[3].line == 4);
  CHECK_FALSE(records[3].error.empty());
  CHECK(records[4].line == 5);
  CHECK(records[4].fields == std::vector<std::string>{"fine", "4"});
}

TEST_CASE("csv reader: an unterminated quote at the end of input is one error naming its first line") {
  auto records = read_all("h\n\"open\nmore\nstill open");
  REQUIRE(records.size() == 2);
  CHECK(records[1].line == 2);
  CHECK(records[1].error.find("unterminated") != std::string::npos);
}

TEST_CASE("csv reader: NUL bytes and invalid UTF-8 are data, not a crash") {
  std::string text("h,v\nx,\xff\xfe\0z\n", 11);
  auto records = read_all(text);
  REQUIRE(records.size() == 2);
  CHECK(records[1].fields[1] == std::string("\xff\xfe\0z", 4));
}
