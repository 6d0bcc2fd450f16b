#include "extract/name_fields.h"

#include <stdexcept>

#include "identity/identity.h"

namespace leakwatch::extract {

namespace {

constexpr std::size_t kMaxHeaderLine = 4096;

// Header cells that hold a person's name (not a user name or a file name).
constexpr const char kHeaderCell[] =
    R"(^\s*"?\s*(?i:name|full[ _]?name|real[ _]?name|customer[ _]?name|contact[ _]?name|)"
    R"(姓名|真实姓名|名字|收货人|联系人|收件人)\s*"?\s*$)";
// "Name: Zhang Wei", "姓名：张伟", "name=Li Na". The value is Han characters or
// up to four Latin words.
constexpr const char kField[] =
    R"((?:\b(?i:name|full[ _]?name|real[ _]?name)|姓名|名字|收货人|联系人|收件人)\s*(?::|：|=)\s*)"
    R"(([\p{Han}·]{2,8}|[A-Za-z][A-Za-z'\-]*(?:\.? [A-Za-z][A-Za-z'\-]*){0,3}))";

}  // namespace

// One pass for every key the patterns can start from: "name" in any case
// (its "ame"), 名 (姓名, 名字) and 人 (收货人, 联系人, 收件人).
bool NameFields::mentions_name(std::string_view line) {
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const std::size_t n = line.size();
  for (std::size_t i = 0; i + 2 < n; ++i) {
    unsigned char c = p[i];
    if ((c | 0x20) == 'a') {
      if ((p[i + 1] | 0x20) == 'm' && (p[i + 2] | 0x20) == 'e') return true;
    } else if (c == 0xE5) {
      if (p[i + 1] == 0x90 && p[i + 2] == 0x8D) return true;  // 名
    } else if (c == 0xE4) {
      if (p[i + 1] == 0xBA && p[i + 2] == 0xBA) return true;  // 人
    }
  }
  return false;
}

namespace {

std::vector<std::string_view> split(std::string_view line, char delimiter) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    std::size_t d = line.find(delimiter, start);
    cells.push_back(line.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start));
    if (d == std::string_view::npos) break;
    start = d + 1;
  }
  return cells;
}

}  // namespace

NameFields::NameFields() : header_(kHeaderCell), field_(kField) {
  if (!header_.ok()) throw std::logic_error("name pattern header: " + header_.error());
  if (!field_.ok()) throw std::logic_error("name pattern field: " + field_.error());
}

bool NameFields::learn_header(std::string_view line, bool mentions, NameColumns* columns) const {
  if (!mentions || line.size() > kMaxHeaderLine) return false;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  for (char delimiter : {',', '\t', '|', ';'}) {
    if (line.find(delimiter) == std::string_view::npos) continue;
    auto cells = split(line, delimiter);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (RE2::FullMatch(re2::StringPiece(cells[i].data(), cells[i].size()), header_)) {
        *columns = NameColumns{delimiter, i};
        return true;
      }
    }
  }
  return false;
}

std::vector<NameHit> NameFields::find(std::string_view line, bool mentions,
                                      const NameColumns& columns) const {
  std::vector<NameHit> hits;
  re2::StringPiece input(line.data(), line.size());
  re2::StringPiece value;
  // The field pattern has a capture group: run it only where a key can be.
  if (!mentions) input = re2::StringPiece();
  while (!input.empty() && RE2::FindAndConsume(&input, field_, &value)) {
    std::string_view v(value.data(), value.size());
    // "Name: Zhang Wei Phone: 138..." — the last word belongs to the next field.
    std::size_t after = static_cast<std::size_t>(value.data() - line.data()) + value.size();
    if (after < line.size() && (line[after] == ':' || line.substr(after, 3) == "：")) {
      std::size_t space = v.rfind(' ');
      if (space == std::string_view::npos) continue;
      v = v.substr(0, space);
    }
    auto name = identity::normalize_name(v);
    if (!name) continue;
    std::size_t begin = static_cast<std::size_t>(v.data() - line.data());
    hits.push_back({begin, begin + v.size(), std::move(*name)});
  }
  if (hits.empty() && columns.delimiter != 0) {
    auto cells = split(line, columns.delimiter);
    if (columns.column < cells.size()) {
      std::string_view cell = cells[columns.column];
      while (!cell.empty() && (cell.front() == ' ' || cell.front() == '"')) cell.remove_prefix(1);
      while (!cell.empty() && (cell.back() == ' ' || cell.back() == '"' || cell.back() == '\r'))
        cell.remove_suffix(1);
      bool plausible = !cell.empty() && cell.size() <= 128 && cell.find('@') == std::string_view::npos &&
                       cell.find_first_of("0123456789") == std::string_view::npos;
      if (plausible) {
        auto name = identity::normalize_name(cell);
        if (name) {
          std::size_t begin = static_cast<std::size_t>(cell.data() - line.data());
          hits.push_back({begin, begin + cell.size(), std::move(*name)});
        }
      }
    }
  }
  return hits;
}

}  // namespace leakwatch::extract
