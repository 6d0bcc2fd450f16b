// Personal names that stand in a leaked record next to an identifier: a
// "name"/"姓名"/"Name:" field in the line, or the value of a CSV/TSV/pipe
// column whose header says it holds names. Names are evidence, never keys.
// Thread-safe: patterns compile once; methods are const. Column layouts are
// per-input state owned by the caller (NameColumns).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <re2/re2.h>

namespace leakwatch::extract {

struct NameHit {
  std::size_t begin;  // byte offset of the name in the line
  std::size_t end;
  std::string name;  // normalized (normalize_name)
};

// Which column holds names, learned from the last header line seen.
struct NameColumns {
  char delimiter = 0;  // 0: no header seen
  std::size_t column = 0;
};

class NameFields {
 public:
  // Throws std::logic_error naming the pattern if one fails to compile.
  NameFields();
  NameFields(const NameFields&) = delete;
  NameFields& operator=(const NameFields&) = delete;

  // Whether `line` holds a key the patterns start from ("name" in any case,
  // 名, 人). learn_header and find only look for fields when `mentions` is
  // true; callers that have already scanned the line pass what they saw.
  static bool mentions_name(std::string_view line);

  // If `line` is a header row with a name column, records it in `columns` and
  // returns true.
  bool learn_header(std::string_view line, bool mentions, NameColumns* columns) const;
  // Names in `line`: "Name: ..." style fields, then the header's column.
  std::vector<NameHit> find(std::string_view line, bool mentions, const NameColumns& columns) const;

 private:
  RE2 header_;
  RE2 field_;
};

}  // namespace leakwatch::extract
