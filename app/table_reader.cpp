#include "app/table_reader.h"

#include <algorithm>
#include <sstream>

#include "core/errors.h"

namespace leakwatch::app {

TableReader::TableReader(const Config& config, const toml::table& table, std::string section)
    : config_(config), table_(table), section_(std::move(section)) {}

std::optional<TableReader> TableReader::section(const Config& config, std::string_view name) {
  const toml::node* node = config.table.get(name);
  if (node == nullptr) return std::nullopt;
  const std::string label = "[" + std::string(name) + "]";
  if (!node->is_table()) throw ConfigError(where(config, *node) + label + ": expected a table");
  return TableReader(config, *node->as_table(), label);
}

std::string TableReader::label(std::string_view key) const {
  return section_.empty() ? std::string(key) : section_ + " " + std::string(key);
}

void TableReader::fail(const toml::node& node, std::string_view key, const std::string& what) const {
  throw ConfigError(where(config_, node) + label(key) + ": " + what);
}

void TableReader::check_keys(std::span<const std::string_view> known) const {
  for (const auto& [key, node] : table_) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    // A key's own position is where the typo is; toml++ gives the key's
    // source region, the value's is the fallback.
    const toml::source_region& at = key.source().begin.line != 0 ? key.source() : node.source();
    const bool table = section_.empty() && node.is_table();  // a misspelt [section]
    throw ConfigError(
        config_.file.string() + ":" + std::to_string(at.begin.line) + ": " +
        (table ? "[" + std::string(key.str()) + "]: unknown table" : label(key.str()) + ": unknown key") +
        " (known: " + list + ")");
  }
}

void TableReader::read(std::string_view key, std::string& out) const {
  if (auto* n = node(key)) {
    auto v = n->value<std::string>();
    if (!v || !n->is_string()) fail(*n, key, "expected a string");
    out = *v;
  }
}

void TableReader::read(std::string_view key, bool& out) const {
  if (auto* n = node(key)) {
    auto v = n->value<bool>();
    if (!v || !n->is_boolean()) fail(*n, key, "expected true or false");
    out = *v;
  }
}

void TableReader::read_int(std::string_view key, int64_t& out, int64_t min, int64_t max) const {
  if (auto* n = node(key)) {
    auto v = n->value<int64_t>();
    if (!v || !n->is_integer()) fail(*n, key, "expected an integer");
    if (*v < min || *v > max) {
      fail(*n, key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out = *v;
  }
}

void TableReader::read_number(std::string_view key, double& out, double min, double max) const {
  if (auto* n = node(key)) {
    auto v = n->value<double>();
    if (!v || !(n->is_integer() || n->is_floating_point())) fail(*n, key, "expected a number");
    if (!(*v >= min && *v <= max)) {
      std::ostringstream s;
      s << "must be between " << min << " and " << max;
      fail(*n, key, s.str());
    }
    out = *v;
  }
}

void TableReader::read_strings(std::string_view key, std::vector<std::string>& out) const {
  if (auto* n = node(key)) {
    const toml::array* a = n->as_array();
    if (a == nullptr) fail(*n, key, "expected an array of strings");
    out.clear();
    for (const auto& item : *a) {
      auto v = item.value<std::string>();
      if (!v || !item.is_string()) fail(item, key, "expected an array of strings");
      out.push_back(*v);
    }
  }
}

}  // namespace leakwatch::app
