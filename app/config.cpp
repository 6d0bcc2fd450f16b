#include "app/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace leakwatch::app {
namespace {

std::string location(const std::filesystem::path& file, const toml::source_region& region) {
  return file.string() + ":" + std::to_string(region.begin.line) + ": ";
}

// Reads [section] key as T; absent keeps `out`; a wrong type is a ConfigError.
template <typename T>
void read(const Config& config, std::string_view section, std::string_view key, T& out) {
  const toml::node* sec = config.table.get(section);
  if (sec == nullptr) return;
  if (!sec->is_table()) {
    throw ConfigError(where(config, *sec) + "[" + std::string(section) + "]: expected a table");
  }
  const toml::node* node = sec->as_table()->get(key);
  if (node == nullptr) return;
  auto value = node->value<T>();
  if (!value) {
    const char* expected = std::is_same_v<T, std::string> ? "a string" : "an integer";
    throw ConfigError(where(config, *node) + "[" + std::string(section) + "] " + std::string(key) +
                      ": expected " + expected);
  }
  out = *value;
}

}  // namespace

std::string where(const Config& config, const toml::node& node) {
  return location(config.file, node.source());
}

Config parse_config(std::string_view text, const std::filesystem::path& file) {
  Config config;
  config.file = file;
  try {
    config.table = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw ConfigError(location(file, e.source()) + std::string(e.description()));
  }
  read(config, "database", "url", config.database_url);
  std::string key_file;
  read(config, "hashing", "key_file", key_file);
  if (!key_file.empty()) {
    std::filesystem::path p(key_file);
    config.key_file = p.is_absolute() ? p : file.parent_path() / p;
  }
  int64_t key_version = config.key_version;
  read(config, "hashing", "key_version", key_version);
  if (key_version < 1 || key_version > 32767) {
    throw ConfigError(file.string() + ": [hashing] key_version: must be between 1 and 32767");
  }
  config.key_version = static_cast<int>(key_version);
  read(config, "identity", "default_region", config.default_region);
  if (config.default_region.size() != 2) {
    throw ConfigError(file.string() + ": [identity] default_region: expected a two-letter region code like \"CN\"");
  }
  for (char& c : config.default_region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  int64_t days = config.retention_days;
  read(config, "retention", "days", days);
  if (days < 1) throw ConfigError(file.string() + ": [retention] days: must be at least 1");
  config.retention_days = static_cast<int>(days);
  return config;
}

Config load_config(const std::optional<std::filesystem::path>& explicit_path) {
  std::filesystem::path path;
  if (explicit_path) {
    path = *explicit_path;
  } else if (const char* env = std::getenv("LEAKWATCH_CONFIG"); env != nullptr && *env != '\0') {
    path = env;
  } else if (std::filesystem::exists("leakwatch.toml")) {
    path = "leakwatch.toml";
  } else {
    return Config{};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read config file " + path.string() + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

}  // namespace leakwatch::app
