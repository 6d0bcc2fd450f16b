// Streaming RFC 4180 reader over libcsv: quoted fields (with embedded commas,
// quotes and newlines), CRLF or LF, a UTF-8 byte-order mark. Yields one record
// at a time with the line it starts on, so errors can name it. Memory is one
// input chunk plus one record, whatever the file size.
// Not thread-safe; `in` must outlive the reader.
#pragma once

#include <cstddef>
#include <istream>
#include <memory>
#include <string>
#include <vector>

struct csv_parser;

namespace leakwatch::matcher {

struct CsvRecord {
  long line = 0;                    // 1-based line where the record starts
  std::vector<std::string> fields;  // empty when `error` is set
  std::string error;                // malformed quoting: the record is skipped, reading goes on
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Fills `out` with the next record; false at the end of input. Blank lines
  // are skipped. Throws RuntimeError if the stream fails while reading.
  bool next(CsvRecord* out);

 private:
  struct Parser;
  void feed_line(std::string_view line);
  bool read_line(std::string* line);

  std::istream& in_;
  std::unique_ptr<Parser> parser_;
  std::vector<CsvRecord> ready_;
  size_t ready_pos_ = 0;
  CsvRecord current_;
  long line_ = 0;
  bool record_open_ = false;
  bool eof_ = false;
  bool first_line_ = true;
};

}  // namespace leakwatch::matcher
