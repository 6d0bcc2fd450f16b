// The one strict reader of leakwatch.toml's tables: typed values with
// ranges, and unknown keys refused, every error a ConfigError
// "FILE:LINE: <section> <key>: what is wrong" (a typo in a key must never be
// silently ignored). Used by config.cpp ([database], [hashing], ...) and
// crawl_config.cpp ([crawl], [[source]]). Reads, never owns: `config` and
// `table` must outlive the reader.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "app/config.h"

namespace leakwatch::app {

class TableReader {
 public:
  // `section` names the table in messages: "[crawl]", "[[source]] tor-market:";
  // empty for the document's top level.
  TableReader(const Config& config, const toml::table& table, std::string section);

  // The reader of the top-level table `[name]`, nullopt when there is none;
  // throws when `name` is not a table.
  static std::optional<TableReader> section(const Config& config, std::string_view name);

  [[noreturn]] void fail(const toml::node& node, std::string_view key, const std::string& what) const;
  // Throws for the first key not in `known`, listing the known ones.
  void check_keys(std::span<const std::string_view> known) const;

  const toml::node* node(std::string_view key) const { return table_.get(key); }
  const toml::table& table() const { return table_; }

  // Each read leaves `out` alone when the key is absent and throws when its
  // value has the wrong type or is out of [min, max].
  void read(std::string_view key, std::string& out) const;
  void read(std::string_view key, bool& out) const;
  void read_int(std::string_view key, int64_t& out, int64_t min, int64_t max) const;
  template <typename Int>
  void read_int(std::string_view key, Int& out, int64_t min, int64_t max) const {
    int64_t v = out;
    read_int(key, v, min, max);
    out = static_cast<Int>(v);
  }
  void read_number(std::string_view key, double& out, double min, double max) const;
  void read_strings(std::string_view key, std::vector<std::string>& out) const;

 private:
  std::string label(std::string_view key) const;  // "[crawl] rate"

  const Config& config_;
  const toml::table& table_;
  std::string section_;
};

}  // namespace leakwatch::app
