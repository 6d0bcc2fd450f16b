#include "extract/xlsx_rows.h"

#include <libxml/xmlreader.h>

#include <algorithm>
#include <cstring>
#include <string_view>

namespace leakwatch::extract {

namespace {

struct XmlReaderFree {
  void operator()(xmlTextReaderPtr r) const noexcept { xmlFreeTextReader(r); }
};
using XmlReader = std::unique_ptr<xmlTextReader, XmlReaderFree>;

int read_xml(void* context, char* buffer, int len) {
  auto* source = static_cast<ByteSource*>(context);
  const std::ptrdiff_t n = source->read(buffer, static_cast<std::size_t>(len));
  return n < 0 ? -1 : static_cast<int>(n);
}

// No network, no entity expansion, no DTD loading: the XML is hostile.
XmlReader open_xml(ByteSource& source) {
  return XmlReader(xmlReaderForIO(read_xml, nullptr, &source, nullptr, nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

std::string_view local_name(xmlTextReaderPtr r) {
  const xmlChar* name = xmlTextReaderConstLocalName(r);
  return name == nullptr ? std::string_view() : reinterpret_cast<const char*>(name);
}

std::string attribute(xmlTextReaderPtr r, const char* name) {
  xmlChar* value = xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return {};
  std::string out(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return out;
}

std::string_view node_text(xmlTextReaderPtr r) {
  const xmlChar* value = xmlTextReaderConstValue(r);
  return value == nullptr ? std::string_view() : reinterpret_cast<const char*>(value);
}

bool is_text(int type) {
  return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
         type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE;
}

// "AB12" -> 27 (0-based column of a cell reference); 0 without letters.
std::size_t column_of(std::string_view ref) {
  std::size_t column = 0;
  for (char c : ref) {
    if (c < 'A' || c > 'Z') break;
    column = column * 26 + static_cast<std::size_t>(c - 'A' + 1);
    if (column > 1 << 14) break;  // beyond Excel's XFD: junk
  }
  return column == 0 ? 0 : column - 1;
}

// Appends one cell as a CSV field: quoted when it must be; line breaks become
// spaces so that the row stays one line.
void append_field(std::string_view cell, std::string* out) {
  const bool quote = cell.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) *out += '"';
  for (char c : cell) {
    if (c == '"') {
      *out += "\"\"";
    } else if (c == '\n' || c == '\r') {
      *out += ' ';
    } else {
      *out += c;
    }
  }
  if (quote) *out += '"';
}

}  // namespace

bool is_xlsx_sheet(const std::string& name) {
  return name.rfind("xl/worksheets/", 0) == 0 && name.size() > 18 &&
         name.find('/', 14) == std::string::npos && name.compare(name.size() - 4, 4, ".xml") == 0;
}

bool is_xlsx_shared_strings(const std::string& name) { return name == "xl/sharedStrings.xml"; }

tl::expected<std::vector<std::string>, std::string> read_shared_strings(ByteSource& xml,
                                                                        std::size_t max_bytes) {
  XmlReader reader = open_xml(xml);
  if (!reader) return tl::unexpected(std::string("cannot start the XML reader"));
  std::vector<std::string> strings;
  std::string current;
  std::size_t total = 0;
  int in_text = 0;
  int in_phonetic = 0;
  int r;
  while ((r = xmlTextReaderRead(reader.get())) == 1) {
    const int type = xmlTextReaderNodeType(reader.get());
    const bool empty = xmlTextReaderIsEmptyElement(reader.get()) == 1;
    if (type == XML_READER_TYPE_ELEMENT) {
      const std::string_view name = local_name(reader.get());
      if (name == "si" && !empty) current.clear();
      if (name == "si" && empty) strings.emplace_back();
      if (name == "t" && !empty) ++in_text;
      if (name == "rPh" && !empty) ++in_phonetic;
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
      const std::string_view name = local_name(reader.get());
      if (name == "si") {
        total += current.size();
        if (total > max_bytes) {
          return tl::unexpected("shared strings past " + std::to_string(max_bytes) + " bytes");
        }
        strings.push_back(std::move(current));
        current.clear();
      }
      if (name == "t" && in_text > 0) --in_text;
      if (name == "rPh" && in_phonetic > 0) --in_phonetic;
    } else if (is_text(type) && in_text > 0 && in_phonetic == 0) {
      current += node_text(reader.get());
    }
  }
  if (r < 0) {
    return tl::unexpected(xml.error().empty() ? std::string("broken XML in the shared strings")
                                              : xml.error());
  }
  return strings;
}

struct SheetRowsSource::State {
  XmlReader reader;
  ByteSource* xml;
  const std::vector<std::string>* strings;
  std::string pending;  // rows ready to be read
  std::size_t at = 0;   // read from pending up to here
  std::size_t rows_out = 0;
  std::vector<std::string> cells;
  std::string cell;
  std::string cell_type;
  int in_value = 0;
  bool done = false;

  void start_cell(bool empty) {
    const std::size_t column = column_of(attribute(reader.get(), "r"));
    if (column > cells.size() && column < (1 << 14)) cells.resize(column);
    cell.clear();
    cell_type = attribute(reader.get(), "t");
    if (empty) cells.emplace_back();
  }
  void end_cell() {
    if (cell_type == "s") {
      std::size_t index = 0;
      const bool number = !cell.empty() && cell.size() < 10 &&
                          std::all_of(cell.begin(), cell.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (number) index = std::stoul(cell);
      cell = number && index < strings->size() ? (*strings)[index] : std::string();
    }
    cells.push_back(std::move(cell));
    cell.clear();
  }
  void start_row() {
    // Line n is row n: rows the sheet leaves out are empty lines.
    const std::string r = attribute(reader.get(), "r");
    std::size_t row = rows_out + 1;
    if (!r.empty() && r.size() < 8 &&
        std::all_of(r.begin(), r.end(), [](char c) { return c >= '0' && c <= '9'; }))
      row = std::stoul(r);
    if (row > rows_out + 1 && row <= (1u << 20)) {
      pending.append(row - rows_out - 1, '\n');
      rows_out = row - 1;
    }
    cells.clear();
  }
  void end_row() {
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i > 0) pending += ',';
      append_field(cells[i], &pending);
    }
    pending += '\n';
    ++rows_out;
    cells.clear();
  }
};

SheetRowsSource::SheetRowsSource(ByteSource& xml, const std::vector<std::string>& strings)
    : state_(std::make_unique<State>()) {
  state_->xml = &xml;
  state_->strings = &strings;
  state_->reader = open_xml(xml);
}

SheetRowsSource::~SheetRowsSource() = default;

bool SheetRowsSource::advance() {
  State& s = *state_;
  if (!s.reader) {
    error_ = "cannot start the XML reader";
    return false;
  }
  while (s.pending.size() < (1 << 16)) {
    const int r = xmlTextReaderRead(s.reader.get());
    if (r == 0) {
      s.done = true;
      return true;
    }
    if (r < 0) {
      error_ = s.xml->error().empty() ? std::string("broken XML in the sheet") : s.xml->error();
      return false;
    }
    const int type = xmlTextReaderNodeType(s.reader.get());
    if (type == XML_READER_TYPE_ELEMENT) {
      const std::string_view name = local_name(s.reader.get());
      const bool empty = xmlTextReaderIsEmptyElement(s.reader.get()) == 1;
      if (name == "row") {
        s.start_row();
        if (empty) s.end_row();
      } else if (name == "c") {
        s.start_cell(empty);
      } else if ((name == "v" || name == "t") && !empty) {
        ++s.in_value;
      }
    } else if (type == XML_READER_TYPE_END_ELEMENT) {
      const std::string_view name = local_name(s.reader.get());
      if (name == "row") s.end_row();
      if (name == "c") s.end_cell();
      if ((name == "v" || name == "t") && s.in_value > 0) --s.in_value;
    } else if (is_text(type) && s.in_value > 0) {
      s.cell += node_text(s.reader.get());
    }
  }
  return true;
}

std::ptrdiff_t SheetRowsSource::read(char* out, std::size_t size) {
  State& s = *state_;
  if (s.at == s.pending.size()) {
    s.pending.clear();
    s.at = 0;
    if (s.done) return 0;
    if (!advance()) return -1;
    if (s.pending.empty()) return 0;
  }
  const std::size_t n = std::min(size, s.pending.size() - s.at);
  std::memcpy(out, s.pending.data() + s.at, n);
  s.at += n;
  return static_cast<std::ptrdiff_t>(n);
}

}  // namespace leakwatch::extract
