#include "matcher/csv_reader.h"

#include <csv.h>

#include "core/errors.h"

namespace leakwatch::matcher {

// Owns libcsv's parser state (RAII over csv_init/csv_free).
struct CsvReader::Parser {
  csv_parser p{};
  Parser() { reset_state(); }
  ~Parser() { csv_free(&p); }
  void reset_state() {
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) throw RuntimeError("csv: out of memory");
  }
  void reset() {
    csv_free(&p);
    p = csv_parser{};
    reset_state();
  }
};

namespace {

struct Callbacks {
  CsvRecord* current;
  std::vector<CsvRecord>* ready;
  bool row_ended = false;
};

void on_field(void* data, size_t len, void* user) {
  auto* cb = static_cast<Callbacks*>(user);
  cb->current->fields.emplace_back(static_cast<const char*>(data), len);
}

void on_row(int, void* user) {
  auto* cb = static_cast<Callbacks*>(user);
  cb->ready->push_back(std::move(*cb->current));
  cb->current->fields.clear();
  cb->current->error.clear();
  cb->row_ended = true;
}

bool blank(std::string_view line) {
  for (char c : line) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') return false;
  }
  return true;
}

}  // namespace

CsvReader::CsvReader(std::istream& in) : in_(in), parser_(std::make_unique<Parser>()) {}

CsvReader::~CsvReader() = default;

bool CsvReader::read_line(std::string* line) {
  if (!std::getline(in_, *line)) {
    if (in_.bad()) throw RuntimeError("read failed");
    return false;
  }
  if (!in_.eof()) line->push_back('\n');
  ++line_;
  if (first_line_) {
    first_line_ = false;
    if (line->starts_with("\xEF\xBB\xBF")) line->erase(0, 3);
  }
  return true;
}

void CsvReader::feed_line(std::string_view line) {
  if (!record_open_) {
    if (blank(line)) return;
    current_.line = line_;
  }
  Callbacks cb{&current_, &ready_};
  size_t used = csv_parse(&parser_->p, line.data(), line.size(), on_field, on_row, &cb);
  if (used != line.size()) {
    // Malformed quoting: reject the record, start afresh on the next line.
    CsvRecord bad;
    bad.line = current_.line;
    bad.error = "malformed quoting (a quote inside an unquoted field, or text after a closing quote)";
    ready_.push_back(std::move(bad));
    current_.fields.clear();
    parser_->reset();
    record_open_ = false;
    return;
  }
  record_open_ = !cb.row_ended;
}

bool CsvReader::next(CsvRecord* out) {
  std::string line;
  while (ready_pos_ >= ready_.size()) {
    ready_.clear();
    ready_pos_ = 0;
    if (eof_) return false;
    if (read_line(&line)) {
      feed_line(line);
      continue;
    }
    eof_ = true;
    Callbacks cb{&current_, &ready_};
    if (csv_fini(&parser_->p, on_field, on_row, &cb) != 0) {
      CsvRecord bad;
      bad.line = current_.line;
      bad.error = "unterminated quoted field (runs to the end of the file)";
      ready_.push_back(std::move(bad));
    }
  }
  *out = std::move(ready_[ready_pos_++]);
  return true;
}

}  // namespace leakwatch::matcher
