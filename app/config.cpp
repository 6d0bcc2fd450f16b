#include "app/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "app/table_reader.h"
#include "core/errors.h"

namespace leakwatch::app {
namespace {

// Every table leakwatch.toml may hold, and every key of those read here
// ([crawl] and [[source]] keys are checked by crawl_config.cpp).
constexpr std::string_view kTopLevelKeys[] = {"database", "hashing", "identity", "retention",
                                              "run",      "crawl",   "source"};
constexpr std::string_view kDatabaseKeys[] = {"url", "lock_timeout_s", "statement_timeout_s"};
constexpr std::string_view kRunKeys[] = {"stuck_after_s"};
constexpr std::string_view kHashingKeys[] = {"key_file", "key_version"};
constexpr std::string_view kIdentityKeys[] = {"default_region"};
constexpr std::string_view kRetentionKeys[] = {"days"};

std::string location(const std::filesystem::path& file, const toml::source_region& region) {
  return file.string() + ":" + std::to_string(region.begin.line) + ": ";
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
  TableReader(config, config.table, "").check_keys(kTopLevelKeys);
  if (auto database = TableReader::section(config, "database")) {
    database->check_keys(kDatabaseKeys);
    database->read("url", config.database_url);
    constexpr int kWeek = 7 * 24 * 3600;
    database->read_int("lock_timeout_s", config.lock_timeout_s, 0, kWeek);
    database->read_int("statement_timeout_s", config.statement_timeout_s, 0, kWeek);
  }
  if (auto run = TableReader::section(config, "run")) {
    run->check_keys(kRunKeys);
    run->read_int("stuck_after_s", config.stuck_after_s, 1, 365 * 24 * 3600);
  }
  if (auto hashing = TableReader::section(config, "hashing")) {
    hashing->check_keys(kHashingKeys);
    std::string key_file;
    hashing->read("key_file", key_file);
    if (!key_file.empty()) {
      std::filesystem::path p(key_file);
      config.key_file = p.is_absolute() ? p : file.parent_path() / p;
    }
    hashing->read_int("key_version", config.key_version, 1, 32767);
  }
  if (auto identity = TableReader::section(config, "identity")) {
    identity->check_keys(kIdentityKeys);
    // One region ("CN") or a list tried in order (["US", "CA"]), kept as the
    // comma-separated form the extractor and identity take ("US,CA").
    std::vector<std::string> regions;
    if (const toml::node* node = identity->node("default_region"); node != nullptr && node->is_array()) {
      identity->read_strings("default_region", regions);
    } else {
      std::string region = config.default_region;
      identity->read("default_region", region);
      regions = {region};
    }
    config.default_region.clear();
    for (std::string& region : regions) {
      if (region.size() != 2) {
        identity->fail(*identity->node("default_region"), "default_region",
                       "expected a two-letter region code like \"CN\" or a list of them");
      }
      for (char& c : region) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      config.default_region += (config.default_region.empty() ? "" : ",") + region;
    }
    if (config.default_region.empty()) {
      identity->fail(*identity->node("default_region"), "default_region",
                     "expected at least one region code");
    }
  }
  if (auto retention = TableReader::section(config, "retention")) {
    retention->check_keys(kRetentionKeys);
    retention->read_int("days", config.retention_days, 1, 1000000);
  }
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
