// The parts of an .xlsx (Office Open XML workbook, a zip) that hold cells,
// read with libxml2's streaming xmlReader: the shared string table and each
// sheet as text, one line per row, its cells joined as a CSV line would be,
// so that the cells of one row stay one record.
//
// Line n of a sheet's text is the sheet's row n (missing rows are empty
// lines); a cell's line breaks become spaces. No DTD, no entities, no network.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <tl/expected.hpp>

#include "extract/byte_source.h"

namespace leakwatch::extract {

// True for the members read as sheets / as the string table.
bool is_xlsx_sheet(const std::string& member_name);
bool is_xlsx_shared_strings(const std::string& member_name);

// Reads xl/sharedStrings.xml: the strings in order (rich-text runs joined,
// phonetic runs left out). Fails on broken XML or past `max_bytes` of text.
tl::expected<std::vector<std::string>, std::string> read_shared_strings(ByteSource& xml,
                                                                        std::size_t max_bytes);

// xl/worksheets/sheetN.xml as rows of text. `xml` and `strings` must outlive
// this. A cell naming a shared string beyond `strings` is left empty.
class SheetRowsSource final : public ByteSource {
 public:
  SheetRowsSource(ByteSource& xml, const std::vector<std::string>& strings);
  ~SheetRowsSource() override;
  SheetRowsSource(const SheetRowsSource&) = delete;
  SheetRowsSource& operator=(const SheetRowsSource&) = delete;
  std::ptrdiff_t read(char* out, std::size_t size) override;

 private:
  struct State;
  bool advance();  // parses until text is pending or the sheet ends
  std::unique_ptr<State> state_;
};

}  // namespace leakwatch::extract
