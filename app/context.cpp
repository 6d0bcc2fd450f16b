#include "app/context.h"

#include <cstdlib>
#include <iostream>

#include "core/errors.h"
#include "db/connection.h"

namespace leakwatch::app {

const Config& Context::config() {
  if (!config_) config_ = load_config(options_.config_path);
  return *config_;
}

std::string Context::database_url() {
  if (options_.database_url) return *options_.database_url;
  if (const char* env = std::getenv("LEAKWATCH_DATABASE_URL"); env != nullptr && *env != '\0') return env;
  return config().database_url;
}

db::Connection& Context::database() {
  if (!database_) database_ = db::connect(database_url());
  return *database_;
}

const identity::HashKey& Context::hash_key() {
  if (key_) return *key_;
  std::filesystem::path path;
  if (const char* env = std::getenv("LEAKWATCH_HMAC_KEY_FILE"); env != nullptr && *env != '\0') {
    path = env;
  } else if (config().key_file) {
    path = *config().key_file;
  } else {
    throw ConfigError(
        "no HMAC key: set [hashing] key_file in the config or $LEAKWATCH_HMAC_KEY_FILE "
        "(create one with: openssl rand -hex 32 > leakwatch.key && chmod 600 leakwatch.key)");
  }
  bool loose = false;
  try {
    key_ = identity::HashKey::load(path, &loose);
  } catch (const std::exception& e) {
    throw ConfigError(e.what());
  }
  key_ = key_->with_version(config().key_version);
  if (loose) {
    std::cerr << "leakwatch: warning: key file " << path.string()
              << " is readable by group or others; chmod 600 it\n";
  }
  return *key_;
}

}  // namespace leakwatch::app
